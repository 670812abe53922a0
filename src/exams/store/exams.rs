//! The `exams` table: creating, finding, listing, and the manager's corrections.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{attempts, exams, regions};
use crate::db::{self, AnyConnection};
use crate::exams::{AttemptStatus, Exam, ExamKind, ExamStatus, PlacedExam, Points, XScoring};
use crate::regions::Scope;
use crate::regions::in_scope;

/// A new exam, as written.
#[derive(Insertable)]
#[diesel(table_name = exams)]
pub struct NewExam {
    pub title: String,
    pub kind: ExamKind,
    pub program_id: i64,
    pub region_code: String,
    pub cohort_year: Option<i32>,
    pub year: i32,
    pub makeup_of: Option<i64>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub pass_score: Points,
    pub max_score: Points,
    pub attempts_allowed: i32,
    pub x_scoring: XScoring,
    pub shuffle_options: bool,
    /// The blueprint as JSON.
    pub blueprint: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Write a new exam (audited `exam.created`).
pub fn insert_exam(conn: &mut AnyConnection, new: &NewExam, actor: &Actor) -> QueryResult<Exam> {
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(exams::table)
            .values(new)
            .returning(exams::id)
            .get_result(conn)?;
        let exam = find(conn, id)?;
        audit::record(
            conn,
            actor,
            &Entry::new("exam.created")
                .target(format!("exam:{}", exam.id))
                .detail(serde_json::json!({
                    "title": exam.title, "kind": exam.kind, "program_id": exam.program_id,
                    "region_code": exam.region_code, "max_score": exam.max_score,
                })),
            new.created_at,
        )?;
        Ok(exam)
    })
}

/// One exam (NotFound when absent).
pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Exam> {
    exams::table.find(id).select(Exam::as_select()).first(conn)
}

/// An exam and its region's path.
pub fn get_exam(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<PlacedExam>> {
    let row: Option<(Exam, String)> = exams::table
        .inner_join(regions::table)
        .filter(exams::id.eq(id))
        .select((Exam::as_select(), regions::path))
        .first(conn)
        .optional()?;
    Ok(row.map(|(exam, region_path)| PlacedExam { exam, region_path }))
}

/// The path of a region (None when the code is unknown).
pub fn region_path(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<String>> {
    regions::table
        .find(code)
        .select(regions::path)
        .first(conn)
        .optional()
}

/// The codes on a region path, root first (`/370000/370400/` → 370000, 370400).
pub fn codes_of(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Exams staff work with: set in their subtree, or above it (a city's exam is sat by a
/// county's doctors), withdrawn ones included. Newest window first.
pub fn list_for_region(
    conn: &mut AnyConnection,
    scope: &Scope,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Exam>, i64)> {
    let above = codes_of(&scope.path);
    let visible = in_scope(scope).or(exams::region_code.eq_any(above));
    let total = exams::table
        .inner_join(regions::table)
        .filter(visible.clone())
        .count()
        .get_result(conn)?;
    let rows = exams::table
        .inner_join(regions::table)
        .filter(visible)
        .order((exams::opens_at.desc(), exams::id.desc()))
        .select(Exam::as_select())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// Exams a doctor may see: active, of their program, set for their region or above it,
/// for their cohort or all cohorts.
pub fn list_for_doctor(
    conn: &mut AnyConnection,
    program_id: i64,
    region_path: &str,
    cohort_year: i32,
) -> QueryResult<Vec<Exam>> {
    exams::table
        .filter(exams::status.eq(ExamStatus::Active))
        .filter(exams::program_id.eq(program_id))
        .filter(exams::region_code.eq_any(codes_of(region_path)))
        .filter(
            exams::cohort_year
                .is_null()
                .or(exams::cohort_year.eq(cohort_year)),
        )
        .order((exams::opens_at.desc(), exams::id.desc()))
        .select(Exam::as_select())
        .load(conn)
}

/// How many attempts an exam has.
pub fn attempt_count(conn: &mut AnyConnection, exam_id: i64) -> QueryResult<i64> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .count()
        .get_result(conn)
}

/// Mark an exam withdrawn (audited `exam.withdrawn`). The caller has checked, inside
/// the same write transaction, that nobody has started it.
pub fn withdraw(
    conn: &mut AnyConnection,
    exam_id: i64,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Exam> {
    diesel::update(exams::table.find(exam_id))
        .set(exams::status.eq(ExamStatus::Withdrawn))
        .execute(conn)?;
    let exam = find(conn, exam_id)?;
    audit::record(
        conn,
        actor,
        &Entry::new("exam.withdrawn")
            .target(format!("exam:{exam_id}"))
            .detail(serde_json::json!({ "title": exam.title, "kind": exam.kind })),
        now,
    )?;
    Ok(exam)
}

/// Close an exam at `closes_at` (audited `exam.closed`): attempts still open become due
/// then too, so the deadline job grades them as usual.
pub fn close(
    conn: &mut AnyConnection,
    exam_id: i64,
    closes_at: NaiveDateTime,
    was: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<Exam> {
    diesel::update(exams::table.find(exam_id))
        .set(exams::closes_at.eq(closes_at))
        .execute(conn)?;
    let exam = find(conn, exam_id)?;
    let cut = diesel::update(
        attempts::table
            .filter(attempts::exam_id.eq(exam_id))
            .filter(attempts::status.eq(AttemptStatus::InProgress))
            .filter(attempts::deadline.gt(closes_at)),
    )
    .set(attempts::deadline.eq(closes_at))
    .execute(conn)?;
    audit::record(
        conn,
        actor,
        &Entry::new("exam.closed")
            .target(format!("exam:{exam_id}"))
            .detail(serde_json::json!({
                "was_closing_at": crate::time::rfc3339(was),
                "closes_at": crate::time::rfc3339(closes_at),
                "open_attempts_cut": cut,
            })),
        closes_at,
    )?;
    Ok(exam)
}

/// How [`lock_status`] locks an exam's row on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLock {
    /// A start: many at once, none while a withdrawal decides.
    Share,
    /// A withdrawal: alone, so no start slips in between its count and its write.
    Update,
}

/// An exam's status, its row locked for the rest of the transaction (PostgreSQL;
/// SQLite's write transaction already excludes every other writer).
pub fn lock_status(conn: &mut AnyConnection, id: i64, lock: RowLock) -> QueryResult<ExamStatus> {
    let query = exams::table.find(id).select(exams::status);
    match (conn, lock) {
        (AnyConnection::Postgresql(c), RowLock::Share) => query.for_share().first(c),
        (AnyConnection::Postgresql(c), RowLock::Update) => query.for_update().first(c),
        (AnyConnection::Sqlite(c), _) => query.first(c),
    }
}
