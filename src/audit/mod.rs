//! The append-only audit log: logins (success and failure), access denials, account
//! changes, and later grade changes, approvals, filings and personal-data reveals.
//!
//! Each row stores `hash = SHA-256(prev_hash ‖ its own fields)`, so editing, deleting or
//! reordering a row breaks the chain from that row on; [`verify_chain`] finds the first
//! break. Triggers refuse UPDATE and DELETE; the chain catches what goes around them.

pub mod api;
pub mod jobs;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::audit_log;
use crate::extract::PageParams;

pub use rules::{GENESIS, denial};
pub use store::{list, record, settle, verify_chain};

/// Who did it, from where. `id`/`username` are empty for anonymous requests (a failed
/// login records the username tried in the detail, not here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub username: Option<String>,
    pub client: Option<String>,
}

impl Actor {
    pub fn anonymous(client: Option<String>) -> Actor {
        Actor {
            client,
            ..Actor::default()
        }
    }

    /// A background job of the server (`deadline-job`).
    pub fn job(name: &str) -> Actor {
        Actor {
            id: None,
            username: Some(name.to_owned()),
            client: Some("job".into()),
        }
    }

    /// The command line (`cunyi user create`, `cunyi demo`).
    pub fn cli() -> Actor {
        Actor {
            id: None,
            username: Some("cli".into()),
            client: Some("cli".into()),
        }
    }
}

/// What happened.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: &'static str,
    pub target: Option<String>,
    pub detail: serde_json::Value,
}

impl Entry {
    pub fn new(action: &'static str) -> Entry {
        Entry {
            action,
            target: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn target(mut self, target: impl Into<String>) -> Entry {
        self.target = Some(target.into());
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Entry {
        self.detail = detail;
        self
    }
}

/// A stored row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
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

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub rows: i64,
    /// The id of the first row whose link or content does not match, if any.
    pub first_break: Option<i64>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Filters for [`list`].
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub action: Option<String>,
    pub actor_id: Option<i64>,
}

/// `GET /api/v1/audit` (and `/audit`) filters, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: PageParams,
    /// 操作代码，如 auth.login
    pub action: Option<String>,
    /// 操作者的用户编号
    pub actor_id: Option<String>,
}
