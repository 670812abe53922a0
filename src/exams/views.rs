//! The exam engine's JSON, typed (API.md "Exams"): the same shapes the API has always
//! answered. Points serialize as plain numbers (`80`, `85.5`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::ops::{AttemptRead, Reading};
use super::rules::{Analysis, ReliabilityBasis, Standing};
use super::store::{QuestionText, ResultRow};
use super::{
    Attempt, AttemptStatus, Blueprint, Exam, ExamKind, ExamStatus, PaperItem, PaperOption, Points,
    SubmittedBy, XScoring,
};
use crate::bank::QType;
use crate::extract::ListPage;

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

/// What a candidate sees of an item: never the answer or the explanation.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateQuestion<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub qtype: QType,
    #[serde(rename = "case", skip_serializing_if = "Option::is_none")]
    pub case_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a str>,
    pub stem: &'a str,
    pub options: &'a [PaperOption],
    pub points: Points,
}

impl<'a> From<&'a PaperItem> for CandidateQuestion<'a> {
    fn from(item: &'a PaperItem) -> CandidateQuestion<'a> {
        CandidateQuestion {
            id: &item.question_id,
            qtype: item.qtype,
            case_text: item.case_text.as_deref(),
            group: item.group_id.as_deref(),
            stem: &item.stem,
            options: &item.options,
            points: item.points,
        }
    }
}

/// An open attempt as its candidate sees it: the questions without answers, the
/// answers saved so far, and the server's deadline with the seconds left.
#[derive(Debug, Clone, Serialize)]
pub struct PaperView<'a> {
    pub id: i64,
    pub exam_id: i64,
    pub attempt_no: i32,
    pub status: AttemptStatus,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub started_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub deadline: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub server_time: NaiveDateTime,
    pub remaining_seconds: i64,
    pub max_score: Points,
    pub questions: Vec<CandidateQuestion<'a>>,
    pub answers: &'a HashMap<String, String>,
}

impl<'a> PaperView<'a> {
    pub fn new(
        attempt: &'a Attempt,
        saved: &'a HashMap<String, String>,
        now: NaiveDateTime,
    ) -> PaperView<'a> {
        PaperView {
            id: attempt.id,
            exam_id: attempt.exam_id,
            attempt_no: attempt.attempt_no,
            status: attempt.status,
            started_at: attempt.started_at,
            deadline: attempt.deadline,
            server_time: now,
            remaining_seconds: (attempt.deadline - now).num_seconds().max(0),
            max_score: attempt.max_score,
            questions: attempt.paper.items().iter().map(Into::into).collect(),
            answers: saved,
        }
    }
}

/// A submission's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SubmitView {
    pub id: i64,
    pub status: AttemptStatus,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<SubmittedBy>,
}

impl From<&Attempt> for SubmitView {
    fn from(a: &Attempt) -> SubmitView {
        SubmitView {
            id: a.id,
            status: a.status,
            score: a.score,
            max_score: a.max_score,
            passed: a.passed,
            submitted_at: a.submitted_at,
            submitted_by: a.submitted_by,
        }
    }
}

/// The text of a reviewed item, from the candidate's paper.
#[derive(Debug, Clone, Serialize)]
pub struct ItemText<'a> {
    #[serde(rename = "type")]
    pub qtype: QType,
    pub stem: &'a str,
    pub case: Option<&'a str>,
    pub options: &'a [PaperOption],
}

/// The key of a reviewed item, once review is open.
#[derive(Debug, Clone, Serialize)]
pub struct ItemKey<'a> {
    pub correct_answer: &'a str,
    pub explanation: &'a str,
}

/// One graded item of a submitted attempt.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem<'a> {
    pub question_id: &'a str,
    pub answer_given: Option<&'a str>,
    pub points: Points,
    pub max_points: Points,
    #[serde(flatten)]
    pub text: Option<ItemText<'a>>,
    #[serde(flatten)]
    pub key: Option<ItemKey<'a>>,
}

/// `GET /api/v1/attempts/{id}`: the attempt; while open (to its candidate) the paper,
/// the saved answers and the time left; once submitted the graded items and whether the
/// key is shown.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView<'a> {
    pub id: i64,
    pub exam_id: i64,
    pub doctor_id: i64,
    pub attempt_no: i32,
    pub status: AttemptStatus,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub started_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub deadline: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<SubmittedBy>,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questions: Option<Vec<CandidateQuestion<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<&'a HashMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_seconds: Option<i64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::serde_rfc3339::option"
    )]
    pub server_time: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ReviewItem<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<bool>,
}

