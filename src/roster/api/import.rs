//! `POST /api/v1/doctors/import`.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::read_form;
use crate::roster::{ImportQuery, ops};
use crate::state::AppState;

/// `POST /api/v1/doctors/import?dry_run=&county=&program_id=`, multipart `file` →
/// `{created,updated,unchanged,errors:[{row,field,column,message}]}`; any error → 422
/// with the report, nothing written.
#[utoipa::path(
    post,
    path = "/doctors/import",
    operation_id = "roster_import",
    tag = "roster",
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    params(ImportQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let dry_run = crate::regions::parse_dry_run(query.dry_run.as_deref())?;
    let program_id = match query
        .program_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::field("program_id", "应为整数"))?,
        ),
    };
    let county = ops::import_county(&state, &caller, query.county.as_deref()).await?;
    let upload = read_form(multipart, ops::upload_limits().max_bytes)
        .await?
        .require_file()?;
    let report =
        ops::import_bytes(&state, &caller, county, program_id, dry_run, upload.bytes).await?;
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity().json(report)
    })
}
