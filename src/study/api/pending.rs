//! `GET /api/v1/study-records/pending` → `{items}` awaiting the caller's review, each
//! with its `doctor_name`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::study::RecordView;
use crate::study::ops::records;
use crate::study::views::{Items, PendingView};

pub async fn pending(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let items = records::queue(&state, &user)
        .await?
        .into_iter()
        .map(|p| PendingView {
            record: RecordView::of(&p.record),
            doctor_name: p.doctor_name,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Items { items }))
}
