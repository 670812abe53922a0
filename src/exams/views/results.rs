//! Results and item analysis as the API shows them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::ExamView;
use crate::exams::rules::{Analysis, ReliabilityBasis};
use crate::exams::store::{QuestionText, ResultRow};
use crate::exams::{AttemptStatus, Exam, Points, SubmittedBy};
use crate::extract::ListPage;

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
