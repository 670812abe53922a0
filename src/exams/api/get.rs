//! `GET /api/v1/exams/{id}`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::exams::views::{DoctorExamView, ExamView};
use crate::state::AppState;

/// `GET /api/v1/exams/{id}` → the exam; a doctor's with `my` standing. A withdrawn exam
/// is 404 to doctors.
#[utoipa::path(
    get,
    path = "/exams/{id}",
    operation_id = "exams_get",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let detail = ops::get(&state, &user, path.into_inner()).await?;
    let exam = ExamView::from(&detail.exam);
    Ok(match detail.my {
        Some(my) => HttpResponse::Ok().json(DoctorExamView { exam, my }),
        None => HttpResponse::Ok().json(exam),
    })
}
