//! Exams (考核): unit tests during the year, the annual assessment, the completion exam
//! (结业考核) and its make-up (补考). A blueprint says what to draw from the bank; each
//! candidate gets a paper drawn with a recorded seed, options shuffled, items copied into
//! the attempt; answers are saved one at a time until the server's deadline; grading and
//! item analysis follow Moodle's definitions (API.md). Points are [`Points`] (tenths).

pub mod api;
pub mod jobs;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod saves;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

use crate::bank::{Difficulty, QType};
use crate::db::schema::{attempts, exams};
pub use crate::points::Points;

pub use store::{AnnualResult, AreaCount, Caches, GradedRow, ResultRow, annual_results};

crate::text_enum! {
    /// 考核类型.
    pub enum ExamKind {
        Unit = "unit" / "单元测试",
        Annual = "annual" / "年度考核",
        Completion = "completion" / "结业考核",
        Makeup = "makeup" / "结业补考",
    }
}

crate::text_enum! {
    /// Whether an exam stands: one created by mistake is withdrawn before anyone sits it.
    pub enum ExamStatus {
        Active = "active" / "有效",
        Withdrawn = "withdrawn" / "已撤回",
    }
}

crate::text_enum! {
    /// How an X (multiple-answer) item scores.
    pub enum XScoring {
        /// 多选、少选、错选均不得分: only the exact set scores.
        AllOrNothing = "all_or_nothing" / "多选、少选、错选均不得分",
        /// 少选按比例得分: no wrong letter, then points × chosen right ÷ all right.
        Partial = "partial" / "少选按比例得分，错选不得分",
    }
}

crate::text_enum! {
    /// An attempt's state.
    pub enum AttemptStatus {
        InProgress = "in_progress" / "答题中",
        Submitted = "submitted" / "已交卷",
    }
}

crate::text_enum! {
    /// Who submitted an attempt: the candidate, or the deadline (the job, or a read
    /// after the deadline).
    pub enum SubmittedBy {
        Candidate = "candidate" / "已交卷",
        Deadline = "deadline" / "到时交卷",
    }
}

/// Points in a stored snapshot (a blueprint or a paper). Snapshots written before points
/// were tenths may hold two decimals: they are rounded to the nearest tenth, as the
/// migration rounded the score columns.
pub(crate) fn stored_points<'de, D: Deserializer<'de>>(d: D) -> Result<Points, D::Error> {
    let value = f64::deserialize(d)?;
    if !value.is_finite() || value.abs() > 100_000.0 {
        return Err(serde::de::Error::custom(format!(
            "points {value} out of range"
        )));
    }
    Ok(Points::tenths((value * 10.0).round() as i32))
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
    #[serde(deserialize_with = "stored_points")]
    pub points: Points,
}

/// What to draw, stored as JSON with the exam (a stored blueprint that does not parse
/// is an error when read, never an empty blueprint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, diesel::FromSqlRow)]
pub struct Blueprint {
    pub items: Vec<BlueprintLine>,
}

impl Blueprint {
    /// The paper's maximum: each line's count × points.
    pub fn max_score(&self) -> Points {
        self.items
            .iter()
            .map(|l| l.points.times(l.count as i32))
            .sum()
    }

    pub fn question_count(&self) -> u32 {
        self.items.iter().map(|l| l.count).sum()
    }
}

/// Stored JSON read through serde: anything that does not parse is a loud error.
macro_rules! json_column {
    ($ty:ty) => {
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $ty
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                                                                            diesel::sql_types::Text,
                                                                            DB,
                                                                        >>::from_sql(bytes)?;
                serde_json::from_str(&text)
                    .map_err(|e| format!("corrupt stored {}: {e}", stringify!($ty)).into())
            }
        }
    };
}

json_column!(Blueprint);

