//! `POST /api/v1/doctors`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::roster::{DoctorBody, ops};
use crate::state::AppState;

/// `POST /api/v1/doctors` → 201 doctor (admins, in their subtree).
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<DoctorBody>,
) -> AppResult<HttpResponse> {
    let record = ops::create(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(record.view()))
}
