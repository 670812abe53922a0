//! `/api/v1/support/...`: visits, compliance, absences, the dispatched staff.

use actix_web::{HttpResponse, web};

use super::{AbsenceBody, SupportQuery, VisitBody, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/support/visits", web::post().to(record_visit))
        .route("/support/compliance", web::get().to(compliance))
        .route("/support/absences", web::post().to(record_absence))
        .route("/support/dispatched", web::get().to(dispatched));
}

/// `POST /api/v1/support/visits` `{team_id,clinic_id,starts_on,ends_on,hours?,modes,
/// doctor_ids}` → 201.
#[utoipa::path(
    post,
    path = "/support/visits",
    operation_id = "support_record_visit",
    tag = "support",
    request_body = VisitBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn record_visit(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<VisitBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(ops::record_visit(&state, &caller, &body).await?))
}

/// `GET /api/v1/support/compliance?month=YYYY-MM&region=CODE` →
/// `{month,items:[{team_id,clinic_id,visits,full_day_visits,compliant}]}`.
#[utoipa::path(
    get,
    path = "/support/compliance",
    operation_id = "support_compliance",
    tag = "support",
    params(SupportQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn compliance(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SupportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    Ok(HttpResponse::Ok().json(ops::compliance(&state, &caller, q.month, q.region).await?))
}

/// `POST /api/v1/support/absences` `{instructor_id,occurred_on,justified,reason?}` → 201.
#[utoipa::path(
    post,
    path = "/support/absences",
    operation_id = "support_record_absence",
    tag = "support",
    request_body = AbsenceBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn record_absence(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<AbsenceBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(ops::record_absence(&state, &caller, &body).await?))
}

/// `GET /api/v1/support/dispatched?region=&year=&program_id=` → the dispatched staff's
/// year and the counts against the program's targets.
#[utoipa::path(
    get,
    path = "/support/dispatched",
    operation_id = "support_dispatched",
    tag = "support",
    params(SupportQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn dispatched(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SupportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    Ok(HttpResponse::Ok()
        .json(ops::dispatched(&state, &caller, q.region, q.year, q.program_id).await?))
}
