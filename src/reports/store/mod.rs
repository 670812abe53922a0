//! Filings' queries: the rows and their history, the facts statistics are computed
//! from, and the dashboard's counts.

pub mod activity;
pub mod dashboard;
pub mod facts;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Report, ReportAction, ReportEvent, ReportKind, ReportStatus};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{regions, report_events, reports, users};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::regions::{Scope, in_scope};

/// A filing with its county's name and path.
#[derive(Debug, Clone, Queryable)]
pub struct Located {
    pub report: Report,
    pub county_name: String,
    pub county_path: String,
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Located>> {
    reports::table
        .inner_join(regions::table)
        .filter(reports::id.eq(id))
        .select((Report::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

/// A new filing, checked.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub kind: ReportKind,
    pub county_code: String,
    pub program_id: i64,
    pub year: i32,
    pub quarter: Option<i32>,
    pub due_on: chrono::NaiveDate,
    pub statistics: String,
}

#[allow(clippy::too_many_arguments)] // one column each: the event row as written
fn event(
    conn: &mut AnyConnection,
    report_id: i64,
    action: ReportAction,
    from: Option<ReportStatus>,
    to: ReportStatus,
    actor: &Actor,
    comment: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(report_events::table)
        .values((
            report_events::report_id.eq(report_id),
            report_events::action.eq(action),
            report_events::from_status.eq(from),
            report_events::to_status.eq(to),
            report_events::actor_id.eq(actor.id),
            report_events::comment.eq(comment),
            report_events::at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        &Entry::new(match action {
            ReportAction::Created => "report.created",
            ReportAction::Edited => "report.edited",
            ReportAction::Refreshed => "report.refreshed",
            ReportAction::Submitted => "report.submitted",
            ReportAction::Accepted => "report.accepted",
            ReportAction::Returned => "report.returned",
        })
        .target(format!("report:{report_id}"))
        .detail(serde_json::json!({"to": to.as_str(), "comment": comment})),
        now,
    )?;
    Ok(())
}

/// Create a draft (audited); a second filing of the same kind and period is a 409.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewReport,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(reports::table)
            .values((
                reports::kind.eq(new.kind),
                reports::county_code.eq(&new.county_code),
                reports::program_id.eq(new.program_id),
                reports::year.eq(new.year),
                reports::quarter.eq(new.quarter),
                reports::status.eq(ReportStatus::Draft),
                reports::due_on.eq(new.due_on),
                reports::statistics.eq(&new.statistics),
                reports::statistics_at.eq(now),
                reports::narrative.eq(""),
                reports::created_by.eq(actor.id),
                reports::created_at.eq(now),
                reports::updated_at.eq(now),
            ))
            .returning(reports::id)
            .get_result(conn)
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    AppError::Conflict("该区县本期的这项报送已经创建，请在列表中打开它".into())
                } else {
                    AppError::from(e)
                }
            })?;
        event(
            conn,
            id,
            ReportAction::Created,
            None,
            ReportStatus::Draft,
            actor,
            None,
            now,
        )?;
        Ok(id)
    })
}

/// An edit of a draft or returned filing: narrative, plan, fresh statistics. Refused
/// (`Ok(false)`) if the filing left `status` meanwhile.
#[allow(clippy::too_many_arguments)]
pub fn edit(
    conn: &mut AnyConnection,
    id: i64,
    status: ReportStatus,
    narrative: Option<&str>,
    plan: Option<&str>,
    statistics: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    db::write(conn, |conn| {
        let target = reports::table
            .filter(reports::id.eq(id))
            .filter(reports::status.eq(status));
        let n = match (narrative, plan) {
            (Some(n), Some(p)) => diesel::update(target)
                .set((
                    reports::narrative.eq(n),
                    reports::plan.eq(p),
                    reports::statistics.eq(statistics),
                    reports::statistics_at.eq(now),
                    reports::updated_at.eq(now),
                ))
                .execute(conn)?,
            (Some(n), None) => diesel::update(target)
                .set((
                    reports::narrative.eq(n),
                    reports::statistics.eq(statistics),
                    reports::statistics_at.eq(now),
                    reports::updated_at.eq(now),
                ))
                .execute(conn)?,
            (None, Some(p)) => diesel::update(target)
                .set((
                    reports::plan.eq(p),
                    reports::statistics.eq(statistics),
                    reports::statistics_at.eq(now),
                    reports::updated_at.eq(now),
                ))
                .execute(conn)?,
            (None, None) => diesel::update(target)
                .set((
                    reports::statistics.eq(statistics),
                    reports::statistics_at.eq(now),
                    reports::updated_at.eq(now),
                ))
                .execute(conn)?,
        };
        if n == 0 {
            return Ok(false);
        }
        let action = if narrative.is_none() && plan.is_none() {
            ReportAction::Refreshed
        } else {
            ReportAction::Edited
        };
        event(conn, id, action, Some(status), status, actor, None, now)?;
        Ok(true)
    })
}

