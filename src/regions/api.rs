//! `/api/v1/regions`: browse the tree; import townships and villages (CSV).

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{ImportReport, Region, rules, store};
use crate::audit::Entry;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::extract::read_form;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/regions", web::get().to(list))
        .route("/regions/import", web::post().to(import))
        .route("/regions/{code}", web::get().to(get));
}

/// A region as the API shows it.
#[derive(Debug, Serialize)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub is_gb: bool,
    pub is_demo: bool,
}

impl From<&Region> for RegionView {
    fn from(r: &Region) -> Self {
        RegionView {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level.clone(),
            parent_code: r.parent_code.clone(),
            is_gb: r.is_gb,
            is_demo: r.is_demo,
        }
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    parent: Option<String>,
}

/// `GET /api/v1/regions?parent=CODE` → `{items:[{code,name,level,parent_code}]}`; without
/// `parent`, the roots. The tree itself is public (GB/T 2260), so any logged-in user
/// may browse it; what hangs on it is scoped.
async fn list(
    state: web::Data<AppState>,
    _user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let parent = query
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let parent = match parent {
        None => None,
        Some(raw) => Some(
            rules::RegionCode::parse(raw)
                .map_err(|m| AppError::field("parent", m))?
                .as_str()
                .to_owned(),
        ),
    };
    let items = state
        .db(move |conn| {
            if let Some(p) = &parent
                && store::find(conn, p)?.is_none()
            {
                return Err(AppError::NotFound);
            }
            Ok(store::children(conn, parent.as_deref())?)
        })
        .await?;
    let items: Vec<RegionView> = items.iter().map(RegionView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /api/v1/regions/{code}` → the region with its `lineage` (root first).
async fn get(
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let (region, lineage) = state
        .db(move |conn| {
            let region = store::resolve(conn, &code)?.ok_or(AppError::NotFound)?;
            let lineage = store::lineage(conn, &region)?;
            Ok::<_, AppError>((region, lineage))
        })
        .await?;
    let lineage: Vec<RegionView> = lineage.iter().map(RegionView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "region": RegionView::from(&region),
        "lineage": lineage,
    })))
}

/// Largest region CSV accepted (about 40,000 village rows).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// Most rows in one region import.
pub const MAX_IMPORT_ROWS: usize = 50_000;

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    pub dry_run: Option<String>,
}

/// `POST /api/v1/regions/import?dry_run=true|false`, multipart `file` (CSV with columns
/// 代码/code, 名称/name, optional 上级代码/parent_code and 国标/gb) →
/// `{created,updated,unchanged,errors:[{row,field,message}],dry_run}`. Any error →
/// 422 with the report, nothing written. County and city admins import inside their
/// region, the sysadmin anywhere.
async fn import(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let dry_run = parse_dry_run(query.dry_run.as_deref())?;
    let upload = read_form(multipart, MAX_IMPORT_BYTES)
        .await?
        .require_file()?;
    let report = import_bytes(&state, &user, &upload.bytes, dry_run).await?;
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity()
            .content_type("application/json")
            .json(report)
    })
}

pub fn parse_dry_run(raw: Option<&str>) -> AppResult<bool> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(AppError::field("dry_run", "应为 true 或 false")),
    }
}

/// Parse, check and (unless a dry run or any row is bad) write an import; shared by the
/// API, the page and the CLI's counterpart.
pub async fn import_bytes(
    state: &AppState,
    user: &CurrentUser,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    user.require(Role::ADMINS)?;
    let rows = super::csv::parse(bytes, MAX_IMPORT_ROWS).map_err(|e| AppError::field("file", e))?;
    let scope = user.scope();
    let actor = user.actor();
    state
        .db(move |conn| {
            let report = super::import::run(conn, &rows, &scope, dry_run, false, time::now())?;
            if !dry_run && report.errors.is_empty() {
                crate::audit::record(
                    conn,
                    &actor,
                    &Entry::new("region.imported").detail(serde_json::json!({
                        "created": report.created,
                        "updated": report.updated,
                    })),
                    time::now(),
                )?;
            }
            Ok::<_, AppError>(report)
        })
        .await
}
