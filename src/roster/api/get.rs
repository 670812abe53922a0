//! `GET /api/v1/doctors/{id}`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::roster::ops;
use crate::state::AppState;

/// `GET /api/v1/doctors/{id}` → the doctor, ID number masked.
#[utoipa::path(
    get,
    path = "/doctors/{id}",
    operation_id = "roster_get",
    tag = "roster",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::roster::views::DoctorView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let record = ops::get(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}
