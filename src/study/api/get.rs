//! `GET /api/v1/study-records/{id}` → the record (to whoever sees its doctor).

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::study::RecordView;
use crate::study::ops::records;

pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let r = records::find(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RecordView::of(&r)))
}
