//! The portable schema: one `table!` per table, types both backends share. Kept by hand
//! (not generated) because it must describe both migration folders at once; the
//! schema-parity test checks the two folders agree.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        level -> Text,
        parent_code -> Nullable<Text>,
        path -> Text,
        is_gb -> Bool,
        is_demo -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        region_code -> Text,
        disabled -> Bool,
        token_version -> BigInt,
        created_by -> Nullable<BigInt>,
        last_login_at -> Nullable<Timestamp>,
        previous_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    programs (id) {
        id -> BigInt,
        name -> Text,
        preset -> Nullable<Text>,
        region_code -> Text,
        start_year -> Integer,
        end_year -> Integer,
        policy -> Text,
        version -> Integer,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    program_quotas (program_id, region_code, year) {
        program_id -> BigInt,
        region_code -> Text,
        year -> Integer,
        places -> Integer,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        region_code -> Text,
        address -> Nullable<Text>,
        is_demo -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        central_village_clinic -> Bool,
    }
}

diesel::table! {
    doctors (id) {
        id -> BigInt,
        name -> Text,
        id_number_enc -> Text,
        id_number_index -> Text,
        id_number_masked -> Text,
        phone -> Text,
        gender -> Text,
        birth_date -> Date,
        education -> Text,
        qualification -> Text,
        region_code -> Text,
        county_code -> Text,
        clinic_id -> Nullable<BigInt>,
        program_id -> BigInt,
        cohort_year -> Integer,
        status -> Text,
        status_changed_on -> Nullable<Date>,
        status_note -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        behind_from -> Nullable<Date>,
        progress_bin -> Integer,
    }
}

