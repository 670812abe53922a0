//! The outbox: queueing (once per dedup key), claiming due rows, recording outcomes,
//! listing for the sysadmin, the depth for `/metrics`.

pub mod facts;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::rules::Rendered;
use super::{Mail, OutboxRow, OutboxStatus};
use crate::db::schema::outbox;
use crate::db::{self, AnyConnection};

#[derive(Insertable)]
#[diesel(table_name = outbox)]
struct NewRow<'a> {
    dedup_key: &'a str,
    template: super::Template,
    user_id: Option<i64>,
    recipient: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    status: OutboxStatus,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Queue a rendered mail unless one with its dedup key exists; true when queued. Runs
/// in the caller's transaction (`ON CONFLICT DO NOTHING`, so a duplicate does not abort
/// it on PostgreSQL).
pub fn insert(
    conn: &mut AnyConnection,
    mail: &Mail,
    rendered: &Rendered,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = NewRow {
        dedup_key: &mail.dedup_key,
        template: mail.template,
        user_id: mail.user_id,
        recipient: &mail.recipient,
        subject: &rendered.subject,
        body_text: &rendered.text,
        body_html: &rendered.html,
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
    };
    let n = db::write(conn, |conn| {
        crate::per_backend!(conn, |c| diesel::insert_into(outbox::table)
            .values(&row)
            .on_conflict(outbox::dedup_key)
            .do_nothing()
            .execute(c))
    })?;
    Ok(n > 0)
}

/// Which of these dedup keys are already queued (for the planner's dry run).
pub fn existing_keys(conn: &mut AnyConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(500) {
        found.extend(
            outbox::table
                .filter(outbox::dedup_key.eq_any(chunk))
                .select(outbox::dedup_key)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}

/// Claim up to `limit` due rows for the sender `claim`: pending ones whose attempt time
/// has come, and `sending` ones whose lease has run out (their sender died). They become
/// `sending` with a lease of `lease`, their attempt counted. On PostgreSQL the rows are
/// picked `FOR UPDATE SKIP LOCKED`, so concurrent senders (threads or `serve` processes)
/// claim disjoint rows; on SQLite the claim runs in the single writer's `BEGIN IMMEDIATE`.
pub fn claim(
    conn: &mut AnyConnection,
    claim: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    db::write(conn, |conn| {
        let due = outbox::status
            .eq(OutboxStatus::Pending)
            .and(outbox::next_attempt_at.le(now))
            .or(outbox::status
                .eq(OutboxStatus::Sending)
                .and(outbox::lease_until.assume_not_null().lt(now)));
        let pick = outbox::table
            .filter(due)
            .order((outbox::next_attempt_at, outbox::id))
            .limit(limit)
            .select(outbox::id);
        let ids: Vec<i64> = match conn {
            AnyConnection::Postgresql(c) => pick.for_update().skip_locked().load(c)?,
            AnyConnection::Sqlite(c) => pick.load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(OutboxStatus::Sending),
                outbox::lease_until.eq(now + lease),
                outbox::claim.eq(claim),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id)
            .select(OutboxRow::as_select())
            .load(conn)
    })
}

/// The outcome of one attempt, recorded only while the claim is still the sender's own
/// (a sender whose lease ran out and was overtaken records nothing); true when recorded.
pub fn finish(
    conn: &mut AnyConnection,
    id: i64,
    claim: &str,
    outcome: Outcome,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let mine = outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::claim.eq(claim))
        .filter(outbox::status.eq(OutboxStatus::Sending));
    let n = db::write(conn, |conn| match outcome {
        Outcome::Sent => diesel::update(mine)
            .set((
                outbox::status.eq(OutboxStatus::Sent),
                outbox::sent_at.eq(now),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn),
        Outcome::Retry { at, ref error } => diesel::update(mine)
            .set((
                outbox::status.eq(OutboxStatus::Pending),
                outbox::next_attempt_at.eq(at),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn),
        Outcome::Failed { ref error } => diesel::update(mine)
            .set((
                outbox::status.eq(OutboxStatus::Failed),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn),
    })?;
    Ok(n > 0)
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Retry { at: NaiveDateTime, error: String },
    Failed { error: String },
}

/// A page of the outbox, newest first, optionally of one status.
pub fn list(
    conn: &mut AnyConnection,
    status: Option<OutboxStatus>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<OutboxRow>, i64)> {
    let mut count = outbox::table.count().into_boxed();
    let mut rows = outbox::table.select(OutboxRow::as_select()).into_boxed();
    if let Some(s) = status {
        count = count.filter(outbox::status.eq(s));
        rows = rows.filter(outbox::status.eq(s));
    }
    let total = count.get_result(conn)?;
    let items = rows
        .order(outbox::id.desc())
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((items, total))
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// Put a failed mail back in the queue now, with a fresh count of attempts; true when
/// it was failed (a mail in any other state is left alone).
pub fn requeue(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n = db::write(conn, |conn| {
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(OutboxStatus::Failed)),
        )
        .set((
            outbox::status.eq(OutboxStatus::Pending),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::claim.eq(None::<String>),
        ))
        .execute(conn)
    })?;
    Ok(n > 0)
}

/// How many mails wait and how many failed (`/metrics`, the page's header).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Depth {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// The outbox by status.
pub fn depth(conn: &mut AnyConnection) -> QueryResult<Depth> {
    let rows: Vec<(OutboxStatus, i64)> = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut d = Depth::default();
    for (status, n) in rows {
        match status {
            OutboxStatus::Pending => d.pending = n,
            OutboxStatus::Sending => d.sending = n,
            OutboxStatus::Sent => d.sent = n,
            OutboxStatus::Failed => d.failed = n,
        }
    }
    Ok(d)
}
