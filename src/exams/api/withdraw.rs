//! `POST /api/v1/exams/{id}/withdraw` (issue 13).

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::exams::views::ExamView;
use crate::state::AppState;

/// `POST /api/v1/exams/{id}/withdraw` → 200 the exam with `status: withdrawn`: an exam
/// nobody has started, taken back (audited). Doctors no longer see it, and starting it
/// answers 404. Someone has started it → 409 (close it instead); a doctor → 403; an exam
/// outside the caller's subtree → 404.
#[utoipa::path(
    post,
    path = "/exams/{id}/withdraw",
    operation_id = "exams_withdraw",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let exam = ops::withdraw(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ExamView::from(&exam)))
}
