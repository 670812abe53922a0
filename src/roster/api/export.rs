//! `GET /api/v1/doctors/export.xlsx`.

use actix_web::{HttpResponse, web};

use super::xlsx;
use crate::access::Caller;
use crate::error::AppResult;
use crate::roster::{ExportQuery, ops};
use crate::state::AppState;
use crate::time;

/// `GET /api/v1/doctors/export.xlsx?…filters…&full_id=false` → the filtered roster.
#[utoipa::path(
    get,
    path = "/doctors/export.xlsx",
    operation_id = "roster_export",
    tag = "roster",
    params(crate::extract::PageParams, crate::roster::ListQuery, ExportQuery),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let bytes = ops::export(&state, &caller, &query).await?;
    Ok(xlsx(
        bytes,
        &format!("学员花名册-{}.xlsx", time::today_cst()),
    ))
}
