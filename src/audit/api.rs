//! `/api/v1/audit`: the log and its chain check, for the system administrator.

use actix_web::{HttpResponse, web};

use super::views::AuditEntryView;
use super::{AuditQuery, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::ListPage;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(entries))
        .route("/audit/verify", web::get().to(verify));
}

/// `GET /api/v1/audit?action=&actor_id=&page=` → newest first.
#[utoipa::path(
    get,
    path = "/audit",
    operation_id = "audit_entries",
    tag = "audit",
    params(crate::extract::PageParams, AuditQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn entries(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let page = ops::entries(&state, &caller, &query).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items.iter().map(AuditEntryView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// `GET /api/v1/audit/verify` → `{rows, first_break}`.
#[utoipa::path(
    get,
    path = "/audit/verify",
    operation_id = "audit_verify",
    tag = "audit",
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn verify(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let report = ops::verify(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(report))
}
