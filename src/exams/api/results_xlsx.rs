//! `GET /api/v1/exams/{id}/results.xlsx`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::exams::ops;
use crate::state::AppState;

/// `GET /api/v1/exams/{id}/results.xlsx` → every attempt of the caller's doctors.
#[utoipa::path(
    get,
    path = "/exams/{id}/results.xlsx",
    operation_id = "exams_results_xlsx",
    tag = "exams",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn results_xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let bytes = ops::results_xlsx(&state, &user, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"exam-{id}-results.xlsx\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
