//! The audit log's table: appending a chained row, walking the chain, listing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::{GENESIS, row_hash};
use super::{Actor, AuditRow, ChainReport, Entry, ListFilter};
use crate::db::schema::{audit_log, audit_pending};
use crate::db::{self, AnyConnection};

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

/// Append one row; call it inside the transaction that makes the change it records, so
/// the entry stands or falls with the change.
///
/// - SQLite: runs inside the IMMEDIATE transaction (one writer at a time), so appenders
///   chain one after another; the hash is computed here.
/// - PostgreSQL: the entry goes to `audit_pending`, with no lock; [`settle`] chains it
///   into `audit_log` later, in a batch (every server runs it a few times a second, and
///   every read of the log runs it first). One global lock taken by every audited write
///   was the province exam's bottleneck (migration `2026-12-05-000100`).
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    entry: &Entry,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let detail = entry.detail.to_string();
    if let AnyConnection::Postgresql(_) = conn {
        return diesel::insert_into(audit_pending::table)
            .values((
                audit_pending::at.eq(now),
                audit_pending::actor_id.eq(actor.id),
                audit_pending::actor.eq(actor.username.as_deref()),
                audit_pending::action.eq(entry.action),
                audit_pending::target.eq(entry.target.as_deref()),
                audit_pending::detail.eq(&detail),
                audit_pending::client.eq(actor.client.as_deref()),
            ))
            .execute(conn)
            .map(|_| ());
    }
    db::write(conn, |conn| {
        let prev_hash: String = audit_log::table
            .order(audit_log::id.desc())
            .select(audit_log::hash)
            .first(conn)
            .optional()?
            .unwrap_or_else(|| GENESIS.to_owned());
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

/// Pending entries chained per transaction at most.
pub const SETTLE_BATCH: i32 = 1_000;

/// Chain every pending entry into `audit_log` (PostgreSQL; SQLite has none), oldest
/// first, in transactions of up to [`SETTLE_BATCH`] under the log's lock (the SQL
/// function `audit_settle`). Returns how many. Call it outside any transaction.
pub fn settle(conn: &mut AnyConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Settled {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        n: i32,
    }
    let AnyConnection::Postgresql(_) = conn else {
        return Ok(0);
    };
    let mut total = 0i64;
    loop {
        let settled: Settled = diesel::sql_query("SELECT audit_settle($1) AS n")
            .bind::<diesel::sql_types::Integer, _>(SETTLE_BATCH)
            .get_result(conn)?;
        total += i64::from(settled.n);
        if settled.n < SETTLE_BATCH {
            return Ok(total);
        }
    }
}

/// Recompute every row's hash in id order, in batches so memory stays flat (pending
/// entries are chained first).
pub fn verify_chain(conn: &mut AnyConnection) -> QueryResult<ChainReport> {
    settle(conn)?;
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

/// Newest first (pending entries are chained first).
pub fn list(
    conn: &mut AnyConnection,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    settle(conn)?;
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
