//! `/api/v1/reports`: county filings to the city.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::ops::{self, dashboard, export, life};
use super::{CreateBody, ReviewBody, UpdateBody};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::Body;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports", web::post().to(create))
        .route("/reports", web::get().to(list))
        .route("/reports/dashboard", web::get().to(board))
        .route("/reports/{id}", web::get().to(get))
        .route("/reports/{id}", web::put().to(update))
        .route("/reports/{id}/refresh", web::post().to(refresh))
        .route("/reports/{id}/submit", web::post().to(submit))
        .route("/reports/{id}/review", web::post().to(review))
        .route("/reports/{id}/figures/{key}", web::get().to(figure));
}

/// `POST /api/v1/reports` → 201 the draft with its statistics.
#[utoipa::path(
    post,
    path = "/reports",
    operation_id = "reports_create",
    tag = "reports",
    request_body = CreateBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<CreateBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(ops::create(&state, &user, &body).await?))
}

/// `GET /api/v1/reports?county=&year=` (scoped, paged).
#[utoipa::path(
    get,
    path = "/reports",
    operation_id = "reports_list",
    tag = "reports",
    params(crate::extract::PageParams, ops::ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ops::ListQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::list(&state, &user, &query).await?))
}

/// `GET /api/v1/reports/dashboard?year=`.
#[utoipa::path(
    get,
    path = "/reports/dashboard",
    operation_id = "reports_board",
    tag = "reports",
    params(dashboard::DashboardQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn board(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<dashboard::DashboardQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(dashboard::dashboard(&state, &user, &query).await?))
}

/// `GET /api/v1/reports/{id}`, `{id}.xlsx` and `{id}.pdf`.
#[utoipa::path(
    get,
    path = "/reports/{id}",
    operation_id = "reports_get",
    tag = "reports",
    params(("id" = String, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let raw = path.into_inner();
    if let Some(id) = raw.strip_suffix(".pdf") {
        let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
        let (name, bytes) = export::pdf(&state, &user, id).await?;
        return Ok(crate::documents::pdf_response(&name, bytes));
    }
    if let Some(id) = raw.strip_suffix(".xlsx") {
        let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
        let (name, bytes) = export::xlsx(&state, &user, id).await?;
        return Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ))
            .body(bytes));
    }
    let id = raw.parse::<i64>().map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(ops::get(&state, &user, id).await?))
}

/// `PUT /api/v1/reports/{id}` `{narrative, plan?}` → the filing.
#[utoipa::path(
    put,
    path = "/reports/{id}",
    operation_id = "reports_update",
    tag = "reports",
    params(("id" = i64, Path)),
    request_body = UpdateBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<UpdateBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(life::update(&state, &user, path.into_inner(), body).await?))
}

/// `POST /api/v1/reports/{id}/refresh` → the filing with fresh statistics.
#[utoipa::path(
    post,
    path = "/reports/{id}/refresh",
    operation_id = "reports_refresh",
    tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn refresh(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(life::refresh(&state, &user, path.into_inner()).await?))
}

/// `POST /api/v1/reports/{id}/submit` → `{status,submitted_at,late}`.
#[utoipa::path(
    post,
    path = "/reports/{id}/submit",
    operation_id = "reports_submit",
    tag = "reports",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn submit(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(life::submit(&state, &user, path.into_inner()).await?))
}

/// `POST /api/v1/reports/{id}/review` `{decision, comment}` → the filing.
#[utoipa::path(
    post,
    path = "/reports/{id}/review",
    operation_id = "reports_review",
    tag = "reports",
    params(("id" = i64, Path)),
    request_body = ReviewBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn review(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<ReviewBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(life::review(&state, &user, path.into_inner(), body).await?))
}

/// `GET /api/v1/reports/{id}/figures/{key}` → the rows behind a figure.
#[utoipa::path(
    get,
    path = "/reports/{id}/figures/{key}",
    operation_id = "reports_figure",
    tag = "reports",
    params(("id" = i64, Path), ("key" = String, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn figure(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, key) = path.into_inner();
    Ok(HttpResponse::Ok().json(ops::figure_rows(&state, &user, id, key).await?))
}
