//! `POST /api/v1/doctors/{id}/status`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::roster::{StatusBody, ops};
use crate::state::AppState;

/// `POST /api/v1/doctors/{id}/status` `{status, effective_on?, note?}` → the doctor.
#[utoipa::path(
    post,
    path = "/doctors/{id}/status",
    operation_id = "roster_status_set_status",
    tag = "roster",
    params(("id" = i64, Path)),
    request_body = StatusBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn set_status(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<StatusBody>,
) -> AppResult<HttpResponse> {
    let record = ops::change_status(&state, &caller, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}