diesel::table! {
    instructors (id) {
        id -> BigInt,
        name -> Text,
        phone -> Nullable<Text>,
        id_number_enc -> Nullable<Text>,
        id_number_index -> Nullable<Text>,
        id_number_masked -> Nullable<Text>,
        organization_id -> Nullable<BigInt>,
        title -> Nullable<Text>,
        specialty -> Nullable<Text>,
        region_code -> Text,
        user_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    upload_stash (token) {
        token -> Text,
        user_id -> BigInt,
        purpose -> Text,
        filename -> Nullable<Text>,
        params -> Text,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    courses (id) {
        id -> BigInt,
        program_id -> BigInt,
        code -> Text,
        title -> Text,
        area -> Text,
        minutes -> Integer,
        sort -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    platform_accounts (platform, account) {
        platform -> Text,
        account -> Text,
        doctor_id -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        program_id -> BigInt,
        title -> Text,
        topic -> Text,
        location -> Text,
        region_code -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        minutes -> Integer,
        capacity -> Nullable<Integer>,
        checkin_secret -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_instructors (session_id, instructor_id) {
        session_id -> BigInt,
        instructor_id -> BigInt,
    }
}

diesel::table! {
    placements (id) {
        id -> BigInt,
        doctor_id -> BigInt,
        program_id -> BigInt,
        base_org_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        assessment_score -> Nullable<Integer>,
        summary -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rotations (id) {
        id -> BigInt,
        placement_id -> BigInt,
        department -> Text,
        starts_on -> Date,
        ends_on -> Date,
        supervisor_id -> Nullable<BigInt>,
        signed_off_by -> Nullable<BigInt>,
        signed_off_at -> Nullable<Timestamp>,
        assessment_score -> Nullable<Integer>,
        summary -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    study_records (id) {
        id -> BigInt,
        doctor_id -> BigInt,
        program_id -> BigInt,
        kind -> Text,
        minutes -> Integer,
        occurred_on -> Date,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        course_id -> Nullable<BigInt>,
        session_id -> Nullable<BigInt>,
        rotation_id -> Nullable<BigInt>,
        source -> Text,
        source_ref -> Text,
        status -> Text,
        evidence -> Nullable<Text>,
        unit_score -> Nullable<Integer>,
        created_by -> Nullable<BigInt>,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        review_note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evidence_files (record_id) {
        record_id -> BigInt,
        content_type -> Text,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    questions (id) {
        id -> BigInt,
        qid -> Text,
        collection -> Text,
        area -> Text,
        topic -> Text,
        qtype -> Text,
        difficulty -> Nullable<Text>,
        group_id -> Nullable<Text>,
        case_text -> Nullable<Text>,
        stem -> Text,
        options -> Text,
        answer -> Text,
        explanation -> Text,
        source -> Text,
        content_hash -> Text,
        active -> Bool,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        frame -> Text,
        tcm -> Bool,
        excludes -> Text,
    }
}

diesel::table! {
    exams (id) {
        id -> BigInt,
        title -> Text,
        kind -> Text,
        program_id -> BigInt,
        region_code -> Text,
        cohort_year -> Nullable<Integer>,
        year -> Integer,
        makeup_of -> Nullable<BigInt>,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        duration_minutes -> Integer,
        pass_score -> Integer,
        max_score -> Integer,
        attempts_allowed -> Integer,
        x_scoring -> Text,
        shuffle_options -> Bool,
        blueprint -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        status -> Text,
    }
}

diesel::table! {
    attempts (id) {
        id -> BigInt,
        exam_id -> BigInt,
        doctor_id -> BigInt,
        attempt_no -> Integer,
        seed -> Text,
        started_at -> Timestamp,
        deadline -> Timestamp,
        status -> Text,
        submitted_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Text>,
        score -> Nullable<Integer>,
        max_score -> Integer,
        passed -> Nullable<Bool>,
        paper -> Text,
    }
}

diesel::table! {
    attempt_answers (attempt_id, question_id) {
        attempt_id -> BigInt,
        question_id -> Text,
        answer -> Text,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    attempt_items (attempt_id, position) {
        attempt_id -> BigInt,
        position -> Integer,
        question_id -> Text,
        answer -> Nullable<Text>,
        points -> Integer,
        max_points -> Integer,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        kind -> Text,
        county_code -> Text,
        program_id -> BigInt,
        year -> Integer,
        quarter -> Nullable<Integer>,
        status -> Text,
        due_on -> Date,
        submitted_at -> Nullable<Timestamp>,
        late -> Nullable<Bool>,
        statistics -> Text,
        statistics_at -> Timestamp,
        snapshot -> Nullable<Text>,
        narrative -> Text,
        plan -> Nullable<Text>,
        review_comment -> Nullable<Text>,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_events (id) {
        id -> BigInt,
        report_id -> BigInt,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<BigInt>,
        comment -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::joinable!(users -> regions (region_code));
diesel::joinable!(courses -> programs (program_id));
diesel::joinable!(sessions -> regions (region_code));
diesel::joinable!(session_instructors -> sessions (session_id));
diesel::joinable!(session_instructors -> instructors (instructor_id));
diesel::joinable!(placements -> doctors (doctor_id));
diesel::joinable!(placements -> organizations (base_org_id));
diesel::joinable!(rotations -> placements (placement_id));
diesel::joinable!(rotations -> instructors (supervisor_id));
diesel::joinable!(study_records -> doctors (doctor_id));
diesel::joinable!(study_records -> courses (course_id));
diesel::joinable!(study_records -> sessions (session_id));
diesel::joinable!(study_records -> rotations (rotation_id));
diesel::joinable!(programs -> regions (region_code));
diesel::joinable!(program_quotas -> programs (program_id));
diesel::joinable!(organizations -> regions (region_code));
diesel::joinable!(doctors -> regions (region_code));
diesel::joinable!(doctors -> programs (program_id));
diesel::joinable!(doctors -> organizations (clinic_id));
diesel::joinable!(instructors -> regions (region_code));
diesel::joinable!(instructors -> organizations (organization_id));

diesel::joinable!(exams -> programs (program_id));
diesel::joinable!(exams -> regions (region_code));
diesel::joinable!(attempts -> exams (exam_id));
diesel::joinable!(attempts -> doctors (doctor_id));
diesel::joinable!(attempt_answers -> attempts (attempt_id));
diesel::joinable!(attempt_items -> attempts (attempt_id));
diesel::joinable!(reports -> regions (county_code));
diesel::joinable!(reports -> programs (program_id));
diesel::joinable!(report_events -> reports (report_id));

/// Assessment: annual attempts, completions, certificates (src/assessment).
mod assessment;

/// Tutoring and the 3331 support visits (issue 11).
mod tutoring;

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    regions,
    users,
    login_throttle,
    audit_log,
    programs,
    program_quotas,
    organizations,
    doctors,
    instructors,
    upload_stash,
    courses,
    platform_accounts,
    sessions,
    session_instructors,
    placements,
    rotations,
    study_records,
    evidence_files,
    questions,
    exams,
    attempts,
    attempt_answers,
    attempt_items,
    annual_assessments,
    completions,
    certificates,
    tutoring_teams,
    tutoring_team_members,
    tutoring_groups,
    tutoring_memberships,
    tutoring_activities,
    tutoring_attendees,
    tutoring_evaluations,
    support_visits,
    support_visit_doctors,
    dispatch_absences,
    reports,
    report_events,
);

// Areas with tables in files of their own (src/db/schema/<area>.rs), ledger totals too.
mod archive;
mod audit;
mod ledger_totals;
mod notify;
mod papers;
mod skills;
pub use {
    archive::*, assessment::*, audit::*, ledger_totals::*, notify::*, papers::*, skills::*,
    tutoring::*,
};
