//! County filings to the city (报送): the annual training plan (年度培训计划), the
//! quarterly and annual summaries (季度/年度培训工作总结) and the annual scores
//! (年度综合考核成绩), per county and year — Zaozhuang annex 2 §六, Weifang §五. A draft
//! carries statistics computed from the data; submitting freezes them as a snapshot and
//! marks the filing late if after its due date (Beijing time); the city accepts it or
//! returns it with a comment, and a returned filing is edited and submitted again.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

pub use rules::plan::{Budget, Plan, PlannedSession};
pub use rules::stats::{Figure, Statistics};
pub use views::{ReportRow, ReportView};

crate::text_enum! {
    /// What a county files.
    pub enum ReportKind {
        /// 年度培训计划
        AnnualPlan = "annual_plan" / "年度培训计划",
        /// 季度培训工作总结
        QuarterlySummary = "quarterly_summary" / "季度培训工作总结",
        /// 年度培训工作总结
        AnnualSummary = "annual_summary" / "年度培训工作总结",
        /// 年度综合考核成绩
        AnnualScores = "annual_scores" / "年度综合考核成绩",
    }
}

crate::text_enum! {
    /// Where a filing stands.
    pub enum ReportStatus {
        Draft = "draft" / "草稿",
        Submitted = "submitted" / "已报送",
        Accepted = "accepted" / "已通过",
        Returned = "returned" / "已退回",
    }
}

crate::text_enum! {
    /// A step of a filing's life, as recorded in `report_events`.
    pub enum ReportAction {
        Created = "created" / "创建",
        Edited = "edited" / "修改",
        Refreshed = "refreshed" / "刷新统计",
        Submitted = "submitted" / "报送",
        Accepted = "accepted" / "通过",
        Returned = "returned" / "退回",
    }
}

/// A filing as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::reports)]
pub struct Report {
    pub id: i64,
    pub kind: ReportKind,
    pub county_code: String,
    pub program_id: i64,
    pub year: i32,
    pub quarter: Option<i32>,
    pub status: ReportStatus,
    pub due_on: NaiveDate,
    pub submitted_at: Option<NaiveDateTime>,
    pub late: Option<bool>,
    pub statistics: String,
    pub statistics_at: NaiveDateTime,
    pub snapshot: Option<String>,
    pub narrative: String,
    pub plan: Option<String>,
    pub review_comment: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One step of a filing's history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::report_events)]
pub struct ReportEvent {
    pub id: i64,
    pub report_id: i64,
    pub action: ReportAction,
    pub from_status: Option<ReportStatus>,
    pub to_status: ReportStatus,
    pub actor_id: Option<i64>,
    pub comment: Option<String>,
    pub at: NaiveDateTime,
}

/// `POST /api/v1/reports`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct CreateBody {
    pub kind: Option<String>,
    pub county_code: Option<String>,
    pub year: Option<i32>,
    pub quarter: Option<i32>,
}

/// `PUT /api/v1/reports/{id}`, as sent: the narrative, and for an annual plan its body.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct UpdateBody {
    pub narrative: Option<String>,
    pub plan: Option<serde_json::Value>,
}

/// `POST /api/v1/reports/{id}/review`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReviewBody {
    pub decision: Option<String>,
    pub comment: Option<String>,
}