impl<'a> AttemptView<'a> {
    /// An attempt as read ([`super::ops::read_attempt`]).
    pub fn of(read: &'a AttemptRead, now: NaiveDateTime) -> AttemptView<'a> {
        let a = &read.attempt;
        let mut view = AttemptView::bare(a);
        match &read.reading {
            Reading::Open { saved: None } => {}
            Reading::Open { saved: Some(saved) } => {
                view.questions = Some(a.paper.items().iter().map(Into::into).collect());
                view.answers = Some(saved);
                view.remaining_seconds = Some((a.deadline - now).num_seconds().max(0));
                view.server_time = Some(now);
            }
            Reading::Submitted { items, review } => {
                let paper = a.paper.items();
                view.items = Some(
                    items
                        .iter()
                        .map(|g| {
                            let item = usize::try_from(g.position)
                                .ok()
                                .and_then(|p| paper.get(p))
                                .filter(|i| i.question_id == g.question_id);
                            ReviewItem {
                                question_id: &g.question_id,
                                answer_given: g.answer.as_deref(),
                                points: g.points,
                                max_points: g.max_points,
                                text: item.map(|i| ItemText {
                                    qtype: i.qtype,
                                    stem: &i.stem,
                                    case: i.case_text.as_deref(),
                                    options: &i.options,
                                }),
                                key: item.filter(|_| *review).map(|i| ItemKey {
                                    correct_answer: &i.answer,
                                    explanation: &i.explanation,
                                }),
                            }
                        })
                        .collect(),
                );
                view.review = Some(*review);
            }
        }
        view
    }

    /// The attempt's own fields, nothing else.
    pub fn bare(a: &'a Attempt) -> AttemptView<'a> {
        AttemptView {
            id: a.id,
            exam_id: a.exam_id,
            doctor_id: a.doctor_id,
            attempt_no: a.attempt_no,
            status: a.status,
            started_at: a.started_at,
            deadline: a.deadline,
            submitted_at: a.submitted_at,
            submitted_by: a.submitted_by,
            score: a.score,
            max_score: a.max_score,
            passed: a.passed,
            questions: None,
            answers: None,
            remaining_seconds: None,
            server_time: None,
            items: None,
            review: None,
        }
    }
}

/// One candidate's attempt in the results.
#[derive(Debug, Clone, Serialize)]
pub struct ResultItem {
    pub attempt_id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub region_code: String,
    pub region_name: String,
    pub attempt_no: i32,
    pub status: AttemptStatus,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub started_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<SubmittedBy>,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
}

impl From<ResultRow> for ResultItem {
    fn from(r: ResultRow) -> ResultItem {
        ResultItem {
            attempt_id: r.attempt_id,
            doctor_id: r.doctor_id,
            doctor_name: r.doctor_name,
            region_code: r.region_code,
            region_name: r.region_name,
            attempt_no: r.attempt_no,
            status: r.status,
            started_at: r.started_at,
            submitted_at: r.submitted_at,
            submitted_by: r.submitted_by,
            score: r.score,
            max_score: r.max_score,
            passed: r.passed,
        }
    }
}

/// `GET /api/v1/exams/{id}/results`: a page of results and the exam.
#[derive(Debug, Serialize)]
pub struct ResultsView {
    #[serde(flatten)]
    pub page: ListPage<ResultItem>,
    pub exam: ExamView,
}

/// Numbers to 4 decimals, as the API shows statistics.
fn round4(x: Option<f64>) -> Option<f64> {
    x.map(|x| (x * 10_000.0).round() / 10_000.0)
}

/// The test's statistics.
#[derive(Debug, Clone, Serialize)]
pub struct TestView {
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub sd: Option<f64>,
    pub reliability: Option<f64>,
    pub sem: Option<f64>,
    pub reliability_basis: Option<ReliabilityBasis>,
    pub max_score: Points,
}

/// One analysed item, with its text from the bank.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisItem {
    pub question_id: String,
    pub n: usize,
    pub facility: Option<f64>,
    pub sd: Option<f64>,
    pub discrimination_index: Option<f64>,
    pub point_biserial: Option<f64>,
    pub negative_discrimination: bool,
    #[serde(rename = "type")]
    pub qtype: String,
    pub area: String,
    pub stem: String,
}

/// `GET /api/v1/exams/{id}/analysis`.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisView {
    pub exam_id: i64,
    pub test: TestView,
    pub items: Vec<AnalysisItem>,
    /// The items flagged for negative discrimination.
    pub flagged: Vec<String>,
}

impl AnalysisView {
    pub fn new(
        exam: &Exam,
        analysis: &Analysis,
        texts: &HashMap<String, QuestionText>,
    ) -> AnalysisView {
        let t = &analysis.test;
        AnalysisView {
            exam_id: exam.id,
            test: TestView {
                n: t.n,
                mean: round4(t.mean),
                median: round4(t.median),
                sd: round4(t.sd),
                reliability: round4(t.reliability),
                sem: round4(t.sem),
                reliability_basis: t.reliability_basis,
                max_score: exam.max_score,
            },
            items: analysis
                .items
                .iter()
                .map(|i| {
                    let text = texts.get(&i.question_id).cloned().unwrap_or_default();
                    AnalysisItem {
                        question_id: i.question_id.clone(),
                        n: i.n,
                        facility: round4(i.facility),
                        sd: round4(i.sd),
                        discrimination_index: round4(i.discrimination_index),
                        point_biserial: round4(i.point_biserial),
                        negative_discrimination: i.negative_discrimination,
                        qtype: text.qtype,
                        area: text.area,
                        stem: text.stem,
                    }
                })
                .collect(),
            flagged: analysis
                .items
                .iter()
                .filter(|i| i.negative_discrimination)
                .map(|i| i.question_id.clone())
                .collect(),
        }
    }
}
