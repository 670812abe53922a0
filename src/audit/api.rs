//! `/api/v1/audit`: the log and its chain check, for the system administrator.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{ListFilter, list, verify_chain};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(entries))
        .route("/audit/verify", web::get().to(verify));
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(flatten)]
    pub paging: PageParams,
    pub action: Option<String>,
    pub actor_id: Option<String>,
}

pub fn parse_query(query: &AuditQuery) -> AppResult<(ListFilter, Paging)> {
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

/// `GET /api/v1/audit?action=&actor_id=&page=` → newest first.
async fn entries(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Sysadmin])?;
    let (filter, paging) = parse_query(&query)?;
    let (rows, total) = state
        .db(move |conn| list(conn, &filter, paging.offset(), paging.per_page))
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::new(rows, total, paging)))
}

/// `GET /api/v1/audit/verify` → `{rows, first_break}`.
async fn verify(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(&[Role::Sysadmin])?;
    let report = state.db(verify_chain).await?;
    Ok(HttpResponse::Ok().json(report))
}
