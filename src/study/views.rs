//! The ledger's response bodies, typed: the same JSON the API has always answered.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::rules::Progress;
use super::{RecordStatus, Source, StudyKind, StudyRecord};
use crate::program::Share;

/// A record as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub starts_at: Option<NaiveDateTime>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub ends_at: Option<NaiveDateTime>,
    pub course_id: Option<i64>,
    pub session_id: Option<i64>,
    pub rotation_id: Option<i64>,
    pub source: Source,
    pub status: RecordStatus,
    pub note: Option<String>,
    /// Points with one decimal (a JSON float, as it always was).
    pub unit_score: Option<f64>,
    pub review_note: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub reviewed_at: Option<NaiveDateTime>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

impl RecordView {
    pub fn of(r: &StudyRecord) -> RecordView {
        RecordView {
            id: r.id,
            doctor_id: r.doctor_id,
            program_id: r.program_id,
            kind: r.kind,
            minutes: r.minutes,
            occurred_on: r.occurred_on,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            course_id: r.course_id,
            session_id: r.session_id,
            rotation_id: r.rotation_id,
            source: r.source,
            status: r.status,
            note: r.evidence.clone(),
            unit_score: r.unit_score.map(|s| s.as_f64()),
            review_note: r.review_note.clone(),
            reviewed_at: r.reviewed_at,
            created_at: r.created_at,
        }
    }
}

/// A record awaiting review, with its doctor's name.
#[derive(Debug, Clone, Serialize)]
pub struct PendingView {
    #[serde(flatten)]
    pub record: RecordView,
    pub doctor_name: String,
}

/// `{items}`.
#[derive(Debug, Clone, Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// `GET /api/v1/doctors/{id}/progress`: the progress, and whose.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressView {
    #[serde(flatten)]
    pub progress: Progress,
    pub doctor_id: i64,
    pub program_id: i64,
}

/// One doctor's line of the progress table.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressRow {
    pub doctor_id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub township_code: Option<String>,
    pub cohort_year: i32,
    pub online_minutes: i64,
    pub online_required: i32,
    pub centralized_minutes: i64,
    pub centralized_required: i32,
    pub shadowing_minutes: i64,
    pub shadowing_required: i32,
    pub pending_minutes: i64,
    pub hours_met: bool,
    pub behind_schedule: bool,
    /// Credited share of all required hours, 0–1.
    pub share: f64,
}

/// A district's line of the centralized-share table.
#[derive(Debug, Clone, Serialize)]
pub struct ShareRow {
    pub region_code: String,
    pub region_name: String,
    pub doctors: i64,
    pub learners: i64,
    pub required: i64,
    pub met: bool,
}

/// `GET /api/v1/programs/{id}/centralized-share`.
#[derive(Debug, Clone, Serialize)]
pub struct ShareView {
    pub year: i32,
    pub share: Share,
    pub items: Vec<ShareRow>,
}

/// The progress table as `.xlsx`.
pub fn table_xlsx<'a>(
    rows: impl Iterator<Item = &'a ProgressRow>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::sheet::{Column, XlsxBook};
    let columns = [
        Column::new("姓名", 10.0),
        Column::new("所在地", 22.0),
        Column::new("培训年度", 8.0),
        Column::new("线上（小时）", 10.0).number(),
        Column::new("集中培训（小时）", 12.0).number(),
        Column::new("脱产跟班（小时）", 12.0).number(),
        Column::new("待审核（小时）", 12.0).number(),
        Column::new("完成度", 8.0),
        Column::new("学时达标", 8.0),
        Column::new("进度落后", 8.0),
    ];
    let h = |m: i64| format!("{:.1}", m as f64 / 60.0);
    let values: Vec<Vec<String>> = rows
        .map(|r| {
            vec![
                r.name.clone(),
                r.region_name.clone(),
                r.cohort_year.to_string(),
                h(r.online_minutes),
                h(r.centralized_minutes),
                h(r.shadowing_minutes),
                h(r.pending_minutes),
                format!("{:.0}%", r.share * 100.0),
                if r.hours_met { "是" } else { "否" }.to_owned(),
                if r.behind_schedule { "是" } else { "" }.to_owned(),
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("学习进度", &columns, &values)?;
    book.into_bytes()
}
