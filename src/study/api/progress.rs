//! `GET /api/v1/doctors/{id}/progress` → `{online, centralized, shadowing, tutoring,
//! skills_practice, combined, annual, completion, doctor_id, program_id}`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::study::ops::progress;

pub async fn progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let view = progress::of_doctor(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}
