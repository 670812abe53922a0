//! `/api/v1/doctors/{id}/dossier` (JSON), `/dossier.xlsx` and `/dossier.pdf`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::ops::{self, export};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/doctors/{id}/dossier", web::get().to(dossier))
        .route("/doctors/{id}/dossier.xlsx", web::get().to(xlsx))
        .route("/doctors/{id}/dossier.pdf", web::get().to(pdf))
        .route("/dossier-exports", web::post().to(start_export))
        .route("/dossier-exports", web::get().to(list_exports))
        .route("/dossier-exports/{id}", web::get().to(export))
        .route(
            "/dossier-exports/{id}/download",
            web::get().to(download_export),
        );
}

/// `POST /api/v1/dossier-exports` → 202 the export, running (a county administrator's
/// whole county).
#[utoipa::path(
    post,
    path = "/dossier-exports",
    operation_id = "dossier_start_export",
    tag = "dossier",
    responses((status = 202, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn start_export(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Accepted().json(export::start(&state, &user).await?))
}

/// `GET /api/v1/dossier-exports` → the newest exports of the caller's counties.
#[utoipa::path(
    get,
    path = "/dossier-exports",
    operation_id = "dossier_list_exports",
    tag = "dossier",
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_exports(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(export::list(&state, &user).await?))
}

/// `GET /api/v1/dossier-exports/{id}` → its progress (`done` of `total`).
#[utoipa::path(
    get,
    path = "/dossier-exports/{id}",
    operation_id = "dossier_export",
    tag = "dossier",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(export::get(&state, &user, path.into_inner()).await?))
}

/// `GET /api/v1/dossier-exports/{id}/download` → the zip, streamed (409 until done).
#[utoipa::path(
    get,
    path = "/dossier-exports/{id}/download",
    operation_id = "dossier_download_export",
    tag = "dossier",
    params(("id" = i64, Path)),
    responses((status = 200, description = "文件", content_type = "application/octet-stream", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn download_export(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (name, len, chunks) = export::download(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
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
        .body(actix_web::body::SizedStream::new(len, chunks)))
}

/// `GET /api/v1/doctors/{id}/dossier` → the 一人一册 record.
#[utoipa::path(
    get,
    path = "/doctors/{id}/dossier",
    operation_id = "dossier_dossier",
    tag = "dossier",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn dossier(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::dossier(&state, &user, path.into_inner()).await?))
}

/// `GET /api/v1/doctors/{id}/dossier.xlsx`.
#[utoipa::path(
    get,
    path = "/doctors/{id}/dossier.xlsx",
    operation_id = "dossier_xlsx",
    tag = "dossier",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (name, bytes) = ops::xlsx(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// `GET /api/v1/doctors/{id}/dossier.pdf`: the same tables, printable.
#[utoipa::path(
    get,
    path = "/doctors/{id}/dossier.pdf",
    operation_id = "dossier_pdf",
    tag = "dossier",
    params(("id" = i64, Path)),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn pdf(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (name, bytes) = ops::pdf(&state, &user, path.into_inner()).await?;
    Ok(crate::documents::pdf_response(&name, bytes))
}
