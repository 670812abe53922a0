//! `GET /api/v1/doctors/import-template.xlsx`.

use actix_web::HttpResponse;

use super::xlsx;
use crate::access::Caller;
use crate::error::AppResult;
use crate::roster::ops;

/// `GET /api/v1/doctors/import-template.xlsx` → the template, with drop-downs and notes.
#[utoipa::path(
    get,
    path = "/doctors/import-template.xlsx",
    operation_id = "roster_template",
    tag = "roster",
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn template(caller: Caller) -> AppResult<HttpResponse> {
    Ok(xlsx(ops::template(&caller)?, "学员花名册导入模板.xlsx"))
}
