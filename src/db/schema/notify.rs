//! Reminders by email (src/notify): the outbox every mail passes through. Part of the
//! portable schema (`super`), kept in its own file.

use super::users;

diesel::table! {
    outbox (id) {
        id -> BigInt,
        dedup_key -> Text,
        template -> Text,
        user_id -> Nullable<BigInt>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        claim -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(outbox -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(outbox, users);
