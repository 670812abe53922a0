//! `GET /api/v1/attempts/{id}`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::exams::views::AttemptView;
use crate::state::AppState;
use crate::time;

/// `GET /api/v1/attempts/{id}` → `{id, status, deadline, score, max_score, passed,
/// items}`: while open, its candidate also gets the questions, the saved answers and the
/// time left; `items` only after submission, with the key and explanations once review
/// is open (or for staff).
#[utoipa::path(
    get,
    path = "/attempts/{id}",
    operation_id = "exams_attempt",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn attempt(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let read = ops::read_attempt(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AttemptView::of(&read, time::now())))
}
