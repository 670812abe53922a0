//! `/api/v1/placements` and `/api/v1/rotations`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::views::{Items, SignedOff};
use super::{AssessmentBody, LogBody, PlacementBody, RotationBody, ops};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;
use crate::study::RecordView;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/placements", web::post().to(create))
        .route("/placements", web::get().to(list))
        .route("/placements/{id}", web::get().to(get))
        .route("/placements/{id}/rotations", web::post().to(add_rotation))
        .route("/placements/{id}/assessment", web::post().to(assess))
        .route("/rotations/{id}/logs", web::post().to(add_log))
        .route("/rotations/{id}/sign-off", web::post().to(sign_off));
}

/// `POST /api/v1/placements` `{doctor_id, base_org_id, starts_on, ends_on}` → 201.
#[utoipa::path(
    post,
    path = "/placements",
    operation_id = "shadowing_create",
    tag = "shadowing",
    request_body = PlacementBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<PlacementBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(ops::create(&state, &user, &body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 村医编号
    doctor_id: Option<i64>,
}

/// `GET /api/v1/placements?doctor_id=` → `{items}`, a doctor's placements (a doctor:
/// its own).
#[utoipa::path(
    get,
    path = "/placements",
    operation_id = "shadowing_list",
    tag = "shadowing",
    params(ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let items = ops::list(&state, &user, query.doctor_id).await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `GET /api/v1/placements/{id}` → the placement with its rotations.
#[utoipa::path(
    get,
    path = "/placements/{id}",
    operation_id = "shadowing_get",
    tag = "shadowing",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let found = ops::find(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(found.view()))
}

/// `POST /api/v1/placements/{id}/rotations` `{department, starts_on, ends_on,
/// supervisor_id}` → 201 the rotation (admins).
#[utoipa::path(
    post,
    path = "/placements/{id}/rotations",
    operation_id = "shadowing_add_rotation",
    tag = "shadowing",
    params(("id" = i64, Path)),
    request_body = RotationBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn add_rotation(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<RotationBody>,
) -> AppResult<HttpResponse> {
    let rotation = ops::add_rotation(&state, &user, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(rotation))
}

/// `POST /api/v1/rotations/{id}/logs` `{occurred_on, start_time, end_time, content}` →
/// 201 the pending record.
#[utoipa::path(
    post,
    path = "/rotations/{id}/logs",
    operation_id = "shadowing_add_log",
    tag = "shadowing",
    params(("id" = i64, Path)),
    request_body = LogBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn add_log(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<LogBody>,
) -> AppResult<HttpResponse> {
    let r = ops::log_day(&state, &user, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(RecordView::of(&r)))
}

/// `POST /api/v1/rotations/{id}/sign-off` `{assessment_score?, summary?}` →
/// `{days_credited}`.
#[utoipa::path(
    post,
    path = "/rotations/{id}/sign-off",
    operation_id = "shadowing_sign_off",
    tag = "shadowing",
    params(("id" = i64, Path)),
    request_body = AssessmentBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn sign_off(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AssessmentBody>,
) -> AppResult<HttpResponse> {
    let days_credited = ops::sign(&state, &user, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(SignedOff { days_credited }))
}

/// `POST /api/v1/placements/{id}/assessment` `{assessment_score, summary}` → the
/// placement (its end-of-placement assessment).
#[utoipa::path(
    post,
    path = "/placements/{id}/assessment",
    operation_id = "shadowing_assess",
    tag = "shadowing",
    params(("id" = i64, Path)),
    request_body = AssessmentBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn assess(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AssessmentBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::assess(&state, &user, path.into_inner(), &body).await?))
}
