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
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ExamBody>,
) -> AppResult<HttpResponse> {
    let exam = ops::create(&state, &user, body).await?;
    Ok(HttpResponse::Created().json(ExamView::from(&exam)))
}
