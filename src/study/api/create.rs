//! `POST /api/v1/study-records` `{doctor_id, kind, minutes, occurred_on, course_code?,
//! note?}` → 201 the record with its `status`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;
use crate::study::ops::records;
use crate::study::{RecordBody, RecordView};

#[utoipa::path(
    post,
    path = "/study-records",
    operation_id = "study_create",
    tag = "study",
    request_body = RecordBody,
    responses((status = 201, description = "成功", body = crate::study::views::RecordView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<RecordBody>,
) -> AppResult<HttpResponse> {
    let r = records::record(&state, &user, &body).await?;
    Ok(HttpResponse::Created().json(RecordView::of(&r)))
}
