//! `GET /api/v1/study-records?doctor_id=&page=&per_page=` → a doctor's records, newest
//! first (a doctor: its own).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::study::RecordView;
use crate::study::ops::records;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    paging: PageParams,
    /// 村医编号
    doctor_id: Option<String>,
}

#[utoipa::path(
    get,
    path = "/study-records",
    operation_id = "study_list",
    tag = "study",
    params(crate::extract::PageParams, ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let doctor_id = query.doctor_id.as_deref().and_then(|d| {
        p.take(
            "doctor_id",
            d.parse::<i64>().map_err(|_| "应为整数".to_owned()),
        )
    });
    p.finish()?;
    let page = records::list(&state, &user, doctor_id, paging).await?;
    let items = page.items.iter().map(RecordView::of).collect();
    Ok(HttpResponse::Ok().json(ListPage::new(items, page.total, paging)))
}