/// Submit: freeze the statistics as the snapshot, stamp the time and lateness.
#[allow(clippy::too_many_arguments)]
pub fn submit(
    conn: &mut AnyConnection,
    id: i64,
    from: ReportStatus,
    snapshot: &str,
    late: bool,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    db::write(conn, |conn| {
        let n = diesel::update(
            reports::table
                .filter(reports::id.eq(id))
                .filter(reports::status.eq(from)),
        )
        .set((
            reports::status.eq(ReportStatus::Submitted),
            reports::statistics.eq(snapshot),
            reports::statistics_at.eq(now),
            reports::snapshot.eq(snapshot),
            reports::submitted_at.eq(now),
            reports::late.eq(late),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        event(
            conn,
            id,
            ReportAction::Submitted,
            Some(from),
            ReportStatus::Submitted,
            actor,
            None,
            now,
        )?;
        Ok(true)
    })
}

/// The city's decision on a submitted filing.
pub fn review(
    conn: &mut AnyConnection,
    id: i64,
    to: ReportStatus,
    comment: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    db::write(conn, |conn| {
        let n = diesel::update(
            reports::table
                .filter(reports::id.eq(id))
                .filter(reports::status.eq(ReportStatus::Submitted)),
        )
        .set((
            reports::status.eq(to),
            reports::review_comment.eq(comment),
            reports::reviewed_by.eq(actor.id),
            reports::reviewed_at.eq(now),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        let action = if to == ReportStatus::Accepted {
            ReportAction::Accepted
        } else {
            ReportAction::Returned
        };
        event(
            conn,
            id,
            action,
            Some(ReportStatus::Submitted),
            to,
            actor,
            comment,
            now,
        )?;
        Ok(true)
    })
}

/// A filing's history with who did each step, oldest first.
pub fn events(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Vec<(ReportEvent, Option<String>)>> {
    report_events::table
        .left_join(users::table.on(users::id.nullable().eq(report_events::actor_id)))
        .filter(report_events::report_id.eq(id))
        .order(report_events::id)
        .select((ReportEvent::as_select(), users::display_name.nullable()))
        .load(conn)
}

/// Filings whose county lies in `scope` (and `county`'s subtree, and `year`), newest
/// year first, then due date.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    county: Option<&Scope>,
    year: Option<i32>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<(Report, String)>, i64)> {
    let query = || {
        let mut q = reports::table
            .inner_join(regions::table)
            .filter(in_scope(scope))
            .into_boxed();
        if let Some(c) = county {
            q = q.filter(in_scope(c));
        }
        if let Some(y) = year {
            q = q.filter(reports::year.eq(y));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((
            reports::year.desc(),
            reports::due_on,
            reports::county_code,
            reports::id,
        ))
        .offset(offset)
        .limit(limit)
        .select((Report::as_select(), regions::name))
        .load(conn)?;
    Ok((rows, total))
}

/// Every filing of `year` in `scope` (the dashboard).
pub fn of_year(conn: &mut AnyConnection, scope: &Scope, year: i32) -> QueryResult<Vec<Report>> {
    reports::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(reports::year.eq(year))
        .select(Report::as_select())
        .load(conn)
}
