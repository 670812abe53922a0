//! `GET/POST /study/import`, `POST /study/import/confirm`: check a platform export,
//! keep it, and import it once confirmed.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::message;
use crate::auth::{PageUser, Role};
use crate::error::AppError;
use crate::extract::read_form;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::state::AppState;
use crate::study::ImportReport;
use crate::study::import::ImportTarget;
use crate::study::ops::import;

#[derive(Template)]
#[template(path = "study/import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    counties: Vec<(String, String)>,
    platform: String,
    report: Option<ImportReport>,
    token: Option<String>,
    error: Option<String>,
    done: bool,
}

async fn page(state: &AppState, user: &PageUser) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        counties: import::counties(state, user).await?,
        platform: "ncme".into(),
        report: None,
        token: None,
        error: None,
        done: false,
    })
}

/// `GET /study/import`.
pub async fn form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    html(&page(&state, &user).await?)
}

/// `POST /study/import`: check a platform export; if clean, keep it for confirmation.
pub async fn check(state: web::Data<AppState>, user: PageUser, multipart: Multipart) -> PageResult {
    user.require(Role::ADMINS)?;
    let mut page = page(&state, &user).await?;
    let form = match read_form(multipart, import::upload_limits().max_bytes).await {
        Ok(f) => f,
        Err(e @ (AppError::PayloadTooLarge(_) | AppError::Validation(_))) => {
            page.error = Some(message(&e));
            return html_status(actix_web::ResponseError::status_code(&e), &page);
        }
        Err(e) => return Err(e.into()),
    };
    check_csrf(&user, form.field("csrf"))?;
    let platform = form.field("platform").trim().to_owned();
    page.platform = platform.clone();
    let county = import::county(&state, &user, Some(form.field("county"))).await?;
    let Some(file) = form.file.filter(|f| !f.bytes.is_empty()) else {
        page.error = Some("请选择要上传的文件".into());
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let target = ImportTarget {
        county,
        platform,
        dry_run: true,
    };
    match import::run(&state, &user, target.clone(), file.bytes.clone()).await {
        Ok(report) if report.errors.is_empty() => {
            let token = import::keep(&state, &user, &target, file.filename, file.bytes).await?;
            page.token = Some(token);
            page.report = Some(report);
            html(&page)
        }
        Ok(report) => {
            page.report = Some(report);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e @ AppError::Validation(_)) => {
            page.error = Some(message(&e));
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    csrf: Option<String>,
    token: Option<String>,
}

/// `POST /study/import/confirm`.
pub async fn confirm(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    user.require(Role::ADMINS)?;
    let mut page = page(&state, &user).await?;
    let token = form.token.clone().unwrap_or_default();
    let Some(report) = import::confirm(&state, &user, token).await? else {
        page.error = Some("检查结果已过期（超过 1 小时）或已导入，请重新上传文件".into());
        return html_status(StatusCode::CONFLICT, &page);
    };
    page.done = report.errors.is_empty();
    let status = if page.done {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.report = Some(report);
    html_status(status, &page)
}
