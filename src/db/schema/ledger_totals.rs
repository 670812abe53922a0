//! The study ledger's maintained totals (`migrations/*/2026-12-01-000200_study_totals`),
//! re-exported by `crate::db::schema`.

use super::doctors;

diesel::table! {
    study_totals (doctor_id, kind, year) {
        doctor_id -> BigInt,
        kind -> Text,
        year -> Integer,
        credited_minutes -> Integer,
        pending_minutes -> Integer,
        records -> Integer,
        credited_days -> Integer,
        score_sum -> BigInt,
        score_count -> Integer,
    }
}

diesel::table! {
    study_doctor_totals (doctor_id) {
        doctor_id -> BigInt,
        online_minutes -> Integer,
        centralized_minutes -> Integer,
        shadowing_minutes -> Integer,
        tutoring_minutes -> Integer,
        skills_practice_minutes -> Integer,
        pending_minutes -> Integer,
    }
}

diesel::joinable!(study_totals -> doctors (doctor_id));
diesel::joinable!(study_doctor_totals -> doctors (doctor_id));
diesel::allow_tables_to_appear_in_same_query!(study_totals, study_doctor_totals, doctors);
