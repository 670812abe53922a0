//! Browsing the region tree, and importing townships and villages from CSV.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::ops::{self, MAX_IMPORT_BYTES, import_bytes};
use super::{BrowseQuery, ImportReport, Region};
use crate::auth::{PageUser, Role};
use crate::error::AppError;
use crate::extract::read_form;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/regions", web::get().to(browse))
        .route("/regions/import", web::get().to(import_form))
        .route("/regions/import", web::post().to(import));
}

#[derive(Template)]
#[template(path = "regions/browse.html")]
struct BrowsePage {
    nav: Option<Nav>,
    lineage: Vec<Region>,
    current: Option<Region>,
    children: Vec<Region>,
    can_import: bool,
}

/// `GET /regions?parent=CODE`: a node, its ancestors and its children.
async fn browse(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<BrowseQuery>,
) -> PageResult {
    let browse = ops::browse(&state, &user, query.parent.as_deref()).await?;
    html(&BrowsePage {
        nav: Nav::of(&user),
        lineage: browse.ancestors,
        current: Some(browse.current),
        children: browse.children,
        can_import: browse.can_import,
    })
}

#[derive(Template)]
#[template(path = "regions/import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    region_name: String,
    report: Option<ImportReport>,
    error: Option<String>,
}

fn import_page(user: &PageUser, report: Option<ImportReport>, error: Option<String>) -> ImportPage {
    ImportPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        region_name: user.region.name.clone(),
        report,
        error,
    }
}

/// `GET /regions/import`.
async fn import_form(user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    html(&import_page(&user, None, None))
}

/// `POST /regions/import`: "检查" runs a dry run, "导入" writes (all or nothing).
async fn import(state: web::Data<AppState>, user: PageUser, multipart: Multipart) -> PageResult {
    user.require(Role::ADMINS)?;
    let form = match read_form(multipart, MAX_IMPORT_BYTES).await {
        Ok(form) => form,
        Err(e @ (AppError::PayloadTooLarge(_) | AppError::Validation(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            return html_status(status, &import_page(&user, None, Some(page_message(&e))));
        }
        Err(e) => return Err(e.into()),
    };
    check_csrf(&user, form.field("csrf"))?;
    let dry_run = form.field("action") != "import";
    let outcome = match form.require_file() {
        Ok(upload) => import_bytes(&state, &user, &upload.bytes, dry_run).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) if report.errors.is_empty() => html(&import_page(&user, Some(report), None)),
        Ok(report) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &import_page(&user, Some(report), None),
        ),
        Err(e @ AppError::Validation(_)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &import_page(&user, None, Some(page_message(&e))),
        ),
        Err(e) => Err(e.into()),
    }
}

fn page_message(e: &AppError) -> String {
    match e {
        AppError::Validation(errors) => errors
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}
