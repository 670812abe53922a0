//! `GET /api/v1/study-records/{id}` → the record (to whoever sees its doctor).

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::study::RecordView;
use crate::study::ops::records;

#[utoipa::path(
    get,
    path = "/study-records/{id}",
    operation_id = "study_get",
    tag = "study",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::study::views::RecordView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let r = records::find(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RecordView::of(&r)))
}
