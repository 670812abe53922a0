//! `POST /api/v1/exams`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::views::ExamView;
use crate::exams::{ExamBody, ops};
use crate::extract::Body;
use crate::state::AppState;

/// `POST /api/v1/exams` → 201 the exam. The blueprint is drawn once against the bank:
/// a line the bank cannot fill is a 422 naming it.
#[utoipa::path(
    post,
    path = "/exams",
    operation_id = "exams_create",
    tag = "exams",
    request_body = ExamBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ExamBody>,
) -> AppResult<HttpResponse> {
    let exam = ops::create(&state, &user, body).await?;
    Ok(HttpResponse::Created().json(ExamView::from(&exam)))
}
