//! What the audit API answers, typed.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::AuditRow;

/// A row of the log as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntryView {
    pub id: i64,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
    pub client: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<&AuditRow> for AuditEntryView {
    fn from(r: &AuditRow) -> Self {
        AuditEntryView {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor: r.actor.clone(),
            action: r.action.clone(),
            target: r.target.clone(),
            detail: r.detail.clone(),
            client: r.client.clone(),
            prev_hash: r.prev_hash.clone(),
            hash: r.hash.clone(),
        }
    }
}
