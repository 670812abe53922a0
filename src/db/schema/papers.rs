//! The exam engine's item contents (src/exams/store/papers.rs): each drawn item's content
//! once, by the hash of its JSON. Part of the portable schema (`super`), kept in its own
//! file so `schema.rs` stays readable.

diesel::table! {
    paper_items (hash) {
        hash -> Text,
        body -> Text,
    }
}
