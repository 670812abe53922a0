//! Exams (考核): unit tests during the year, the annual assessment, the completion exam
//! (结业考核) and its make-up (补考). A blueprint says what to draw from the bank; each
//! candidate gets a paper drawn with a recorded seed, options shuffled, items copied into
//! the attempt; answers are saved one at a time until the server's deadline; grading and
//! item analysis follow Moodle's definitions (API.md).

pub mod api;
pub mod jobs;
pub mod pages;
pub mod rules;
pub mod store;

pub use store::annual_results;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::bank::{Difficulty, QType};
use crate::db::schema::{attempts, exams};

/// 考核类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamKind {
    Unit,
    Annual,
    Completion,
    Makeup,
}

impl ExamKind {
    pub const ALL: [ExamKind; 4] = [
        ExamKind::Unit,
        ExamKind::Annual,
        ExamKind::Completion,
        ExamKind::Makeup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExamKind::Unit => "unit",
            ExamKind::Annual => "annual",
            ExamKind::Completion => "completion",
            ExamKind::Makeup => "makeup",
        }
    }

    pub fn parse(s: &str) -> Option<ExamKind> {
        ExamKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ExamKind::Unit => "单元测试",
            ExamKind::Annual => "年度考核",
            ExamKind::Completion => "结业考核",
            ExamKind::Makeup => "结业补考",
        }
    }
}

/// How an X (multiple-answer) item scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XScoring {
    /// 多选、少选、错选均不得分: only the exact set scores.
    AllOrNothing,
    /// 少选按比例得分: no wrong letter, then points × chosen right ÷ all right.
    Partial,
}

impl XScoring {
    pub fn as_str(self) -> &'static str {
        match self {
            XScoring::AllOrNothing => "all_or_nothing",
            XScoring::Partial => "partial",
        }
    }

    pub fn parse(s: &str) -> Option<XScoring> {
        match s.trim() {
            "all_or_nothing" => Some(XScoring::AllOrNothing),
            "partial" => Some(XScoring::Partial),
            _ => None,
        }
    }
}

/// One line of a blueprint: `count` questions of this area and type (optionally of one
/// difficulty and collection), each worth `points`. For A3/A4/B1 whole groups are drawn
/// whose sizes add up to exactly `count` questions, so every paper has the same length
/// and the same maximum score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlueprintLine {
    pub area: String,
    #[serde(rename = "type")]
    pub qtype: QType,
    pub difficulty: Option<Difficulty>,
    pub collection: Option<String>,
    pub count: u32,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blueprint {
    pub items: Vec<BlueprintLine>,
}

impl Blueprint {
    pub fn max_score(&self) -> f64 {
        rules::round2(
            self.items
                .iter()
                .map(|l| f64::from(l.count) * l.points)
                .sum(),
        )
    }

    pub fn question_count(&self) -> u32 {
        self.items.iter().map(|l| l.count).sum()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exams)]
pub struct Exam {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub program_id: i64,
    pub region_code: String,
    pub cohort_year: Option<i32>,
    pub year: i32,
    pub makeup_of: Option<i64>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub pass_score: f64,
    pub max_score: f64,
    pub attempts_allowed: i32,
    pub x_scoring: String,
    pub shuffle_options: bool,
    pub blueprint: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Exam {
    pub fn kind(&self) -> ExamKind {
        ExamKind::parse(&self.kind).unwrap_or(ExamKind::Unit)
    }

    pub fn x_scoring(&self) -> XScoring {
        XScoring::parse(&self.x_scoring).unwrap_or(XScoring::AllOrNothing)
    }

    pub fn blueprint(&self) -> Blueprint {
        serde_json::from_str(&self.blueprint).unwrap_or(Blueprint { items: Vec::new() })
    }

    pub fn view(&self) -> ExamView {
        ExamView {
            id: self.id,
            title: self.title.clone(),
            kind: self.kind(),
            kind_label: self.kind().label(),
            program_id: self.program_id,
            region_code: self.region_code.clone(),
            cohort_year: self.cohort_year,
            year: self.year,
            makeup_of: self.makeup_of,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            duration_minutes: self.duration_minutes,
            pass_score: self.pass_score,
            max_score: self.max_score,
            attempts_allowed: self.attempts_allowed,
            x_scoring: self.x_scoring(),
            shuffle_options: self.shuffle_options,
            question_count: self.blueprint().question_count(),
            blueprint: self.blueprint(),
            created_at: self.created_at,
        }
    }
}

/// An exam as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ExamView {
    pub id: i64,
    pub title: String,
    pub kind: ExamKind,
    pub kind_label: &'static str,
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
    pub pass_score: f64,
    pub max_score: f64,
    pub attempts_allowed: i32,
    pub x_scoring: XScoring,
    pub shuffle_options: bool,
    pub question_count: u32,
    pub blueprint: Blueprint,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

/// An option as the candidate sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperOption {
    pub key: String,
    pub text: String,
}

/// One item of a candidate's paper, as drawn: the snapshot grading reads. `answer` is in
/// the candidate's own (shuffled) keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperItem {
    pub question_id: String,
    pub qtype: QType,
    pub area: String,
    pub group_id: Option<String>,
    pub case_text: Option<String>,
    pub stem: String,
    pub options: Vec<PaperOption>,
    pub answer: String,
    pub explanation: String,
    pub points: f64,
    /// The blueprint line it was drawn for.
    pub line: usize,
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
    pub points: f64,
}

impl PaperItem {
    pub fn candidate(&self) -> CandidateQuestion<'_> {
        CandidateQuestion {
            id: &self.question_id,
            qtype: self.qtype,
            case_text: self.case_text.as_deref(),
            group: self.group_id.as_deref(),
            stem: &self.stem,
            options: &self.options,
            points: self.points,
        }
    }
}

/// Attempt states.
pub const IN_PROGRESS: &str = "in_progress";
pub const SUBMITTED: &str = "submitted";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attempts)]
pub struct Attempt {
    pub id: i64,
    pub exam_id: i64,
    pub doctor_id: i64,
    pub attempt_no: i32,
    pub seed: String,
    pub started_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub status: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<String>,
    pub score: Option<f64>,
    pub max_score: f64,
    pub passed: Option<bool>,
    pub paper: String,
}

impl Attempt {
    pub fn paper(&self) -> Vec<PaperItem> {
        serde_json::from_str(&self.paper).unwrap_or_default()
    }

    pub fn is_open(&self) -> bool {
        self.status == IN_PROGRESS
    }
}
