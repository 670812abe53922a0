//! What a dossier is read from: the doctor's approved records with what they came from,
//! its rotations with who supervised and signed them, its exam sittings.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{
    attempts, courses, doctors, evidence_files, exams, instructors, programs, rotations, sessions,
    study_records, users,
};
use crate::exams::{AttemptStatus, ExamKind};
use crate::points::Points;
use crate::study::{RecordStatus, Source, StudyKind};

/// An approved record with the names of what it came from.
#[derive(Debug, Clone, Queryable)]
pub struct RecordRow {
    pub id: i64,
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub source: Source,
    pub source_ref: String,
    pub evidence: Option<String>,
    pub course: Option<String>,
    pub session_id: Option<i64>,
    pub session: Option<String>,
    pub rotation_id: Option<i64>,
}

pub fn records(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<RecordRow>> {
    study_records::table
        .left_join(courses::table)
        .left_join(sessions::table)
        .filter(study_records::doctor_id.eq(doctor_id))
        .filter(study_records::status.eq(RecordStatus::Approved))
        .order((study_records::occurred_on, study_records::id))
        .select((
            study_records::id,
            study_records::kind,
            study_records::minutes,
            study_records::occurred_on,
            study_records::source,
            study_records::source_ref,
            study_records::evidence,
            courses::title.nullable(),
            study_records::session_id,
            sessions::title.nullable(),
            study_records::rotation_id,
        ))
        .load(conn)
}

/// The records among `ids` that carry an evidence file.
pub fn with_files(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    evidence_files::table
        .filter(evidence_files::record_id.eq_any(ids))
        .select(evidence_files::record_id)
        .load(conn)
}

/// A rotation with its supervisor's and signer's names.
#[derive(Debug, Clone, Queryable)]
pub struct RotationRow {
    pub id: i64,
    pub placement_id: i64,
    pub department: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub supervisor: Option<String>,
    pub signed_off_by: Option<i64>,
    pub signed_off_at: Option<NaiveDateTime>,
    pub assessment_score: Option<Points>,
    pub summary: Option<String>,
}

pub fn rotations(conn: &mut AnyConnection, placement_ids: &[i64]) -> QueryResult<Vec<RotationRow>> {
    rotations::table
        .left_join(instructors::table)
        .filter(rotations::placement_id.eq_any(placement_ids))
        .order((rotations::starts_on, rotations::id))
        .select((
            rotations::id,
            rotations::placement_id,
            rotations::department,
            rotations::starts_on,
            rotations::ends_on,
            instructors::name.nullable(),
            rotations::signed_off_by,
            rotations::signed_off_at,
            rotations::assessment_score,
            rotations::summary,
        ))
        .load(conn)
}

/// Display names of accounts (who signed a rotation off).
pub fn user_names(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
}

/// A submitted exam attempt.
#[derive(Debug, Clone, Queryable)]
pub struct AttemptRow {
    pub exam_id: i64,
    pub title: String,
    pub kind: ExamKind,
    pub year: i32,
    pub attempt_no: i32,
    pub submitted_at: Option<NaiveDateTime>,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
}

pub fn attempts(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<AttemptRow>> {
    attempts::table
        .inner_join(exams::table)
        .filter(attempts::doctor_id.eq(doctor_id))
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .order((attempts::submitted_at, attempts::id))
        .select((
            exams::id,
            exams::title,
            exams::kind,
            exams::year,
            attempts::attempt_no,
            attempts::submitted_at,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .load(conn)
}

/// The program's name.
pub fn program_name(conn: &mut AnyConnection, id: i64) -> QueryResult<String> {
    programs::table.find(id).select(programs::name).first(conn)
}

/// The sealed ID number (decrypted by the caller, for those who may see it).
pub fn sealed_id(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<String> {
    doctors::table
        .find(doctor_id)
        .select(doctors::id_number_enc)
        .first(conn)
}

/// Doctors of a county's subtree (the bulk export), by name.
pub fn doctors_in(conn: &mut AnyConnection, county: &str) -> QueryResult<Vec<(i64, String)>> {
    doctors::table
        .filter(doctors::county_code.eq(county))
        .order((doctors::name, doctors::id))
        .select((doctors::id, doctors::name))
        .load(conn)
}
