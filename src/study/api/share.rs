//! `GET /api/v1/programs/{id}/centralized-share?year=` → per district: doctors in post,
//! centralized learners that year, the number required (⌈doctors × share⌉) and whether
//! it is met (Zaozhuang annex 2 §四(二): ≥ 1/3 each year).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::study::ops::share;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShareQuery {
    /// 年度，YYYY（默认今年）
    year: Option<String>,
}

#[utoipa::path(
    get,
    path = "/programs/{id}/centralized-share",
    operation_id = "study_share",
    tag = "study",
    params(("id" = i64, Path), ShareQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn share(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<ShareQuery>,
) -> AppResult<HttpResponse> {
    let view =
        share::centralized_share(&state, &user, path.into_inner(), query.year.as_deref()).await?;
    Ok(HttpResponse::Ok().json(view))
}
