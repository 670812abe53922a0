//! What the reports API answers and the pages show.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::rules::plan::{Plan, PlanCheck};
use super::rules::stats::{FigureRow, Statistics};
use super::{Report, ReportAction, ReportEvent, ReportKind, ReportStatus};

/// A filing in a list (API.md: `{id,kind,county_code,year,quarter,status,due_on,
/// submitted_at,late}`).
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub kind: ReportKind,
    pub kind_label: &'static str,
    pub county_code: String,
    pub county_name: String,
    pub year: i32,
    pub quarter: Option<i32>,
    pub status: ReportStatus,
    pub status_label: &'static str,
    pub due_on: NaiveDate,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub submitted_at: Option<NaiveDateTime>,
    pub late: Option<bool>,
}

impl ReportRow {
    pub fn of(r: &Report, county_name: &str) -> ReportRow {
        ReportRow {
            id: r.id,
            kind: r.kind,
            kind_label: r.kind.label(),
            county_code: r.county_code.clone(),
            county_name: county_name.to_owned(),
            year: r.year,
            quarter: r.quarter,
            status: r.status,
            status_label: r.status.label(),
            due_on: r.due_on,
            submitted_at: r.submitted_at,
            late: r.late,
        }
    }

    /// `2025 年第 1 季度季度培训工作总结` — how pages and files name a filing.
    pub fn title(&self) -> String {
        title(self.kind, self.year, self.quarter)
    }

    /// `2026-03-30 15:59` (Beijing time), or empty.
    pub fn submitted_cst(&self) -> String {
        self.submitted_at
            .map(crate::time::display_cst)
            .unwrap_or_default()
    }
}

/// A filing's name: year, quarter, kind.
pub fn title(kind: ReportKind, year: i32, quarter: Option<i32>) -> String {
    match quarter {
        Some(q) => format!("{year} 年第 {q} 季度{}", kind.label()),
        None => format!("{year} 年{}", kind.label()),
    }
}

/// One step of the history.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub action: ReportAction,
    pub action_label: &'static str,
    pub to_status: ReportStatus,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub comment: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub at: NaiveDateTime,
}

impl EventView {
    pub fn of(e: ReportEvent, actor_name: Option<String>) -> EventView {
        EventView {
            action: e.action,
            action_label: e.action.label(),
            to_status: e.to_status,
            actor_id: e.actor_id,
            actor_name,
            comment: e.comment,
            at: e.at,
        }
    }

    pub fn at_cst(&self) -> String {
        crate::time::display_cst(self.at)
    }
}

/// A filing (API.md: `{id,kind,county_code,year,quarter,status,due_on,submitted_at,
/// late,statistics,narrative,review_comment}`), with its plan and history.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    #[serde(flatten)]
    pub row: ReportRow,
    pub program_id: i64,
    /// The snapshot once submitted; the latest computation while a draft.
    pub statistics: Statistics,
    /// Whether `statistics` is the frozen snapshot.
    pub frozen: bool,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub statistics_at: NaiveDateTime,
    pub narrative: String,
    pub plan: Option<Plan>,
    pub plan_check: Option<PlanCheck>,
    pub review_comment: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub reviewed_at: Option<NaiveDateTime>,
    pub events: Vec<EventView>,
    /// Archive documents attached (sign-in sheets, notices, expense details).
    pub attachments: Vec<crate::archive::DocumentView>,
}

/// `POST /api/v1/reports/{id}/submit` → `{status:"submitted",submitted_at,late}`.
#[derive(Debug, Clone, Serialize)]
pub struct SubmitView {
    pub id: i64,
    pub status: ReportStatus,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub submitted_at: NaiveDateTime,
    pub late: bool,
}

/// `GET /api/v1/reports/{id}/figures/{key}`: the rows behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRowsView {
    pub report_id: i64,
    pub key: String,
    pub label: String,
    pub unit: String,
    pub items: Vec<FigureRow>,
}
