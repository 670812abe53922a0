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

use super::{ExportRow, ExportStatus};

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

/// Start a county export: the row, with its total, and the audit entry.
pub fn insert_export(
    conn: &mut AnyConnection,
    county: &str,
    total: i32,
    actor: &crate::audit::Actor,
    now: NaiveDateTime,
) -> Result<i64, crate::error::AppError> {
    use crate::db::schema::dossier_exports as de;
    crate::db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(de::table)
            .values((
                de::county_code.eq(county),
                de::requested_by.eq(actor.id.unwrap_or_default()),
                de::status.eq(ExportStatus::Running),
                de::total.eq(total),
                de::done.eq(0),
                de::created_at.eq(now),
            ))
            .returning(de::id)
            .get_result(conn)?;
        crate::audit::record(
            conn,
            actor,
            &crate::audit::Entry::new("dossier.export_started")
                .target(format!("dossier_export:{id}"))
                .detail(serde_json::json!({"county": county, "doctors": total})),
            now,
        )?;
        Ok(id)
    })
}

/// Record how many dossiers are in the zip so far (and that the export is alive).
pub fn export_progress(
    conn: &mut AnyConnection,
    id: i64,
    done: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::schema::dossier_exports as de;
    diesel::update(de::table.find(id))
        .set((de::done.eq(done), de::heartbeat_at.eq(Some(now))))
        .execute(conn)
        .map(drop)
}

/// Close as failed the running exports of a county with no sign of life since `cutoff`
/// (their last dossier written, else their start): interrupted by a restart or a crash.
/// Returns how many were closed.
pub fn close_stalled(
    conn: &mut AnyConnection,
    county: &str,
    cutoff: NaiveDateTime,
    why: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use crate::db::schema::dossier_exports as de;
    diesel::update(
        de::table
            .filter(de::county_code.eq(county))
            .filter(de::status.eq(ExportStatus::Running))
            .filter(
                de::heartbeat_at
                    .lt(cutoff)
                    .or(de::heartbeat_at.is_null().and(de::created_at.lt(cutoff))),
            ),
    )
    .set((
        de::status.eq(ExportStatus::Failed),
        de::error.eq(Some(why)),
        de::finished_at.eq(Some(now)),
    ))
    .execute(conn)
}

/// Close an export: done with its file, or failed with why.
pub fn export_finished(
    conn: &mut AnyConnection,
    id: i64,
    outcome: Result<(String, i64), String>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::schema::dossier_exports as de;
    let q = diesel::update(de::table.find(id));
    match outcome {
        Ok((file, size)) => q
            .set((
                de::status.eq(ExportStatus::Done),
                de::file_name.eq(Some(file)),
                de::size_bytes.eq(Some(size)),
                de::finished_at.eq(Some(now)),
            ))
            .execute(conn),
        Err(e) => q
            .set((
                de::status.eq(ExportStatus::Failed),
                de::error.eq(Some(e)),
                de::finished_at.eq(Some(now)),
            ))
            .execute(conn),
    }
    .map(drop)
}

/// An export with its county's region path.
pub fn export(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(ExportRow, String)>> {
    use crate::db::schema::{dossier_exports as de, regions};
    de::table
        .inner_join(regions::table)
        .filter(de::id.eq(id))
        .select((ExportRow::as_select(), regions::path))
        .first(conn)
        .optional()
}

/// The newest exports of the counties in a scope.
pub fn exports_in(
    conn: &mut AnyConnection,
    scope: &crate::regions::Scope,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    use crate::db::schema::{dossier_exports as de, regions};
    de::table
        .inner_join(regions::table)
        .filter(crate::regions::in_scope(scope))
        .order(de::id.desc())
        .limit(limit)
        .select(ExportRow::as_select())
        .load(conn)
}

/// A running export of the county, if any (one at a time).
pub fn running_export(conn: &mut AnyConnection, county: &str) -> QueryResult<Option<i64>> {
    use crate::db::schema::dossier_exports as de;
    de::table
        .filter(de::county_code.eq(county))
        .filter(de::status.eq(ExportStatus::Running))
        .select(de::id)
        .first(conn)
        .optional()
}
