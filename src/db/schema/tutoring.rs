//! Tutoring (辅导带教) and the 3331 support visits: teams, groups and their membership
//! history, activities, evaluations, visits, absences. Part of the portable schema
//! (`super`), kept in its own file so `schema.rs` stays readable.

use super::{doctors, instructors, organizations, regions};

diesel::table! {
    tutoring_teams (id) {
        id -> BigInt,
        name -> Text,
        region_code -> Text,
        program_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tutoring_team_members (team_id, instructor_id) {
        team_id -> BigInt,
        instructor_id -> BigInt,
        role -> Text,
        dispatched -> Bool,
        home_org_id -> Nullable<BigInt>,
        level -> Nullable<Text>,
    }
}

diesel::table! {
    tutoring_groups (id) {
        id -> BigInt,
        name -> Text,
        program_id -> BigInt,
        region_code -> Text,
        team_id -> BigInt,
        criteria -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tutoring_memberships (id) {
        id -> BigInt,
        group_id -> BigInt,
        doctor_id -> BigInt,
        program_id -> BigInt,
        joined_at -> Timestamp,
        left_at -> Nullable<Timestamp>,
        changed_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    tutoring_activities (id) {
        id -> BigInt,
        group_id -> BigInt,
        kind -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        topic -> Text,
        note -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tutoring_attendees (activity_id, doctor_id) {
        activity_id -> BigInt,
        doctor_id -> BigInt,
    }
}

diesel::table! {
    tutoring_evaluations (id) {
        id -> BigInt,
        group_id -> BigInt,
        month -> Text,
        score -> Integer,
        progress -> Text,
        remarks -> Text,
        instructor_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    support_visits (id) {
        id -> BigInt,
        team_id -> BigInt,
        clinic_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        modes -> Text,
        hours -> Nullable<Integer>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    support_visit_doctors (visit_id, doctor_id) {
        visit_id -> BigInt,
        doctor_id -> BigInt,
    }
}

diesel::table! {
    dispatch_absences (id) {
        id -> BigInt,
        instructor_id -> BigInt,
        occurred_on -> Date,
        justified -> Bool,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(tutoring_teams -> regions (region_code));
diesel::joinable!(tutoring_team_members -> tutoring_teams (team_id));
diesel::joinable!(tutoring_team_members -> instructors (instructor_id));
diesel::joinable!(tutoring_groups -> tutoring_teams (team_id));
diesel::joinable!(tutoring_groups -> regions (region_code));
diesel::joinable!(tutoring_memberships -> tutoring_groups (group_id));
diesel::joinable!(tutoring_memberships -> doctors (doctor_id));
diesel::joinable!(tutoring_activities -> tutoring_groups (group_id));
diesel::joinable!(tutoring_attendees -> tutoring_activities (activity_id));
diesel::joinable!(tutoring_attendees -> doctors (doctor_id));
diesel::joinable!(tutoring_evaluations -> tutoring_groups (group_id));
diesel::joinable!(support_visits -> tutoring_teams (team_id));
diesel::joinable!(support_visits -> organizations (clinic_id));
diesel::joinable!(support_visit_doctors -> support_visits (visit_id));
diesel::joinable!(dispatch_absences -> instructors (instructor_id));
