//! `/roster/import`: upload a file, see it checked (a dry run), confirm to write it.

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
use crate::roster::{ImportReport, ops};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "roster/import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    counties: Vec<(String, String)>,
    county: String,
    report: Option<ImportReport>,
    token: Option<String>,
    filename: String,
    error: Option<String>,
    done: bool,
}

async fn import_page(state: &AppState, user: &PageUser) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        counties: ops::counties(state, user).await?,
        county: String::new(),
        report: None,
        token: None,
        filename: String::new(),
        error: None,
        done: false,
    })
}

/// `GET /roster/import`.
pub async fn import_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    html(&import_page(&state, &user).await?)
}

/// `POST /roster/import`: check the file (a dry run); if it is clean, keep it and ask
/// for confirmation.
pub async fn import_check(
    state: web::Data<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> PageResult {
    user.require(Role::ADMINS)?;
    let mut page = import_page(&state, &user).await?;
    let form = match read_form(multipart, ops::upload_limits().max_bytes).await {
        Ok(f) => f,
        Err(e @ (AppError::PayloadTooLarge(_) | AppError::Validation(_))) => {
            page.error = Some(message(&e));
            return html_status(actix_web::ResponseError::status_code(&e), &page);
        }
        Err(e) => return Err(e.into()),
    };
    check_csrf(&user, form.field("csrf"))?;
    page.county = form.field("county").to_owned();
    let county = ops::import_county(
        &state,
        &user,
        Some(form.field("county")).filter(|c| !c.is_empty()),
    )
    .await?;
    let file = match form.require_file() {
        Ok(f) => f,
        Err(e) => {
            page.error = Some(message(&e));
            return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    page.filename = file.filename.clone().unwrap_or_default();
    let checked = ops::import_bytes(
        &state,
        &user,
        county.clone(),
        None,
        true,
        file.bytes.clone(),
    )
    .await;
    match checked {
        Ok(report) if report.errors.is_empty() => {
            let token =
                ops::stash_import(&state, &user, &county, file.filename, file.bytes).await?;
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

/// `POST /roster/import/confirm`: import the file checked a moment ago.
pub async fn import_confirm(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    user.require(Role::ADMINS)?;
    let mut page = import_page(&state, &user).await?;
    let token = form.token.clone().unwrap_or_default();
    let Some(stashed) = ops::take_stashed_import(&state, &user, token).await? else {
        page.error = Some("检查结果已过期（超过 1 小时）或已导入，请重新上传文件".into());
        return html_status(StatusCode::CONFLICT, &page);
    };
    let county = ops::import_county(&state, &user, Some(&stashed.county)).await?;
    page.filename = stashed.filename.clone().unwrap_or_default();
    let report = ops::import_bytes(&state, &user, county, None, false, stashed.content).await?;
    let clean = report.errors.is_empty();
    page.done = clean;
    page.report = Some(report);
    if clean {
        html(&page)
    } else {
        html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}
