//! `GET /api/v1/exams/{id}/results`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::{AppResult, Problems};
use crate::exams::ops;
use crate::exams::views::{ExamView, ResultItem, ResultsView};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;

/// `GET /api/v1/exams/{id}/results?page=&per_page=` → the attempts of the caller's
/// doctors (a county sees its own), with the exam.
#[utoipa::path(
    get,
    path = "/exams/{id}/results",
    operation_id = "exams_results",
    tag = "exams",
    params(("id" = i64, Path), PageParams),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn results(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&params, &mut p);
    p.finish()?;
    let page = ops::results(&state, &user, path.into_inner(), paging).await?;
    let items = page.rows.into_iter().map(ResultItem::from).collect();
    Ok(HttpResponse::Ok().json(ResultsView {
        page: ListPage::new(items, page.total, paging),
        exam: ExamView::from(&page.exam),
    }))
}
