//! Reminders by email (issue 12 item 5): an outbox written in the same transaction as
//! the event that causes a mail, a sender that claims due rows (`FOR UPDATE SKIP LOCKED`
//! on PostgreSQL, the single writer on SQLite), sends them through SMTP (`lettre`) and
//! retries with backoff, and a daily planner that queues the reminders that fall due:
//! county admins 7 days and 1 day before each filing deadline and when a filing is
//! returned; doctors before an exam opens and before their make-up deadline. Every
//! reminder has a dedup key, so the same one is never queued twice.

pub mod api;
pub mod emails;
pub mod jobs;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

pub use ops::plan::{PlanReport, Planned, plan};
pub use ops::send::{SendReport, send_due};
pub use ops::{ReturnedFiling, enqueue, filing_returned};
pub use store::{Depth, depth};

crate::text_enum! {
    /// Where a mail stands.
    pub enum OutboxStatus {
        /// Waiting for its next attempt.
        Pending = "pending" / "待发送",
        /// Claimed by a sender (until its lease ends).
        Sending = "sending" / "发送中",
        Sent = "sent" / "已发送",
        /// Given up: a permanent refusal, or too many attempts.
        Failed = "failed" / "发送失败",
    }
}

crate::text_enum! {
    /// The mails there are, each a folder of `templates/emails/`.
    pub enum Template {
        /// 报送截止提醒 (county admins, 7 days and 1 day before)
        FilingDue = "filing_due" / "报送截止提醒",
        /// 报送被退回 (county admins)
        FilingReturned = "filing_returned" / "报送退回通知",
        /// 考试提醒 (doctors)
        ExamSoon = "exam_soon" / "考试提醒",
        /// 补修补考截止提醒 (doctors)
        MakeupDeadline = "makeup_deadline" / "补考截止提醒",
    }
}

/// The values a template is filled with (`{{name}}` → value).
pub type Params = BTreeMap<&'static str, String>;

/// A mail to queue: who, what, and the key that makes it once-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub dedup_key: String,
    pub template: Template,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub params: Params,
}

/// A row of the outbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub dedup_key: String,
    pub template: Template,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub claim: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// `GET /api/v1/outbox` (and `/outbox`) filters, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: crate::extract::PageParams,
    /// 发送状态：pending（待发送）、sending（发送中）、sent（已发送）、failed（发送失败）
    pub status: Option<String>,
}
