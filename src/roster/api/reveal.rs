//! `GET /api/v1/doctors/{id}/id-number`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::roster::ops;
use crate::roster::views::IdNumberView;
use crate::state::AppState;

/// `GET /api/v1/doctors/{id}/id-number` → `{id_number}` in full (county and city admins,
/// audited; never cached).
#[utoipa::path(
    get,
    path = "/doctors/{id}/id-number",
    operation_id = "roster_reveal",
    tag = "roster",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn reveal(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id_number = ops::reveal_id(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(IdNumberView { id_number }))
}
