//! `GET/POST /checkin/{id}`: where the QR code leads; the doctor checks in.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::sessions::SessionRow;
use crate::sessions::ops::{attendance, detail};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "sessions/checkin.html")]
struct CheckinPage {
    nav: Option<Nav>,
    csrf: String,
    s: SessionRow,
    code: String,
    done: bool,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    code: String,
    done: bool,
    error: Option<String>,
) -> Result<CheckinPage, AppError> {
    let facts = detail::detail(state, user, id).await?;
    Ok(CheckinPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        s: SessionRow::of(facts.session),
        code,
        done,
        error,
    })
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /checkin/{id}?code=` — where the QR code leads.
pub async fn form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    query: web::Query<CodeQuery>,
) -> PageResult {
    let code = query.code.clone().unwrap_or_default();
    let id = path.into_inner();
    let done = attendance::checked_in(&state, &user, id).await?;
    // Already present: the page says so (the code from the QR link is not needed).
    let code = if done { String::new() } else { code };
    html(&page(&state, &user, id, code, done, None).await?)
}

#[derive(Debug, Deserialize)]
pub struct CheckinForm {
    csrf: Option<String>,
    code: Option<String>,
}

/// `POST /checkin/{id}`.
pub async fn checkin(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CheckinForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let code = form.code.clone().unwrap_or_default();
    match attendance::check_in(&state, &user, id, code.clone()).await {
        Ok(_) => html(&page(&state, &user, id, code, true, None).await?),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let message = match &e {
                AppError::Validation(f) => f
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            html_status(
                status,
                &page(&state, &user, id, code, false, Some(message)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}
