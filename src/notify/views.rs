//! What the outbox API answers, typed.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{OutboxRow, OutboxStatus, Template};

/// One mail of the outbox (`GET /api/v1/outbox`): never its body, which may carry
/// personal data; the subject says what it is.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxItemView {
    pub id: i64,
    pub template: Template,
    pub template_label: &'static str,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub status_label: &'static str,
    pub attempts: i32,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub sent_at: Option<NaiveDateTime>,
}

impl From<&OutboxRow> for OutboxItemView {
    fn from(r: &OutboxRow) -> Self {
        OutboxItemView {
            id: r.id,
            template: r.template,
            template_label: r.template.label(),
            user_id: r.user_id,
            recipient: r.recipient.clone(),
            subject: r.subject.clone(),
            status: r.status,
            status_label: r.status.label(),
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error.clone(),
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}
