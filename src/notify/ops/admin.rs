//! The system administrator's outbox: a page of mails by status, the depth, and
//! putting a failed mail back in the queue.

use crate::access::{Caller, Role};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::notify::store::{self, Depth};
use crate::notify::{OutboxQuery, OutboxRow, OutboxStatus};
use crate::state::AppState;
use crate::time;

fn check_query(query: &OutboxQuery) -> AppResult<(Option<OutboxStatus>, Paging)> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => p.take(
            "status",
            OutboxStatus::parse(raw)
                .ok_or_else(|| "状态应为 pending、sending、sent 或 failed".to_owned()),
        ),
    };
    p.finish()?;
    Ok((status, paging))
}

/// A page of the outbox, newest first, with the depth by status (sysadmin).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn outbox(
    state: &AppState,
    caller: &Caller,
    query: &OutboxQuery,
) -> AppResult<(ListPage<OutboxRow>, Option<OutboxStatus>, Depth)> {
    caller.require(&[Role::Sysadmin])?;
    let (status, paging) = check_query(query)?;
    let (rows, total, depth) = state
        .db(move |conn| {
            let (rows, total) = store::list(conn, status, paging.offset(), paging.per_page)?;
            Ok::<_, AppError>((rows, total, store::depth(conn)?))
        })
        .await?;
    Ok((ListPage::new(rows, total, paging), status, depth))
}

/// Queue a failed mail again now, with a fresh count of attempts (sysadmin; audited).
/// A mail that is not failed is a 409.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn retry(state: &AppState, caller: &Caller, id: i64) -> AppResult<OutboxRow> {
    caller.require(&[Role::Sysadmin])?;
    let actor = caller.actor();
    state
        .db(move |conn| {
            crate::db::write(conn, |conn| {
                let row = store::get(conn, id)?.ok_or(AppError::NotFound)?;
                let now = time::now();
                if !store::requeue(conn, id, now)? {
                    return Err(AppError::Conflict(format!(
                        "该邮件当前状态为“{}”，只有发送失败的邮件可以重发",
                        row.status.label()
                    )));
                }
                audit::record(
                    conn,
                    &actor,
                    &Entry::new("notify.retried")
                        .target(format!("outbox:{id}"))
                        .detail(serde_json::json!({ "attempts": row.attempts })),
                    now,
                )?;
                store::get(conn, id)?.ok_or(AppError::NotFound)
            })
        })
        .await
}
