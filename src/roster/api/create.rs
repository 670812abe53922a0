//! `POST /api/v1/doctors`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::roster::{DoctorBody, ops};
use crate::state::AppState;

/// `POST /api/v1/doctors` → 201 doctor (admins, in their subtree).
#[utoipa::path(
    post,
    path = "/doctors",
    operation_id = "roster_create",
    tag = "roster",
    request_body = DoctorBody,
    responses((status = 201, description = "成功", body = crate::roster::views::DoctorView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<DoctorBody>,
) -> AppResult<HttpResponse> {
    let record = ops::create(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(record.view()))
}
