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
async fn attach_to_session(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    attach(&state, &user, Owner::Session(path.into_inner()), multipart).await
}

/// `POST /api/v1/reports/{id}/attachments` → 201 the document.
async fn attach_to_report(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    attach(&state, &user, Owner::Report(path.into_inner()), multipart).await
}

/// `GET /api/v1/sessions/{id}/attachments`.
async fn list_session(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let owner = Owner::Session(path.into_inner());
    Ok(HttpResponse::Ok().json(ops::list(&state, &user, owner).await?))
}

/// `GET /api/v1/reports/{id}/attachments`.
async fn list_report(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let owner = Owner::Report(path.into_inner());
    Ok(HttpResponse::Ok().json(ops::list(&state, &user, owner).await?))
}

/// `GET /api/v1/attachments/{id}` → the file, as an attachment.
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
async fn delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    ops::delete(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
