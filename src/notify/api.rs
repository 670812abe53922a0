//! `/api/v1/outbox`: the mails queued, sent and failed, for the system administrator;
//! a failed mail can be queued again.

use actix_web::{HttpResponse, web};

use super::views::OutboxItemView;
use super::{OutboxQuery, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::ListPage;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/outbox", web::get().to(list))
        .route("/outbox/{id}/retry", web::post().to(retry));
}

/// `GET /api/v1/outbox?status=&page=&per_page=` → newest first.
#[utoipa::path(
    get,
    path = "/outbox",
    operation_id = "notify_list",
    tag = "notify",
    params(crate::extract::PageParams, OutboxQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OutboxQuery>,
) -> AppResult<HttpResponse> {
    let (page, _, _) = ops::admin::outbox(&state, &caller, &query).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items.iter().map(OutboxItemView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// `POST /api/v1/outbox/{id}/retry` → the mail, pending again; not failed → 409.
#[utoipa::path(
    post,
    path = "/outbox/{id}/retry",
    operation_id = "notify_retry",
    tag = "notify",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn retry(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let row = ops::admin::retry(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OutboxItemView::from(&row)))
}
