//! Archive documents over the API: `POST`/`GET /api/v1/sessions/{id}/attachments` and
//! `/api/v1/reports/{id}/attachments` (multipart `kind` and `file`), `GET` and `DELETE
//! /api/v1/attachments/{id}`.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::rules::MAX_BYTES;
use super::{Owner, ops};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::read_form;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/sessions/{id}/attachments",
        web::post().to(attach_to_session),
    )
    .route("/sessions/{id}/attachments", web::get().to(list_session))
    .route(
        "/reports/{id}/attachments",
        web::post().to(attach_to_report),
    )
    .route("/reports/{id}/attachments", web::get().to(list_report))
    .route("/attachments/{id}", web::get().to(download))
    .route("/attachments/{id}", web::delete().to(delete));
}

async fn attach(
    state: &AppState,
    user: &CurrentUser,
    owner: Owner,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let form = read_form(multipart, MAX_BYTES).await?;
    let kind = form.fields.get("kind").cloned();
    let (filename, bytes) = match form.file {
        Some(f) => (f.filename, f.bytes),
        None => (None, Vec::new()),
    };
    let doc = ops::attach(state, user, owner, kind, filename, bytes).await?;
    Ok(HttpResponse::Created().json(doc))
}

/// `POST /api/v1/sessions/{id}/attachments` → 201 the document.
#[utoipa::path(
    post,
    path = "/sessions/{id}/attachments",
    operation_id = "archive_attach_to_session",
    tag = "archive",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn attach_to_session(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    attach(&state, &user, Owner::Session(path.into_inner()), multipart).await
}

/// `POST /api/v1/reports/{id}/attachments` → 201 the document.
#[utoipa::path(
    post,
    path = "/reports/{id}/attachments",
    operation_id = "archive_attach_to_report",
    tag = "archive",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn attach_to_report(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    attach(&state, &user, Owner::Report(path.into_inner()), multipart).await
}

/// `GET /api/v1/sessions/{id}/attachments`.
#[utoipa::path(
    get,
    path = "/sessions/{id}/attachments",
    operation_id = "archive_list_session",
    tag = "archive",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_session(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let owner = Owner::Session(path.into_inner());
    Ok(HttpResponse::Ok().json(ops::list(&state, &user, owner).await?))
}

/// `GET /api/v1/reports/{id}/attachments`.
#[utoipa::path(
    get,
    path = "/reports/{id}/attachments",
    operation_id = "archive_list_report",
    tag = "archive",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_report(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let owner = Owner::Report(path.into_inner());
    Ok(HttpResponse::Ok().json(ops::list(&state, &user, owner).await?))
}

/// `GET /api/v1/attachments/{id}` → the file, as an attachment.
#[utoipa::path(
    get,
    path = "/attachments/{id}",
    operation_id = "archive_download",
    tag = "archive",
    params(("id" = i64, Path)),
    responses((status = 200, description = "文件", content_type = "application/octet-stream", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn download(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (name, content_type, bytes) = ops::download(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            header::ContentDisposition {
                disposition: header::DispositionType::Attachment,
                parameters: vec![header::DispositionParam::FilenameExt(
                    header::ExtendedValue {
                        charset: header::Charset::Ext("UTF-8".into()),
                        language_tag: None,
                        value: name.into_bytes(),
                    },
                )],
            },
        ))
        .body(bytes))
}

/// `DELETE /api/v1/attachments/{id}` → 204.
#[utoipa::path(
    delete,
    path = "/attachments/{id}",
    operation_id = "archive_delete",
    tag = "archive",
    params(("id" = i64, Path)),
    responses((status = 204, description = "成功，无内容"), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    ops::delete(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
