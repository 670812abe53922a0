//! `POST /api/v1/doctors/{id}/status`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::roster::{StatusBody, ops};
use crate::state::AppState;

/// `POST /api/v1/doctors/{id}/status` `{status, effective_on?, note?}` → the doctor.
pub async fn set_status(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<StatusBody>,
) -> AppResult<HttpResponse> {
    let record = ops::change_status(&state, &caller, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}
