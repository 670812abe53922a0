//! The facts the assessment is computed from: the doctors of a region, and each
//! doctor's best result per exam (unit tests, the annual exam, the completion exam and
//! its make-up).

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{attempts, doctors, exams, regions};
use crate::exams::{AttemptStatus, ExamKind};
use crate::points::Points;
use crate::regions::Scope;

/// A doctor as the assessment lists it.
#[derive(Debug, Clone, Queryable)]
pub struct Listed {
    pub id: i64,
    pub name: String,
    pub program_id: i64,
    pub county_code: String,
    pub cohort_year: i32,
}

/// Doctors of the scope (optionally only `ids`), by id; with the programs' years.
pub fn doctors_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    only: Option<&[i64]>,
) -> QueryResult<Vec<Listed>> {
    let mut q = doctors::table
        .inner_join(regions::table)
        .filter(crate::regions::in_scope(scope))
        .order(doctors::id)
        .select((
            doctors::id,
            doctors::name,
            doctors::program_id,
            doctors::county_code,
            doctors::cohort_year,
        ))
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(doctors::id.eq_any(ids.to_vec()));
    }
    q.load(conn)
}

/// One exam's best submitted attempt of a doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamResult {
    pub exam_id: i64,
    pub kind: ExamKind,
    pub year: i32,
    pub score: Points,
    pub max_score: Points,
    pub passed: bool,
}

/// An attempt as read: exam, kind, year, score, max, passed.
type AttemptRow = (i64, ExamKind, i32, Option<Points>, Points, Option<bool>);

/// A doctor's best submitted attempt per exam of a program.
pub fn exam_results(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> QueryResult<Vec<ExamResult>> {
    let rows: Vec<AttemptRow> = attempts::table
        .inner_join(exams::table)
        .filter(attempts::doctor_id.eq(doctor_id))
        .filter(exams::program_id.eq(program_id))
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .order((exams::id, attempts::score.desc()))
        .select((
            exams::id,
            exams::kind,
            exams::year,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .load(conn)?;
    let mut out: Vec<ExamResult> = Vec::new();
    for (exam_id, kind, year, score, max_score, passed) in rows {
        let score = score.unwrap_or_default();
        let passed = passed.unwrap_or(false);
        match out.last_mut() {
            Some(last) if last.exam_id == exam_id => {
                last.passed |= passed;
            }
            _ => out.push(ExamResult {
                exam_id,
                kind,
                year,
                score,
                max_score,
                passed,
            }),
        }
    }
    Ok(out)
}
