//! `/api/v1/organizations`.

use actix_web::{HttpResponse, web};

use super::views::OrgView;
use super::{ListQuery, OrgBody, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::{Body, ListPage};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::get().to(list))
        .route("/organizations", web::post().to(create))
        .route("/organizations/{id}", web::get().to(get));
}

/// `GET /api/v1/organizations?kind=&q=` → the organizations in the caller's region.
#[utoipa::path(
    get,
    path = "/organizations",
    operation_id = "orgs_list",
    tag = "orgs",
    params(crate::extract::PageParams, ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = ops::list(&state, &caller, &query).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items.iter().map(OrgView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// `GET /api/v1/organizations/{id}`; outside the caller's region → 404.
#[utoipa::path(
    get,
    path = "/organizations/{id}",
    operation_id = "orgs_get",
    tag = "orgs",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let org = ops::get(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OrgView::from(&org)))
}

/// `POST /api/v1/organizations` `{name,kind,region_code,address?}` → 201 (admins, in
/// their region).
#[utoipa::path(
    post,
    path = "/organizations",
    operation_id = "orgs_create",
    tag = "orgs",
    request_body = OrgBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<OrgBody>,
) -> AppResult<HttpResponse> {
    let org = ops::create(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(OrgView::from(&org)))
}
