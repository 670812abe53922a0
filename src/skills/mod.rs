//! Skills exams (技能考核): stations (checklists with critical items and a global rating),
//! exams that run a circuit of stations with their examiners and candidates, and the
//! examiners' sheets — the mean of two examiners counts, a submitted sheet is locked and
//! corrected only as a new version with a reason. `single` exams (单项技能考核) count into
//! the ongoing assessment, `completion` and `makeup` are the practical half of 结业考核;
//! [`standing`] is what `crate::assessment` reads.

pub mod api;
pub mod files;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use serde::{Deserialize, Serialize};

use crate::points::Points;

pub use ops::outcomes::{ExamOutcome, outcomes};
pub use ops::standing::{
    self, SatExam, SatStation, SkillOutcome, SkillStanding, sat_exams, standing,
};
pub use store::exams::held_in;

crate::text_enum! {
    /// 技能考核类别
    pub enum SkillExamKind {
        Single = "single" / "单项技能考核",
        Completion = "completion" / "结业技能考核",
        Makeup = "makeup" / "结业技能补考",
    }
}

crate::text_enum! {
    /// 评分表状态
    pub enum SheetStatus {
        Draft = "draft" / "未提交",
        Submitted = "submitted" / "已提交",
    }
}

/// The global rating scale's labels when a station names none (1–5; 2 is borderline).
pub const DEFAULT_RATING: [&str; 5] = ["差", "临界", "合格", "良好", "优秀"];

/// The rating read as "borderline" by the borderline-regression method.
pub const BORDERLINE: i32 = 2;

/// One checklist item of a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDef {
    pub code: String,
    pub text: String,
    pub points: Points,
    #[serde(default)]
    pub critical: bool,
    /// When the item applies (e.g. "育龄女性患者"): an item with a condition may be scored
    /// 不适用 (not applicable), which takes its points out of the sheet's maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_if: Option<String>,
}

/// A station's definition, as shipped in question_bank/skills/ or posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationDef {
    pub code: String,
    pub title: String,
    pub area: String,
    pub minutes: i32,
    pub max_points: Points,
    pub pass_points: Points,
    pub items: Vec<ItemDef>,
    pub rating: Vec<String>,
    pub source: String,
}

/// An examiner's mark for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark<'a> {
    pub code: &'a str,
    pub points: Points,
    /// Scored 不适用 (only an item with `applicable_if`); its points are then ignored.
    pub not_applicable: bool,
}

impl<'a> Mark<'a> {
    /// An item given `points`.
    pub fn given(code: &'a str, points: Points) -> Mark<'a> {
        Mark {
            code,
            points,
            not_applicable: false,
        }
    }

    /// An item scored 不适用.
    pub fn not_applicable(code: &'a str) -> Mark<'a> {
        Mark {
            code,
            points: Points::ZERO,
            not_applicable: true,
        }
    }
}

/// `POST /api/v1/skills/stations`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct StationBody {
    pub code: Option<String>,
    pub title: Option<String>,
    pub area: Option<String>,
    pub minutes: Option<i32>,
    pub max_points: Option<f64>,
    pub pass_points: Option<f64>,
    pub items: Option<Vec<ItemBody>>,
    pub rating: Option<Vec<String>>,
    pub source: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ItemBody {
    pub code: Option<String>,
    pub text: Option<String>,
    pub points: Option<f64>,
    pub critical: Option<bool>,
    /// The condition under which the item applies (it may then be scored 不适用).
    pub applicable_if: Option<String>,
}

/// `POST /api/v1/skills/exams`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = skills::ExamBody)]
pub struct ExamBody {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub program_id: Option<i64>,
    pub region_code: Option<String>,
    /// `YYYY-MM-DD`.
    pub held_on: Option<String>,
    /// The first round's start, `HH:MM` Beijing time (default 08:30).
    pub starts_at: Option<String>,
    pub stations: Option<Vec<ExamStationBody>>,
    pub pass_score: Option<f64>,
    /// Doctors sitting the exam, in circuit order (optional: a sheet entered for a doctor
    /// of the program in the region adds it).
    pub candidate_ids: Option<Vec<i64>>,
    /// Two examiners' points differing by more than this are flagged (default 10).
    pub review_threshold: Option<f64>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ExamStationBody {
    pub station_id: Option<i64>,
    pub examiner_ids: Option<Vec<i64>>,
}

/// A checked exam.
#[derive(Debug, Clone)]
pub struct NewExam {
    pub title: String,
    pub kind: SkillExamKind,
    pub program_id: i64,
    pub region_code: String,
    pub held_on: chrono::NaiveDate,
    pub starts_at: chrono::NaiveDateTime,
    pub stations: Vec<(i64, Vec<i64>)>,
    pub pass_score: Points,
    pub candidate_ids: Vec<i64>,
    pub review_threshold: Points,
}

/// `PUT /api/v1/skills/exams/{id}/sheets/{doctor_id}/{station_id}`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct SheetBody {
    pub items: Option<Vec<MarkBody>>,
    pub global_rating: Option<i32>,
    pub notes: Option<String>,
    /// Lock the sheet (default false: a draft the examiner keeps changing).
    pub submit: Option<bool>,
    /// Why a submitted sheet is corrected (makes a new version).
    pub reason: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct MarkBody {
    pub code: Option<String>,
    /// Not needed (or 0) when the item is scored not applicable.
    pub points: Option<f64>,
    /// 不适用: only for an item with `applicable_if` (its points leave the maximum).
    pub not_applicable: Option<bool>,
}
