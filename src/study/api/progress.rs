//! `GET /api/v1/doctors/{id}/progress` → `{online, centralized, shadowing, tutoring,
//! skills_practice, combined, annual, completion, doctor_id, program_id}`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::study::ops::progress;

#[utoipa::path(
    get,
    path = "/doctors/{id}/progress",
    operation_id = "study_progress",
    tag = "study",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let view = progress::of_doctor(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}
