//! Reading the audit log (the system administrator): its rows and its chain check.

use super::{AuditQuery, AuditRow, ChainReport, ListFilter, store};
use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::state::AppState;

fn check_query(query: &AuditQuery) -> AppResult<(ListFilter, Paging)> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let actor_id = match query
        .actor_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => p.take(
            "actor_id",
            raw.parse::<i64>().map_err(|_| "应为整数".to_owned()),
        ),
    };
    p.finish()?;
    let action = query.action.clone().filter(|a| !a.trim().is_empty());
    Ok((ListFilter { action, actor_id }, paging))
}

/// A page of the log, newest first (sysadmin).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn entries(
    state: &AppState,
    caller: &Caller,
    query: &AuditQuery,
) -> AppResult<ListPage<AuditRow>> {
    caller.require(&[Role::Sysadmin])?;
    let (filter, paging) = check_query(query)?;
    let (rows, total) = state
        .db(move |conn| store::list(conn, &filter, paging.offset(), paging.per_page))
        .await?;
    Ok(ListPage::new(rows, total, paging))
}

/// The chain check (sysadmin).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn verify(state: &AppState, caller: &Caller) -> AppResult<ChainReport> {
    caller.require(&[Role::Sysadmin])?;
    state.db(store::verify_chain).await
}

/// A page of the log with the chain check on top, in one hop (sysadmin).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn page(
    state: &AppState,
    caller: &Caller,
    query: &AuditQuery,
) -> AppResult<(ListPage<AuditRow>, ListFilter, ChainReport)> {
    caller.require(&[Role::Sysadmin])?;
    let (filter, paging) = check_query(query)?;
    let shown = filter.clone();
    let (rows, total, chain) = state
        .db(move |conn| {
            let (rows, total) = store::list(conn, &filter, paging.offset(), paging.per_page)?;
            Ok::<_, AppError>((rows, total, store::verify_chain(conn)?))
        })
        .await?;
    Ok((ListPage::new(rows, total, paging), shown, chain))
}
