//! What the skills API answers (and the pages show).

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::store::stations::StationRow;
use super::{ItemDef, SheetStatus, SkillExamKind};
use crate::points::Points;

/// A station.
#[derive(Debug, Clone, Serialize)]
pub struct StationView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub area: String,
    pub area_label: String,
    pub minutes: i32,
    pub max_points: Points,
    pub pass_points: Points,
    pub items: Vec<ItemDef>,
    pub rating: Vec<String>,
    pub source: String,
    pub shipped: bool,
    pub active: bool,
}

impl StationView {
    pub fn of(row: &StationRow) -> StationView {
        StationView {
            id: row.id,
            code: row.code.clone(),
            title: row.title.clone(),
            area: row.area.clone(),
            area_label: crate::areas::label(&row.area).to_owned(),
            minutes: row.minutes,
            max_points: row.max_points,
            pass_points: row.pass_points,
            items: row.items(),
            rating: row.rating(),
            source: row.source.clone(),
            shipped: row.shipped,
            active: row.active,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

/// A station of an exam.
#[derive(Debug, Clone, Serialize)]
pub struct ExamStationView {
    pub station_id: i64,
    pub code: String,
    pub title: String,
    pub minutes: i32,
    pub max_points: Points,
    pub pass_points: Points,
    pub examiner_ids: Vec<i64>,
    pub examiners: Vec<PersonRef>,
}

/// Where a candidate is when (the circuit).
#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub station_id: i64,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub starts_at: NaiveDateTime,
    /// `HH:MM` Beijing time.
    pub starts_at_cst: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    pub doctor_id: i64,
    pub name: String,
    pub position: i32,
    pub schedule: Vec<VisitView>,
}

/// An exam.
#[derive(Debug, Clone, Serialize)]
pub struct ExamView {
    pub id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub kind_label: &'static str,
    pub program_id: i64,
    pub region_code: String,
    pub region_name: String,
    pub held_on: NaiveDate,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub starts_at: NaiveDateTime,
    pub pass_score: Points,
    pub max_score: Points,
    pub review_threshold: Points,
    pub stations: Vec<ExamStationView>,
    pub candidates: Vec<CandidateView>,
}

/// A line of the exam list.
#[derive(Debug, Clone, Serialize)]
pub struct ExamRowView {
    pub id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub kind_label: &'static str,
    pub program_id: i64,
    pub region_code: String,
    pub region_name: String,
    pub held_on: NaiveDate,
    pub pass_score: Points,
}

/// One item's mark, as answered and as stored in the sheet's `items` column.
#[derive(Debug, Clone, Serialize)]
pub struct MarkView {
    pub code: String,
    pub points: Points,
    /// Scored 不适用 (its points left the maximum).
    pub not_applicable: bool,
}

/// One examiner's sheet (its latest version).
#[derive(Debug, Clone, Serialize)]
pub struct SheetView {
    pub id: i64,
    pub exam_id: i64,
    pub doctor_id: i64,
    pub station_id: i64,
    pub examiner_id: i64,
    pub version: i32,
    pub status: SheetStatus,
    pub items: Vec<MarkView>,
    pub global_rating: Option<i32>,
    pub notes: String,
    /// On the station's full scale (scaled up when items were scored 不适用).
    pub points: Points,
    pub max_points: Points,
    /// The points given, before scaling.
    pub raw_points: Points,
    /// The maximum without the items scored 不适用.
    pub applicable_max: Points,
    /// The items scored 不适用.
    pub not_applicable: Vec<String>,
    /// A critical item was given no points: the station is failed.
    pub critical_missed: bool,
    /// Which critical items.
    pub missed_critical: Vec<String>,
    pub passed: bool,
    pub reason: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub updated_at: NaiveDateTime,
}

/// A candidate's result at one station.
#[derive(Debug, Clone, Serialize)]
pub struct StationResult {
    pub station_id: i64,
    pub code: String,
    /// The mean of the examiners' sheets; `null` before any sheet.
    pub points: Option<Points>,
    pub passed: bool,
    pub critical_missed: bool,
    /// Sheets counted (one per examiner).
    pub sheets: usize,
    /// Every counted sheet is submitted.
    pub submitted: bool,
    /// Two examiners differ beyond the exam's threshold: to be reviewed.
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateResult {
    pub doctor_id: i64,
    pub name: String,
    pub stations: Vec<StationResult>,
    pub total: Points,
    pub passed: bool,
    /// Every station has a submitted sheet.
    pub complete: bool,
}

/// `GET /api/v1/skills/exams/{id}/results`.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsView {
    pub exam_id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub pass_score: Points,
    pub max_score: Points,
    pub items: Vec<CandidateResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemFacility {
    pub code: String,
    pub text: String,
    pub critical: bool,
    pub max_points: Points,
    pub facility: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExaminerStringency {
    pub examiner_id: i64,
    pub name: String,
    pub sheets: usize,
    pub mean: f64,
    pub difference: f64,
    pub se: f64,
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StationStatistics {
    pub station_id: i64,
    pub code: String,
    pub title: String,
    /// Candidates with a result at the station.
    pub n: usize,
    pub passed: usize,
    pub pass_rate: Option<f64>,
    pub mean: Option<f64>,
    pub fixed_pass_mark: Points,
    pub borderline_regression_mark: Option<Points>,
    pub items: Vec<ItemFacility>,
    pub examiners: Vec<ExaminerStringency>,
}

/// `GET /api/v1/skills/exams/{id}/statistics` (over submitted sheets).
#[derive(Debug, Clone, Serialize)]
pub struct StatisticsView {
    pub exam_id: i64,
    pub candidates: usize,
    pub passed: usize,
    pub stations: Vec<StationStatistics>,
}
