//! The append-only audit log: logins (success and failure), access denials, account
//! changes, and later grade changes, approvals, filings and personal-data reveals.
//!
//! Each row stores `hash = SHA-256(prev_hash ‖ its own fields)`, so editing, deleting or
//! reordering a row breaks the chain from that row on; [`verify_chain`] finds the first
//! break. Triggers refuse UPDATE and DELETE; the chain catches what goes around them.

pub mod api;
pub mod pages;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::audit_log;
use crate::db::{self, AnyConnection};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
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

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewRow<'a> {
    at: NaiveDateTime,
    actor_id: Option<i64>,
    actor: Option<&'a str>,
    action: &'a str,
    target: Option<&'a str>,
    detail: &'a str,
    client: Option<&'a str>,
    prev_hash: &'a str,
    hash: &'a str,
}

/// The chained hash of one row's content. Fields are length-prefixed so no two
/// different rows serialise alike.
#[allow(clippy::too_many_arguments)]
fn row_hash(
    prev_hash: &str,
    at: NaiveDateTime,
    actor_id: Option<i64>,
    actor: Option<&str>,
    action: &str,
    target: Option<&str>,
    detail: &str,
    client: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let actor_id = actor_id.map(|i| i.to_string());
    for field in [
        Some(prev_hash),
        Some(at.as_str()),
        actor_id.as_deref(),
        actor,
        Some(action),
        target,
        Some(detail),
        client,
    ] {
        match field {
            Some(s) => {
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    hex::encode(h.finalize())
}

/// Append one row. Takes the table's write lock (PostgreSQL) or runs inside the
/// IMMEDIATE transaction (SQLite), so concurrent appenders chain one after another.
/// Call it inside the transaction that makes the change it records.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    entry: &Entry,
    now: NaiveDateTime,
) -> QueryResult<()> {
    db::write(conn, |conn| {
        if let AnyConnection::Postgresql(pg) = conn {
            diesel::sql_query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE").execute(pg)?;
        }
        let prev_hash: String = audit_log::table
            .order(audit_log::id.desc())
            .select(audit_log::hash)
            .first(conn)
            .optional()?
            .unwrap_or_else(|| GENESIS.to_owned());
        let detail = entry.detail.to_string();
        let hash = row_hash(
            &prev_hash,
            now,
            actor.id,
            actor.username.as_deref(),
            entry.action,
            entry.target.as_deref(),
            &detail,
            actor.client.as_deref(),
        );
        diesel::insert_into(audit_log::table)
            .values(NewRow {
                at: now,
                actor_id: actor.id,
                actor: actor.username.as_deref(),
                action: entry.action,
                target: entry.target.as_deref(),
                detail: &detail,
                client: actor.client.as_deref(),
                prev_hash: &prev_hash,
                hash: &hash,
            })
            .execute(conn)?;
        Ok(())
    })
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

/// Recompute every row's hash in id order, in batches so memory stays flat.
pub fn verify_chain(conn: &mut AnyConnection) -> QueryResult<ChainReport> {
    let mut expected_prev = GENESIS.to_owned();
    let mut after = 0i64;
    let mut rows = 0i64;
    loop {
        let batch: Vec<AuditRow> = audit_log::table
            .filter(audit_log::id.gt(after))
            .order(audit_log::id)
            .limit(5_000)
            .select(AuditRow::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(ChainReport {
                rows,
                first_break: None,
            });
        };
        after = last.id;
        for row in &batch {
            rows += 1;
            let recomputed = row_hash(
                &row.prev_hash,
                row.at,
                row.actor_id,
                row.actor.as_deref(),
                &row.action,
                row.target.as_deref(),
                &row.detail,
                row.client.as_deref(),
            );
            if row.prev_hash != expected_prev || row.hash != recomputed {
                return Ok(ChainReport {
                    rows,
                    first_break: Some(row.id),
                });
            }
            expected_prev = recomputed;
        }
    }
}

/// Filters for [`list`].
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub action: Option<String>,
    pub actor_id: Option<i64>,
}

/// Newest first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let query = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(action) = &filter.action {
            q = q.filter(audit_log::action.eq(action.clone()));
        }
        if let Some(actor_id) = filter.actor_id {
            q = q.filter(audit_log::actor_id.eq(actor_id));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 123_456)
            .unwrap()
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = row_hash(
            GENESIS,
            at(),
            Some(1),
            Some("a"),
            "x",
            Some("t"),
            "{}",
            Some("c"),
        );
        let variants = [
            row_hash(
                "1",
                at(),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at() + chrono::Duration::microseconds(1),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(2),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                None,
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "y",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "x",
                None,
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{ }",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                None,
            ),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let a = row_hash(GENESIS, at(), None, Some("ab"), "c", None, "{}", None);
        let b = row_hash(GENESIS, at(), None, Some("a"), "bc", None, "{}", None);
        assert_ne!(a, b);
    }
}
