//! Attempts as the API shows them: the open paper (never the answers), a submission's
//! outcome, and an attempt read back with its graded items.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::bank::QType;
use crate::exams::ops::{AttemptRead, Reading};
use crate::exams::{Attempt, AttemptStatus, PaperItem, PaperOption, Points, SubmittedBy};

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
