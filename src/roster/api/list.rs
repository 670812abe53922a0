//! `GET /api/v1/doctors`.

use actix_web::{HttpResponse, web};

use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::ListPage;
use crate::roster::{DoctorRecord, ListQuery, ops};
use crate::state::AppState;

/// `GET /api/v1/doctors?region=&q=&status=&cohort_year=&program_id=` → the roster the
/// caller may see.
#[utoipa::path(
    get,
    path = "/doctors",
    operation_id = "roster_list",
    tag = "roster",
    params(crate::extract::PageParams, ListQuery),
    responses((status = 200, description = "成功", body = crate::extract::ListPage<crate::roster::views::DoctorView>), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = ops::list(&state, &caller, &query).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items.iter().map(DoctorRecord::view).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}
