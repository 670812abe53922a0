//! The audit log's tables (src/audit). Part of the portable schema (`super`), kept in
//! its own file so `schema.rs` stays readable.

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        detail -> Text,
        client -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    /// PostgreSQL: audit entries committed with their change, waiting for
    /// `audit::settle` to chain them into `audit_log` (migration `2026-12-05-000100`);
    /// always empty on SQLite.
    audit_pending (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        detail -> Text,
        client -> Nullable<Text>,
    }
}
