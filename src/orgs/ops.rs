//! The organizations' use cases.

use super::{ListQuery, NewOrg, OrgBody, OrgKind, Organization, rules, store};
use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::regions;
use crate::state::AppState;
use crate::time;

/// The organizations in the caller's region (staff), filtered by kind and name.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<Organization>> {
    caller.require(rules::STAFF)?;
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let kind = match query.kind.as_deref().filter(|k| !k.trim().is_empty()) {
        None => None,
        Some(k) => p.take(
            "kind",
            OrgKind::parse(k).ok_or_else(|| "未知的机构类型".to_owned()),
        ),
    };
    p.finish()?;
    let scope = caller.scope();
    let q = query.q.clone();
    let (items, total) = state
        .db(move |conn| {
            store::list(
                conn,
                &scope,
                kind,
                q.as_deref(),
                paging.offset(),
                paging.per_page,
            )
        })
        .await?;
    Ok(ListPage::new(items, total, paging))
}

/// An organization in the caller's region (staff); 404 otherwise.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<Organization> {
    caller.require(rules::STAFF)?;
    let scope = caller.scope();
    state
        .db(move |conn| store::get(conn, id))
        .await?
        .filter(|(_, path)| scope.contains_path(path))
        .map(|(org, _)| org)
        .ok_or(AppError::NotFound)
}

/// Register an organization (admins, in their region, on its kind's level).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(state: &AppState, caller: &Caller, body: &OrgBody) -> AppResult<Organization> {
    caller.require(Role::ADMINS)?;
    let new: NewOrg = rules::check(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let region = regions::find(conn, &new.region_code)?
                .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
            if !caller.scope().contains_path(&region.path) {
                return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
            }
            rules::check_level(new.kind, region.level())
                .map_err(|m| AppError::field("region_code", m))?;
            store::insert(conn, &new, &caller.actor(), time::now())
        })
        .await
}
