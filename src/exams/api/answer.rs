//! `PUT /api/v1/attempts/{id}/answers/{question_id}`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::{AnswerBody, ops};
use crate::extract::Body;
use crate::state::AppState;

/// `PUT /api/v1/attempts/{id}/answers/{question_id}` `{answer}` → 204; after the
/// deadline → 409.
#[utoipa::path(
    put,
    path = "/attempts/{id}/answers/{question_id}",
    operation_id = "exams_answer_save_answer",
    tag = "exams",
    params(("id" = i64, Path), ("question_id" = String, Path)),
    request_body = AnswerBody,
    responses((status = 204, description = "成功，无内容"), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn save_answer(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    Body(body): Body<AnswerBody>,
) -> AppResult<HttpResponse> {
    let (id, question_id) = path.into_inner();
    ops::save(&state, &user, id, &question_id, body.answer.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
