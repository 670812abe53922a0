//! `/api/v1/instructors`.

use actix_web::{HttpResponse, web};

use super::views::InstructorView;
use super::{InstructorBody, ListQuery, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::{Body, ListPage};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/instructors", web::post().to(create))
        .route("/instructors", web::get().to(list))
        .route("/instructors/{id}", web::get().to(get));
}

/// `POST /api/v1/instructors` → 201 instructor (admins, in their region). With
/// `username` and `password`, an instructor account is opened and linked.
#[utoipa::path(
    post,
    path = "/instructors",
    operation_id = "instructors_create",
    tag = "instructors",
    request_body = InstructorBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<InstructorBody>,
) -> AppResult<HttpResponse> {
    let created = ops::create(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(InstructorView::from(&created)))
}

/// `GET /api/v1/instructors?region=` → admins: their region's (within `region`); an
/// instructor: itself.
#[utoipa::path(
    get,
    path = "/instructors",
    operation_id = "instructors_list",
    tag = "instructors",
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
        items: page.items.iter().map(InstructorView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// `GET /api/v1/instructors/{id}`; outside the caller's region → 404.
#[utoipa::path(
    get,
    path = "/instructors/{id}",
    operation_id = "instructors_get",
    tag = "instructors",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let instructor = ops::get(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(InstructorView::from(&instructor)))
}
