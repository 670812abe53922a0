//! `POST /api/v1/doctors/{id}/account`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::Body;
use crate::roster::{AccountBody, ops};
use crate::state::AppState;

/// `POST /api/v1/doctors/{id}/account` `{username,password}` → 201 user (role doctor,
/// linked to the doctor; its region named when it is the caller's).
#[utoipa::path(
    post,
    path = "/doctors/{id}/account",
    operation_id = "roster_account_create_account",
    tag = "roster",
    params(("id" = i64, Path)),
    request_body = AccountBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn create_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<AccountBody>,
) -> AppResult<HttpResponse> {
    let account = ops::open_account(&state, &caller, path.into_inner(), &body).await?;
    let region = (account.region_code == caller.region.code).then_some(&caller.region);
    Ok(HttpResponse::Created().json(account.view(region)))
}
