//! `/api/v1/skills`: stations, exams, examiners' sheets, results and statistics.

use actix_web::{HttpResponse, web};

use super::ops::{exams, results, sheets, stations, statistics};
use super::{ExamBody, SheetBody, StationBody};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/skills/stations", web::post().to(create_station))
        .route("/skills/stations", web::get().to(list_stations))
        .route("/skills/exams", web::post().to(create_exam))
        .route("/skills/exams", web::get().to(list_exams))
        .route("/skills/exams/{id}", web::get().to(get_exam))
        .route(
            "/skills/exams/{id}/sheets/{doctor_id}/{station_id}",
            web::put().to(put_sheet),
        )
        .route(
            "/skills/exams/{id}/sheets/{doctor_id}/{station_id}",
            web::get().to(get_sheet),
        )
        .route("/skills/exams/{id}/results", web::get().to(get_results))
        .route(
            "/skills/exams/{id}/statistics",
            web::get().to(get_statistics),
        );
}

/// `POST /api/v1/skills/stations` → 201 station (administrators).
#[utoipa::path(
    post,
    path = "/skills/stations",
    operation_id = "skills_create_station",
    tag = "skills",
    request_body = StationBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create_station(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<StationBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(stations::create(&state, &user, &body).await?))
}

/// `GET /api/v1/skills/stations` → `{items}` the active stations.
#[utoipa::path(
    get,
    path = "/skills/stations",
    operation_id = "skills_list_stations",
    tag = "skills",
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_stations(state: web::Data<AppState>, _user: CurrentUser) -> AppResult<HttpResponse> {
    let items = stations::list(&state).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `POST /api/v1/skills/exams` → 201 exam (administrators of its region).
#[utoipa::path(
    post,
    path = "/skills/exams",
    operation_id = "skills_create_exam",
    tag = "skills",
    request_body = ExamBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create_exam(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ExamBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(exams::create(&state, &user, &body).await?))
}

/// `GET /api/v1/skills/exams` (scoped).
#[utoipa::path(
    get,
    path = "/skills/exams",
    operation_id = "skills_list_exams",
    tag = "skills",
    params(crate::extract::PageParams, exams::ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_exams(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<exams::ListQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(exams::list(&state, &user, &query).await?))
}

/// `GET /api/v1/skills/exams/{id}` → the exam with its circuit.
#[utoipa::path(
    get,
    path = "/skills/exams/{id}",
    operation_id = "skills_get_exam",
    tag = "skills",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get_exam(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (view, _) = exams::detail(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

fn sheet_path(path: (i64, i64, i64)) -> sheets::SheetPath {
    sheets::SheetPath {
        exam_id: path.0,
        doctor_id: path.1,
        station_id: path.2,
    }
}

/// `PUT /api/v1/skills/exams/{id}/sheets/{doctor_id}/{station_id}` → the sheet.
#[utoipa::path(
    put,
    path = "/skills/exams/{id}/sheets/{doctor_id}/{station_id}",
    operation_id = "skills_put_sheet",
    tag = "skills",
    params(("id" = i64, Path), ("doctor_id" = i64, Path), ("station_id" = i64, Path)),
    request_body = SheetBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn put_sheet(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, i64)>,
    Body(body): Body<SheetBody>,
) -> AppResult<HttpResponse> {
    let view = sheets::put(&state, &user, sheet_path(path.into_inner()), &body).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET` the same path → the caller's latest version; 404 before any.
#[utoipa::path(
    get,
    path = "/skills/exams/{id}/sheets/{doctor_id}/{station_id}",
    operation_id = "skills_get_sheet",
    tag = "skills",
    params(("id" = i64, Path), ("doctor_id" = i64, Path), ("station_id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get_sheet(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, i64)>,
) -> AppResult<HttpResponse> {
    let (view, _) = sheets::mine(&state, &user, sheet_path(path.into_inner())).await?;
    let view = view.ok_or(crate::error::AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/skills/exams/{id}/results` (scoped).
#[utoipa::path(
    get,
    path = "/skills/exams/{id}/results",
    operation_id = "skills_get_results",
    tag = "skills",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get_results(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(results::results(&state, &user, path.into_inner()).await?))
}

/// `GET /api/v1/skills/exams/{id}/statistics` (administrators and examiners).
#[utoipa::path(
    get,
    path = "/skills/exams/{id}/statistics",
    operation_id = "skills_get_statistics",
    tag = "skills",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get_statistics(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(statistics::statistics(&state, &user, path.into_inner()).await?))
}
