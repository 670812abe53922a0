//! Reading results: the results table, the responses item analysis reads, the bank's
//! text of analysed items, and the best annual result per exam (for the ledger's
//! progress).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{attempt_items, attempts, doctors, exams, questions, regions};
use crate::exams::rules::{Response, ResponseItem};
use crate::exams::{AttemptStatus, ExamKind, Points, SubmittedBy};
use crate::regions::{Scope, in_scope};

/// One candidate's attempt, for the results table.
#[derive(Debug, Clone, Queryable)]
pub struct ResultRow {
    pub attempt_id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub region_code: String,
    pub region_name: String,
    pub attempt_no: i32,
    pub status: AttemptStatus,
    pub started_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<SubmittedBy>,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
}

/// The attempts at an exam by doctors in `scope`, by region then name.
pub fn results(
    conn: &mut AnyConnection,
    exam_id: i64,
    scope: &Scope,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<ResultRow>, i64)> {
    let base = || {
        attempts::table
            .inner_join(doctors::table.inner_join(regions::table))
            .filter(attempts::exam_id.eq(exam_id))
            .filter(in_scope(scope))
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((
            regions::path,
            doctors::name,
            doctors::id,
            attempts::attempt_no,
        ))
        .select((
            attempts::id,
            doctors::id,
            doctors::name,
            regions::code,
            regions::name,
            attempts::attempt_no,
            attempts::status,
            attempts::started_at,
            attempts::submitted_at,
            attempts::submitted_by,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// A graded item as item analysis reads it.
#[derive(Debug, Queryable)]
struct ItemRow {
    attempt_id: i64,
    position: i32,
    question_id: String,
    points: Points,
    max_points: Points,
}

/// The graded items of every submitted attempt in `scope`, for item analysis.
pub fn responses(
    conn: &mut AnyConnection,
    exam_id: i64,
    scope: &Scope,
) -> QueryResult<Vec<Response>> {
    let rows: Vec<ItemRow> = attempt_items::table
        .inner_join(attempts::table.inner_join(doctors::table.inner_join(regions::table)))
        .filter(attempts::exam_id.eq(exam_id))
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .filter(in_scope(scope))
        .order((attempt_items::attempt_id, attempt_items::position))
        .select((
            attempt_items::attempt_id,
            attempt_items::position,
            attempt_items::question_id,
            attempt_items::points,
            attempt_items::max_points,
        ))
        .load(conn)?;
    let mut out: Vec<Response> = Vec::new();
    let mut current = None;
    for row in rows {
        if current != Some(row.attempt_id) {
            out.push(Response::default());
            current = Some(row.attempt_id);
        }
        if let Some(r) = out.last_mut() {
            r.items.push(ResponseItem {
                position: row.position as usize,
                question_id: row.question_id,
                points: row.points,
                max_points: row.max_points,
            });
        }
    }
    Ok(out)
}

/// What the analysis page shows of a question: its type, area and stem, from the bank.
#[derive(Debug, Clone, Default, Queryable)]
pub struct QuestionText {
    pub qid: String,
    pub qtype: String,
    pub area: String,
    pub stem: String,
}

/// The bank's text of questions, by id.
pub fn question_texts(
    conn: &mut AnyConnection,
    qids: &[String],
) -> QueryResult<HashMap<String, QuestionText>> {
    let mut out = HashMap::new();
    for chunk in qids.chunks(500) {
        let rows: Vec<QuestionText> = questions::table
            .filter(questions::qid.eq_any(chunk))
            .select((
                questions::qid,
                questions::qtype,
                questions::area,
                questions::stem,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|t| (t.qid.clone(), t)));
    }
    Ok(out)
}

/// Has the doctor passed this exam?
pub fn has_passed(conn: &mut AnyConnection, exam_id: i64, doctor_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        attempts::table
            .filter(attempts::exam_id.eq(exam_id))
            .filter(attempts::doctor_id.eq(doctor_id))
            .filter(attempts::passed.eq(true)),
    ))
    .get_result(conn)
}

/// The best submitted attempt at one annual exam.
#[derive(Debug, Clone, Queryable)]
pub struct AnnualResult {
    pub year: i32,
    pub exam_id: i64,
    pub title: String,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
}

/// A doctor's annual assessments: per annual exam, the best submitted attempt.
pub fn annual_results(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<AnnualResult>> {
    let rows: Vec<AnnualResult> = attempts::table
        .inner_join(exams::table)
        .filter(attempts::doctor_id.eq(doctor_id))
        .filter(exams::kind.eq(ExamKind::Annual))
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .order((exams::year, exams::id, attempts::score.desc()))
        .select((
            exams::year,
            exams::id,
            exams::title,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .load(conn)?;
    let mut out: Vec<AnnualResult> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|l| l.exam_id != row.exam_id) {
            out.push(row);
        }
    }
    Ok(out)
}

/// Of all the attempts at an exam by doctors in `scope` (every page, not one): how many
/// are submitted and how many passed.
pub fn results_counts(
    conn: &mut AnyConnection,
    exam_id: i64,
    scope: &Scope,
) -> QueryResult<(i64, i64)> {
    let base = || {
        attempts::table
            .inner_join(doctors::table.inner_join(regions::table))
            .filter(attempts::exam_id.eq(exam_id))
            .filter(in_scope(scope))
    };
    let submitted = base()
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .count()
        .get_result(conn)?;
    let passed = base()
        .filter(attempts::passed.eq(true))
        .count()
        .get_result(conn)?;
    Ok((submitted, passed))
}
