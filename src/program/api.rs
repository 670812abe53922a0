//! `/api/v1/programs`: list, read, create (preset or full definition), edit, quotas.

use actix_web::{HttpResponse, web};

use super::views::{PresetList, ProgramList, QuotaList};
use super::{ProgramBody, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/programs", web::get().to(list))
        .route("/programs", web::post().to(create))
        .route("/programs/presets", web::get().to(presets))
        .route("/programs/{id}", web::get().to(get))
        .route("/programs/{id}", web::put().to(update))
        .route("/programs/{id}/quotas", web::get().to(quotas));
}

/// `GET /api/v1/programs` → `{items:[program], total}`, those visible from the caller's
/// region.
#[utoipa::path(
    get,
    path = "/programs",
    operation_id = "program_list",
    tag = "program",
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let items: Vec<_> = ops::list(&state, &caller)
        .await?
        .iter()
        .map(|p| p.view())
        .collect();
    let total = items.len();
    Ok(HttpResponse::Ok().json(ProgramList { items, total }))
}

/// `GET /api/v1/programs/presets` → the presets shipped.
#[utoipa::path(
    get,
    path = "/programs/presets",
    operation_id = "program_presets",
    tag = "program",
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn presets(_caller: Caller) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(PresetList {
        items: ops::presets(),
    }))
}

/// `GET /api/v1/programs/{id}`.
#[utoipa::path(
    get,
    path = "/programs/{id}",
    operation_id = "program_get",
    tag = "program",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let program = ops::get(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(program.view()))
}

/// `POST /api/v1/programs` `{preset}` or a full definition → 201 program.
#[utoipa::path(
    post,
    path = "/programs",
    operation_id = "program_create",
    tag = "program",
    request_body = ProgramBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<ProgramBody>,
) -> AppResult<HttpResponse> {
    let program = ops::create(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(program.view()))
}

/// `PUT /api/v1/programs/{id}` full definition (+ optional `version`) → the program.
#[utoipa::path(
    put,
    path = "/programs/{id}",
    operation_id = "program_update",
    tag = "program",
    params(("id" = i64, Path)),
    request_body = ProgramBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<ProgramBody>,
) -> AppResult<HttpResponse> {
    let program = ops::update(&state, &caller, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(program.view()))
}

/// `GET /api/v1/programs/{id}/quotas` → `{items:[{region_code,region_name,year,places,
/// enrolled,left,remaining}]}`, the rows of the caller's districts.
#[utoipa::path(
    get,
    path = "/programs/{id}/quotas",
    operation_id = "program_quotas",
    tag = "program",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn quotas(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let items = ops::quota_rows(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(QuotaList { items }))
}
