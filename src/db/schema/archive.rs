//! Archive documents (`src/archive`) and the county dossier exports (`src/dossier`):
//! tables of `migrations/*/2026-11-30-0005xx`, re-exported by `crate::db::schema`.

use super::{regions, reports, sessions, users};

diesel::table! {
    archive_documents (id) {
        id -> BigInt,
        session_id -> Nullable<BigInt>,
        report_id -> Nullable<BigInt>,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        content -> Binary,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    dossier_exports (id) {
        id -> BigInt,
        county_code -> Text,
        requested_by -> BigInt,
        status -> Text,
        total -> Integer,
        done -> Integer,
        file_name -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        heartbeat_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(archive_documents -> sessions (session_id));
diesel::joinable!(archive_documents -> reports (report_id));
diesel::joinable!(archive_documents -> users (uploaded_by));
diesel::joinable!(dossier_exports -> regions (county_code));

diesel::allow_tables_to_appear_in_same_query!(archive_documents, sessions);
diesel::allow_tables_to_appear_in_same_query!(archive_documents, reports);
diesel::allow_tables_to_appear_in_same_query!(archive_documents, regions);
diesel::allow_tables_to_appear_in_same_query!(archive_documents, users);
diesel::allow_tables_to_appear_in_same_query!(dossier_exports, regions);
