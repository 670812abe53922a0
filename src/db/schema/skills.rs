//! The skills exams' tables (`migrations/*/2026-11-29-000400_skills`), re-exported by
//! `crate::db::schema` like every other table.

use super::{doctors, instructors, programs, regions, users};

diesel::table! {
    skill_stations (id) {
        id -> BigInt,
        code -> Text,
        title -> Text,
        area -> Text,
        minutes -> Integer,
        max_points -> Integer,
        pass_points -> Integer,
        items -> Text,
        rating -> Text,
        source -> Text,
        shipped -> Bool,
        active -> Bool,
        content_hash -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    skill_exams (id) {
        id -> BigInt,
        title -> Text,
        kind -> Text,
        program_id -> BigInt,
        region_code -> Text,
        held_on -> Date,
        starts_at -> Timestamp,
        pass_score -> Integer,
        review_threshold -> Integer,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skill_exam_stations (exam_id, station_id) {
        exam_id -> BigInt,
        station_id -> BigInt,
        position -> Integer,
        max_points -> Integer,
        pass_points -> Integer,
        items -> Text,
    }
}

diesel::table! {
    skill_examiners (exam_id, station_id, instructor_id) {
        exam_id -> BigInt,
        station_id -> BigInt,
        instructor_id -> BigInt,
    }
}

diesel::table! {
    skill_candidates (exam_id, doctor_id) {
        exam_id -> BigInt,
        doctor_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    skill_sheets (id) {
        id -> BigInt,
        exam_id -> BigInt,
        doctor_id -> BigInt,
        station_id -> BigInt,
        examiner_id -> BigInt,
        version -> Integer,
        items -> Text,
        global_rating -> Nullable<Integer>,
        notes -> Text,
        points -> Integer,
        critical_missed -> Bool,
        passed -> Bool,
        status -> Text,
        reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(skill_exams -> programs (program_id));
diesel::joinable!(skill_exams -> regions (region_code));
diesel::joinable!(skill_exam_stations -> skill_exams (exam_id));
diesel::joinable!(skill_exam_stations -> skill_stations (station_id));
diesel::joinable!(skill_examiners -> skill_exams (exam_id));
diesel::joinable!(skill_examiners -> instructors (instructor_id));
diesel::joinable!(skill_candidates -> skill_exams (exam_id));
diesel::joinable!(skill_candidates -> doctors (doctor_id));
diesel::joinable!(skill_sheets -> skill_exams (exam_id));
diesel::joinable!(skill_sheets -> doctors (doctor_id));
diesel::joinable!(skill_sheets -> skill_stations (station_id));
diesel::joinable!(skill_sheets -> instructors (examiner_id));

diesel::allow_tables_to_appear_in_same_query!(
    skill_stations,
    skill_exams,
    skill_exam_stations,
    skill_examiners,
    skill_candidates,
    skill_sheets,
);
diesel::allow_tables_to_appear_in_same_query!(skill_stations, regions);
diesel::allow_tables_to_appear_in_same_query!(skill_stations, doctors);
diesel::allow_tables_to_appear_in_same_query!(skill_stations, instructors);
diesel::allow_tables_to_appear_in_same_query!(skill_stations, programs);
diesel::allow_tables_to_appear_in_same_query!(skill_stations, users);
diesel::allow_tables_to_appear_in_same_query!(skill_exams, regions);
diesel::allow_tables_to_appear_in_same_query!(skill_exams, doctors);
diesel::allow_tables_to_appear_in_same_query!(skill_exams, instructors);
diesel::allow_tables_to_appear_in_same_query!(skill_exams, programs);
diesel::allow_tables_to_appear_in_same_query!(skill_exams, users);
diesel::allow_tables_to_appear_in_same_query!(skill_exam_stations, regions);
diesel::allow_tables_to_appear_in_same_query!(skill_exam_stations, doctors);
diesel::allow_tables_to_appear_in_same_query!(skill_exam_stations, instructors);
diesel::allow_tables_to_appear_in_same_query!(skill_exam_stations, programs);
diesel::allow_tables_to_appear_in_same_query!(skill_exam_stations, users);
diesel::allow_tables_to_appear_in_same_query!(skill_examiners, regions);
diesel::allow_tables_to_appear_in_same_query!(skill_examiners, doctors);
diesel::allow_tables_to_appear_in_same_query!(skill_examiners, instructors);
diesel::allow_tables_to_appear_in_same_query!(skill_examiners, programs);
diesel::allow_tables_to_appear_in_same_query!(skill_examiners, users);
diesel::allow_tables_to_appear_in_same_query!(skill_candidates, regions);
diesel::allow_tables_to_appear_in_same_query!(skill_candidates, doctors);
diesel::allow_tables_to_appear_in_same_query!(skill_candidates, instructors);
diesel::allow_tables_to_appear_in_same_query!(skill_candidates, programs);
diesel::allow_tables_to_appear_in_same_query!(skill_candidates, users);
diesel::allow_tables_to_appear_in_same_query!(skill_sheets, regions);
diesel::allow_tables_to_appear_in_same_query!(skill_sheets, doctors);
diesel::allow_tables_to_appear_in_same_query!(skill_sheets, instructors);
diesel::allow_tables_to_appear_in_same_query!(skill_sheets, programs);
diesel::allow_tables_to_appear_in_same_query!(skill_sheets, users);
