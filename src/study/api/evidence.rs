//! `POST /api/v1/study-records/{id}/evidence` (multipart `file`, an image ≤ 5 MB) → 204;
//! `GET` → the image, to whoever sees the record.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::read_form;
use crate::state::AppState;
use crate::study::ops::records;
use crate::study::rules::records::MAX_EVIDENCE;

#[utoipa::path(
    post,
    path = "/study-records/{id}/evidence",
    operation_id = "study_evidence_upload",
    tag = "study",
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    responses((status = 204, description = "成功，无内容"), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let file = read_form(multipart, MAX_EVIDENCE).await?.require_file()?;
    records::attach(&state, &user, path.into_inner(), file.bytes).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/study-records/{id}/evidence",
    operation_id = "study_evidence_download",
    tag = "study",
    params(("id" = i64, Path)),
    responses((status = 200, description = "文件", content_type = "application/octet-stream", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn download(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (content_type, bytes) = records::evidence(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .body(bytes))
}
