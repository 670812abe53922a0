//! `GET /api/v1/progress?region=&behind=true&status=&q=&page=&per_page=` → the progress
//! table of the caller's doctors; `/progress/export.xlsx?…` the same as a spreadsheet.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::study::ops::progress::{self, TableQuery, Want};
use crate::study::views;

#[utoipa::path(
    get,
    path = "/progress",
    operation_id = "study_table",
    tag = "study",
    params(crate::extract::PageParams, TableQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn table(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<TableQuery>,
) -> AppResult<HttpResponse> {
    let table = progress::county_table(&state, &user, &query, Want::Page).await?;
    Ok(HttpResponse::Ok().json(table.page))
}

#[utoipa::path(
    get,
    path = "/progress/export.xlsx",
    operation_id = "study_table_export",
    tag = "study",
    params(TableQuery),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<TableQuery>,
) -> AppResult<HttpResponse> {
    let table = progress::county_table(&state, &user, &query, Want::All).await?;
    let bytes = views::table_xlsx(table.page.items.iter()).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"progress.xlsx\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
