//! `/api/v1/regions`: browse the tree; import townships and villages (CSV).

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};

use super::views::{RegionList, RegionView, RegionWithLineage};
use super::{BrowseQuery, ImportQuery, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::read_form;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/regions", web::get().to(list))
        .route("/regions/import", web::post().to(import))
        .route("/regions/{code}", web::get().to(get));
}

/// `GET /api/v1/regions?parent=CODE` → `{items:[{code,name,level,parent_code}]}`; without
/// `parent`, the roots. The tree itself is public (GB/T 2260), so any logged-in user
/// may browse it; what hangs on it is scoped.
#[utoipa::path(
    get,
    path = "/regions",
    operation_id = "regions_list",
    tag = "regions",
    params(BrowseQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<BrowseQuery>,
) -> AppResult<HttpResponse> {
    let items = ops::children(&state, query.parent.as_deref()).await?;
    Ok(HttpResponse::Ok().json(RegionList {
        items: items.iter().map(RegionView::from).collect(),
    }))
}

/// `GET /api/v1/regions/{code}` → the region with its `lineage` (root first).
#[utoipa::path(
    get,
    path = "/regions/{code}",
    operation_id = "regions_get",
    tag = "regions",
    params(("code" = String, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (region, lineage) = ops::with_lineage(&state, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RegionWithLineage {
        region: RegionView::from(&region),
        lineage: lineage.iter().map(RegionView::from).collect(),
    }))
}

/// `POST /api/v1/regions/import?dry_run=true|false`, multipart `file` (CSV with columns
/// 代码/code, 名称/name, optional 上级代码/parent_code and 国标/gb) →
/// `{created,updated,unchanged,errors:[{row,field,message}],dry_run}`. Any error →
/// 422 with the report, nothing written. County and city admins import inside their
/// region, the sysadmin anywhere.
#[utoipa::path(
    post,
    path = "/regions/import",
    operation_id = "regions_import",
    tag = "regions",
    request_body(content_type = "multipart/form-data", content = crate::openapi::Upload),
    params(ImportQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let dry_run = ops::parse_dry_run(query.dry_run.as_deref())?;
    let upload = read_form(multipart, ops::MAX_IMPORT_BYTES)
        .await?
        .require_file()?;
    let report = ops::import_bytes(&state, &caller, &upload.bytes, dry_run).await?;
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity()
            .content_type("application/json")
            .json(report)
    })
}
