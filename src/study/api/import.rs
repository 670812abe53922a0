//! `POST /api/v1/study-records/import?platform=&county=&dry_run=` (multipart `file`) →
//! `{created, duplicates, errors:[{row,field,column,message}], dry_run, rows}`; any
//! error → 422, nothing written.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::read_form;
use crate::state::AppState;
use crate::study::ops::import::{self, ImportQuery};

#[utoipa::path(
    post,
    path = "/study-records/import",
    operation_id = "study_import",
    tag = "study",
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    params(ImportQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn import(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let target = import::target(&state, &user, &query).await?;
    let file = read_form(multipart, import::upload_limits().max_bytes)
        .await?
        .require_file()?;
    let report = import::run(&state, &user, target, file.bytes).await?;
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity().json(report)
    })
}
