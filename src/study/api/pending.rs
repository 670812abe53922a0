//! `GET /api/v1/study-records/pending?q=&order=&page=&per_page=` → `{items, total, page,
//! per_page}` awaiting the caller's review, each with its `doctor_name`. Paged in SQL
//! with the true total; oldest first unless `order=newest`; without `per_page`, a page
//! of 500 (what this answered before it was paged).

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::ListPage;
use crate::state::AppState;
use crate::study::RecordView;
use crate::study::ops::queue::{self, QueueQuery};
use crate::study::views::PendingView;

#[utoipa::path(
    get,
    path = "/study-records/pending",
    operation_id = "study_pending",
    tag = "study",
    params(crate::extract::PageParams, QueueQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn pending(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    let mut q = query.into_inner();
    if q.paging.per_page.is_none() {
        q.paging.per_page = Some(crate::extract::Paging::MAX_PER_PAGE.to_string());
    }
    let asked = queue::ask(&q, true)?;
    let paging = asked.paging;
    let page = queue::page(&state, &user, asked).await?;
    let items = page
        .items
        .into_iter()
        .map(|p| PendingView {
            record: RecordView::of(&p.row.record),
            doctor_name: p.row.doctor_name,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ListPage::new(items, page.total, paging)))
}
