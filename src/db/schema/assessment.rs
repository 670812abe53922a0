//! Assessment tables (src/assessment): 年度考核 attempts, 结业 completions, certificates.

use super::{doctors, programs};

diesel::table! {
    annual_assessments (id) {
        id -> BigInt,
        doctor_id -> BigInt,
        program_id -> BigInt,
        year -> Integer,
        attempt -> Integer,
        online -> Integer,
        offline -> Integer,
        ongoing -> Integer,
        exam -> Nullable<Integer>,
        score -> Integer,
        passed -> Bool,
        rating -> Nullable<Integer>,
        rated_by -> Nullable<BigInt>,
        confirmed_at -> Nullable<Timestamp>,
        confirmed_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    completions (id) {
        id -> BigInt,
        doctor_id -> BigInt,
        program_id -> BigInt,
        status -> Text,
        theory_passed -> Nullable<Bool>,
        skills_passed -> Nullable<Bool>,
        hours_met -> Bool,
        makeup_deadline -> Nullable<Date>,
        decided_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certificates (id) {
        id -> BigInt,
        code -> Text,
        doctor_id -> BigInt,
        program_id -> BigInt,
        issued_on -> Date,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
        reason -> Nullable<Text>,
    }
}

diesel::joinable!(annual_assessments -> doctors (doctor_id));
diesel::joinable!(completions -> doctors (doctor_id));
diesel::joinable!(certificates -> doctors (doctor_id));
diesel::joinable!(certificates -> programs (program_id));
