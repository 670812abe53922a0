//! `/api/v1/question-bank/…`: the summary, imports (GIFT, Aiken, Moodle XML, `.xlsx`)
//! into named collections, exports (GIFT, `.xlsx`) and the import template.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::formats::MAX_BYTES;
use super::views::{Download, RefusalProblem};
use super::{ExportQuery, ImportFailure, ImportQuery, Refusal, ops};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::read_form;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/question-bank/summary", web::get().to(summary))
        .route("/question-bank/import", web::post().to(import))
        .route("/question-bank/export", web::get().to(export_file))
        .route("/question-bank/template.xlsx", web::get().to(template));
}

/// `GET /api/v1/question-bank/summary` → `{total, by_area, by_type, by_collection,
/// by_difficulty}` over active questions.
#[utoipa::path(
    get,
    path = "/question-bank/summary",
    operation_id = "bank_summary",
    tag = "bank",
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn summary(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::summary(&state, &user).await?))
}

/// A refused file: 422 problem+json with one `errors` entry (field `file`) per fault.
fn refusal_response(r: &Refusal) -> HttpResponse {
    HttpResponse::UnprocessableEntity()
        .content_type("application/problem+json")
        .json(RefusalProblem::of(r))
}

/// `POST /api/v1/question-bank/import?format=&area=&collection=` multipart `file` → 201
/// `{collection, imported, skipped:[{position, reason}]}`; a malformed file → 422.
#[utoipa::path(
    post,
    path = "/question-bank/import",
    operation_id = "bank_import",
    tag = "bank",
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    params(ImportQuery),
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn import(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let target = ops::check_import(&user, &query)?;
    let file = read_form(multipart, MAX_BYTES).await?.require_file()?;
    match ops::import(&state, &user, target, file.bytes).await {
        Ok(report) => Ok(HttpResponse::Created().json(report)),
        Err(ImportFailure::Refused(r)) => Ok(refusal_response(&r)),
        Err(ImportFailure::App(e)) => Err(e),
    }
}

/// `GET /api/v1/question-bank/export?format=gift|xlsx&collection=&area=` → the active
/// questions as a file (answers included: managers only, audited).
#[utoipa::path(
    get,
    path = "/question-bank/export",
    operation_id = "bank_export_file",
    tag = "bank",
    params(ExportQuery),
    responses((status = 200, description = "文件", content_type = "application/octet-stream", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn export_file(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    Ok(download(ops::export(&state, &user, &query).await?))
}

/// `GET /api/v1/question-bank/template.xlsx` → the empty import template with notes.
#[utoipa::path(
    get,
    path = "/question-bank/template.xlsx",
    operation_id = "bank_template",
    tag = "bank",
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn template(_user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(download(ops::template()?))
}

fn download(file: Download) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file.filename),
        ))
        .body(file.body)
}
