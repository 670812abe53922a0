//! `GET /api/v1/doctors/{id}`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::roster::ops;
use crate::state::AppState;

/// `GET /api/v1/doctors/{id}` → the doctor, ID number masked.
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let record = ops::get(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}
