//! `POST /api/v1/attempts/{id}/submit`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::exams::views::SubmitView;
use crate::state::AppState;

/// `POST /api/v1/attempts/{id}/submit` → `{score, max_score, passed}` (idempotent).
#[utoipa::path(
    post,
    path = "/attempts/{id}/submit",
    operation_id = "exams_submit",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn submit(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let attempt = ops::submit(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SubmitView::from(&attempt)))
}
