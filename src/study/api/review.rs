//! `POST /api/v1/study-records/{id}/approve` and `/reject` `{note?}` → the record with
//! its new status. The body may be absent; if present it must be a JSON object whose
//! `note` is a string, else 422 and nothing written.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::study::ops::records;
use crate::study::{RecordView, ReviewBody};

/// A review's body: none at all is an empty one; anything else must parse.
pub struct OptionalBody(pub ReviewBody);

impl FromRequest for OptionalBody {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|_| AppError::field("body", "无法读取请求体"))?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalBody(ReviewBody::default()));
            }
            let de = &mut serde_json::Deserializer::from_slice(&bytes);
            serde_path_to_error::deserialize(de)
                .map(OptionalBody)
                .map_err(|e| {
                    let path = e.path().to_string();
                    let field = if path == "." { "body".to_owned() } else { path };
                    AppError::field(
                        field,
                        format!("应为 JSON 对象 {{\"note\": \"…\"}}：{}", e.into_inner()),
                    )
                })
        })
    }
}

#[utoipa::path(
    post,
    path = "/study-records/{id}/approve",
    operation_id = "study_review_approve",
    tag = "study",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::study::views::RecordView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn approve(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    OptionalBody(body): OptionalBody,
) -> AppResult<HttpResponse> {
    let r = records::review(&state, &user, path.into_inner(), true, body.note).await?;
    Ok(HttpResponse::Ok().json(RecordView::of(&r)))
}

#[utoipa::path(
    post,
    path = "/study-records/{id}/reject",
    operation_id = "study_review_reject",
    tag = "study",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::study::views::RecordView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn reject(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    OptionalBody(body): OptionalBody,
) -> AppResult<HttpResponse> {
    let r = records::review(&state, &user, path.into_inner(), false, body.note).await?;
    Ok(HttpResponse::Ok().json(RecordView::of(&r)))
}
