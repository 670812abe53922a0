//! `POST /api/v1/exams/{id}/attempts`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::exams::views::PaperView;
use crate::state::AppState;
use crate::time;

/// `POST /api/v1/exams/{id}/attempts` (a doctor) → 201 `{id, deadline, questions}` —
/// never the answers; an attempt already open is returned with 200.
#[utoipa::path(
    post,
    path = "/exams/{id}/attempts",
    operation_id = "exams_start",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn start(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let started = ops::start(&state, &user, path.into_inner()).await?;
    let body = PaperView::new(&started.attempt, &started.saved, time::now());
    Ok(if started.created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}
