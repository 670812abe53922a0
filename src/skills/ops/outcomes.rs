//! Skills exams' complete results for other areas (the county filings' "skills exams
//! sat / passed"): each exam with every candidate whose every station has a submitted
//! sheet, judged as the results page judges them.

use chrono::NaiveDate;

use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::points::Points;
use crate::skills::SkillExamKind;
use crate::skills::store::exams as exam_store;

/// One candidate's complete result in one exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamOutcome {
    pub exam_id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub held_on: NaiveDate,
    pub doctor_id: i64,
    pub total: Points,
    pub passed: bool,
}

/// The complete results of the listed exams (unknown ids are skipped).
pub fn outcomes(conn: &mut AnyConnection, exam_ids: &[i64]) -> AppResult<Vec<ExamOutcome>> {
    let mut out = Vec::new();
    for id in exam_ids {
        let Some(found) = exam_store::get(conn, *id)? else {
            continue;
        };
        let exam = found.exam;
        let stations = exam_store::stations(conn, exam.id)?;
        for r in super::results::compute(conn, &exam, &stations, None, true)? {
            if r.complete {
                out.push(ExamOutcome {
                    exam_id: exam.id,
                    title: exam.title.clone(),
                    kind: exam.kind,
                    held_on: exam.held_on,
                    doctor_id: r.doctor_id,
                    total: r.total,
                    passed: r.passed,
                });
            }
        }
    }
    Ok(out)
}
