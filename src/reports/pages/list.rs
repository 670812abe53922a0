//! `GET /reports` (the filings the caller sees) and `POST /reports` (a county opens one).

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::messages;
use crate::auth::{PageUser, Role};
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, html, html_status, see_other};
use crate::reports::ops::{self, ListQuery};
use crate::reports::{CreateBody, ReportKind, ReportRow};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    rows: Vec<ReportRow>,
    total: i64,
    year: String,
    can_file: bool,
    is_city: bool,
    kinds: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    pub year: Option<String>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    year: Option<String>,
    errors: Vec<String>,
) -> Result<ListPage, AppError> {
    let query = ListQuery {
        year: year.clone(),
        paging: crate::extract::PageParams {
            page: None,
            per_page: Some("500".into()),
        },
        ..Default::default()
    };
    let found = ops::list(state, user, &query).await?;
    Ok(ListPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        rows: found.items,
        total: found.total,
        year: year.unwrap_or_default(),
        can_file: user.role() == Role::CountyAdmin,
        is_city: user.role() == Role::CityAdmin,
        kinds: ReportKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        errors,
    })
}

/// `GET /reports?year=`.
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<ListForm>,
) -> PageResult {
    html(&page(&state, &user, query.into_inner().year, Vec::new()).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    pub csrf: Option<String>,
    pub kind: Option<String>,
    pub year: Option<String>,
    pub quarter: Option<String>,
}

/// `POST /reports`: open a draft, then show it.
pub async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<CreateForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let body = CreateBody {
        kind: form.kind.clone(),
        county_code: Some(user.region.code.clone()),
        year: form.year.as_deref().and_then(|y| y.trim().parse().ok()),
        quarter: form
            .quarter
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .and_then(|q| q.parse().ok()),
    };
    match ops::create(&state, &user, &body).await {
        Ok(v) => Ok(see_other(&format!("/reports/{}", v.row.id))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            html_status(status, &page(&state, &user, None, messages(&e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}
