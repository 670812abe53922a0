//! An exam as the API shows it, and as a doctor sees it (with its standing).

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::exams::rules::Standing;
use crate::exams::{Blueprint, Exam, ExamKind, ExamStatus, Points, XScoring};

/// An exam as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ExamView {
    pub id: i64,
    pub title: String,
    pub kind: ExamKind,
    pub kind_label: &'static str,
    /// `active`, or `withdrawn` (issue 13).
    pub status: ExamStatus,
    pub program_id: i64,
    pub region_code: String,
    pub cohort_year: Option<i32>,
    pub year: i32,
    pub makeup_of: Option<i64>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub opens_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub pass_score: Points,
    pub max_score: Points,
    pub attempts_allowed: i32,
    pub x_scoring: XScoring,
    pub shuffle_options: bool,
    pub question_count: u32,
    pub blueprint: Blueprint,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

impl From<&Exam> for ExamView {
    fn from(e: &Exam) -> ExamView {
        ExamView {
            id: e.id,
            title: e.title.clone(),
            kind: e.kind,
            kind_label: e.kind.label(),
            status: e.status,
            program_id: e.program_id,
            region_code: e.region_code.clone(),
            cohort_year: e.cohort_year,
            year: e.year,
            makeup_of: e.makeup_of,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            duration_minutes: e.duration_minutes,
            pass_score: e.pass_score,
            max_score: e.max_score,
            attempts_allowed: e.attempts_allowed,
            x_scoring: e.x_scoring,
            shuffle_options: e.shuffle_options,
            question_count: e.blueprint.question_count(),
            blueprint: e.blueprint.clone(),
            created_at: e.created_at,
        }
    }
}

/// An exam as a doctor sees it: with where the doctor stands (`my`).
#[derive(Debug, Clone, Serialize)]
pub struct DoctorExamView {
    #[serde(flatten)]
    pub exam: ExamView,
    pub my: Standing,
}