/// An exam as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exams)]
pub struct Exam {
    pub id: i64,
    pub title: String,
    pub kind: ExamKind,
    pub status: ExamStatus,
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
    pub blueprint: Blueprint,
    pub created_by: Option<i64>,
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
    #[serde(deserialize_with = "stored_points")]
    pub points: Points,
    /// The blueprint line it was drawn for.
    pub line: usize,
    /// The options as shown, by their place in the bank's question (`[2, 0, 1, 3]`: the
    /// first shown is the bank's C); none for true/false. Not in the item's JSON: a paper
    /// stores it beside the reference to the item's content (`rules::stored`).
    #[serde(skip)]
    pub order: Vec<usize>,
}

impl PaperItem {
    /// The option keys, in order (`A`, `B`…; `T`, `F`).
    pub fn keys(&self) -> Vec<char> {
        self.options
            .iter()
            .filter_map(|o| o.key.chars().next())
            .collect()
    }
}

/// A candidate's paper as drawn, stored with the attempt as references to its items'
/// contents (`rules::stored`). A stored paper that does not read back whole is an error
/// — never graded as an empty paper.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Paper(pub Vec<PaperItem>);

impl Paper {
    pub fn items(&self) -> &[PaperItem] {
        &self.0
    }

    pub fn into_items(self) -> Vec<PaperItem> {
        self.0
    }

    /// The paper's maximum.
    pub fn max_score(&self) -> Points {
        self.0.iter().map(|i| i.points).sum()
    }
}

/// One sitting (read with its paper by `store::get_attempt`).
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: i64,
    pub exam_id: i64,
    pub doctor_id: i64,
    pub attempt_no: i32,
    pub seed: String,
    pub started_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub status: AttemptStatus,
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<SubmittedBy>,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
    pub paper: Paper,
}

impl Attempt {
    pub fn is_open(&self) -> bool {
        self.status == AttemptStatus::InProgress
    }

    pub fn summary(&self) -> AttemptSummary {
        AttemptSummary {
            exam_id: self.exam_id,
            id: self.id,
            attempt_no: self.attempt_no,
            status: self.status,
            score: self.score,
            passed: self.passed,
            deadline: self.deadline,
        }
    }
}

/// An attempt without its paper: what lists and start decisions read.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = attempts)]
pub struct AttemptSummary {
    pub exam_id: i64,
    pub id: i64,
    pub attempt_no: i32,
    pub status: AttemptStatus,
    pub score: Option<Points>,
    pub passed: Option<bool>,
    pub deadline: NaiveDateTime,
}

impl AttemptSummary {
    pub fn is_open(&self) -> bool {
        self.status == AttemptStatus::InProgress
    }
}

/// `POST /api/v1/exams`, as sent (the new-exam form builds the same).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = exams::ExamBody)]
pub struct ExamBody {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub program_id: Option<i64>,
    pub region_code: Option<String>,
    pub cohort_year: Option<i32>,
    pub year: Option<i32>,
    pub makeup_of: Option<i64>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub duration_minutes: Option<i64>,
    pub pass_score: Option<f64>,
    pub attempts_allowed: Option<i64>,
    pub x_scoring: Option<String>,
    pub shuffle_options: Option<bool>,
    pub blueprint: Option<serde_json::Value>,
}

/// `PUT /api/v1/attempts/{id}/answers/{question_id}`, as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerBody {
    pub answer: Option<String>,
}

/// An exam with the path of the region it is set for: what visibility and sitting
/// decisions read.
#[derive(Debug, Clone)]
pub struct PlacedExam {
    pub exam: Exam,
    pub region_path: String,
}

impl PlacedExam {
    pub fn terms(&self) -> rules::ExamTerms {
        let e = &self.exam;
        rules::ExamTerms {
            status: e.status,
            kind: e.kind,
            program_id: e.program_id,
            region_path: self.region_path.clone(),
            cohort_year: e.cohort_year,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            duration_minutes: e.duration_minutes,
            attempts_allowed: e.attempts_allowed,
        }
    }
}
