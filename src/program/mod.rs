//! Training programs (培训项目): a city's rules for its village doctors over some years —
//! required hours per kind of study, the length of a 学时, the make-up window, pass marks,
//! assessment weights, the yearly deadlines — and its per-district quota table
//! (名额分配表). The rules are data, so one binary serves Zaozhuang, Weifang and the next
//! city; `presets/` holds the two cities' plans as readable files.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::study::StudyKind;
pub use rules::{preset, share_met};
pub use store::{covering, get, insert, list_visible, policy, region_of};
pub use views::ProgramView;

/// Several kinds that must add up to a minimum together (Weifang: 带教学习、跟班学习和
/// 技能操作至少60学时).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombinedRequirement {
    pub kinds: Vec<StudyKind>,
    pub minutes: i32,
}

/// How the annual comprehensive score is composed, in percent (sums to 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub ongoing_online: i32,
    pub ongoing_offline: i32,
    pub annual_exam: i32,
}

/// A fraction, e.g. "at least 1/3 of the district's doctors".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub numerator: i32,
    pub denominator: i32,
}

/// What each doctor must achieve, and how they are judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// 个人自学（线上）, minutes.
    pub online_minutes: i32,
    /// 集中培训, minutes.
    pub centralized_minutes: i32,
    /// 脱产跟班学习, minutes.
    pub shadowing_minutes: i32,
    /// Minutes of several kinds together, where the plan says so.
    #[serde(default)]
    pub combined: Option<CombinedRequirement>,
    /// Minutes in one 学时 (class hour).
    pub class_hour_minutes: i32,
    /// 补修、补考 within this many months.
    pub makeup_window_months: i32,
    /// Pass marks, percent of full marks.
    pub theory_pass_score: i32,
    pub skills_pass_score: i32,
    pub annual_pass_score: i32,
    pub weights: Weights,
    /// Each district's centralized learners per year, as a share of its doctors.
    pub centralized_share: Share,
}

/// A date in the year, `MM-DD` (29 February is refused: it does not come every year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl Serialize for MonthDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}-{:02}", self.month, self.day))
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        rules::parse_month_day(&raw).map_err(serde::de::Error::custom)
    }
}

/// A date tied to a year (the annual plan's due date differs by year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearDate {
    pub year: i32,
    pub date: chrono::NaiveDate,
}

/// The county bureaus' deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    /// 年度培训计划 due, per year.
    pub plan_due: Vec<YearDate>,
    /// The year's training finished by.
    pub training_done: MonthDay,
    /// 季度培训工作总结.
    pub quarterly_summaries: Vec<MonthDay>,
    /// 年度培训工作总结.
    pub annual_summary: MonthDay,
    /// 年度综合考核成绩 reported to the city.
    pub annual_scores: MonthDay,
}

/// The stored policy (the `policy` column, JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub requirements: Requirements,
    pub deadlines: Deadlines,
}

/// One quota: places for a district in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Queryable, Insertable)]
#[diesel(table_name = crate::db::schema::program_quotas)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    #[serde(skip)]
    pub program_id: i64,
    pub region_code: String,
    pub year: i32,
    pub places: i32,
}

/// A program as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::programs)]
pub struct ProgramRow {
    pub id: i64,
    pub name: String,
    pub preset: Option<String>,
    pub region_code: String,
    pub start_year: i32,
    pub end_year: i32,
    pub policy: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A module of the online course catalog (the 158 hours' split).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogCourse {
    pub code: String,
    pub title: String,
    /// One of the nine content-area codes.
    pub area: String,
    pub minutes: i32,
}

/// A checked program definition, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramDef {
    pub name: String,
    pub preset: Option<String>,
    pub region_code: String,
    pub start_year: i32,
    pub end_year: i32,
    pub policy: Policy,
    pub quotas: Vec<Quota>,
    pub catalog: Vec<CatalogCourse>,
}

/// A program with its quotas, loaded.
#[derive(Debug, Clone)]
pub struct Program {
    pub row: ProgramRow,
    pub policy: Policy,
    pub quotas: Vec<Quota>,
    pub catalog: Vec<CatalogCourse>,
}

impl Program {
    /// The cohort years the program covers.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.row.start_year..=self.row.end_year
    }
}

/// `POST /api/v1/programs` and `PUT /api/v1/programs/{id}`, as sent: a preset, or a full
/// definition. Parts are kept as JSON so errors can name the exact field.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProgramBody {
    pub preset: Option<String>,
    pub name: Option<String>,
    pub region_code: Option<String>,
    pub start_year: Option<serde_json::Value>,
    pub end_year: Option<serde_json::Value>,
    pub requirements: Option<serde_json::Value>,
    pub deadlines: Option<serde_json::Value>,
    pub quotas: Option<serde_json::Value>,
    /// The online course catalog `[{code,title,area,minutes}]` (optional).
    pub catalog: Option<serde_json::Value>,
    /// For edits: the version the editor saw (a stale one is a 409).
    pub version: Option<i32>,
}

/// A quota row with what fills it: places vs enrolled doctors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaUse {
    pub region_code: String,
    pub region_name: String,
    pub year: i32,
    pub places: i32,
    /// Doctors of this program, district and cohort year still in post.
    pub enrolled: i64,
    /// Of those enrolled at some point, how many have left the post or died.
    pub left: i64,
    /// places − enrolled (negative when over quota).
    pub remaining: i64,
}
