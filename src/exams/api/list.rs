//! `GET /api/v1/exams`.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::{AppResult, Problems};
use crate::exams::ops::{self, ExamList};
use crate::exams::views::{DoctorExamView, ExamView};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;

/// `GET /api/v1/exams?page=&per_page=` → a doctor's exams, each with `my` standing; a
/// manager's exams (withdrawn ones included, with their `status`).
#[utoipa::path(
    get,
    path = "/exams",
    operation_id = "exams_list",
    tag = "exams",
    params(PageParams),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    params: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&params, &mut p);
    p.finish()?;
    Ok(match ops::list(&state, &user, paging).await? {
        ExamList::Doctor { exams, total } => {
            let items = exams
                .into_iter()
                .map(|e| DoctorExamView {
                    exam: ExamView::from(&e.exam),
                    my: e.my,
                })
                .collect();
            HttpResponse::Ok().json(ListPage::new(items, total, paging))
        }
        ExamList::Staff { exams, total } => {
            let items: Vec<ExamView> = exams.iter().map(ExamView::from).collect();
            HttpResponse::Ok().json(ListPage::new(items, total, paging))
        }
    })
}
