//! `POST /api/v1/exams/{id}/close` (issue 13).

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::exams::views::ExamView;
use crate::state::AppState;

/// `POST /api/v1/exams/{id}/close` → 200 the exam with `closes_at` = now: an open exam
/// closed early (audited); attempts still open are due now and graded by the deadline
/// job as usual. Not open yet or already closed → 409; a doctor → 403; an exam outside
/// the caller's subtree → 404.
#[utoipa::path(
    post,
    path = "/exams/{id}/close",
    operation_id = "exams_close",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn close(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let exam = ops::close(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ExamView::from(&exam)))
}
