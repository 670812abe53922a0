//! `GET /api/v1/exams/{id}/analysis`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::state::AppState;

/// `GET /api/v1/exams/{id}/analysis` → `{test:{n,mean,median,sd,reliability,sem},
/// items:[{question_id,n,facility,sd,discrimination_index,point_biserial}]}`.
#[utoipa::path(
    get,
    path = "/exams/{id}/analysis",
    operation_id = "exams_analysis",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn analysis(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (_, view) = ops::analysis(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}
