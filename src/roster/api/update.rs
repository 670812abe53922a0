//! `PUT /api/v1/doctors/{id}`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::roster::{DoctorBody, ops};
use crate::state::AppState;

/// `PUT /api/v1/doctors/{id}` (the creation body) → the doctor.
#[utoipa::path(
    put,
    path = "/doctors/{id}",
    operation_id = "roster_update",
    tag = "roster",
    params(("id" = i64, Path)),
    request_body = DoctorBody,
    responses((status = 200, description = "成功", body = crate::roster::views::DoctorView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<DoctorBody>,
) -> AppResult<HttpResponse> {
    let record = ops::update(&state, &caller, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}
