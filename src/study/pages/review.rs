//! `GET /study/review`, `POST /study/review/{id}`: the reviewer's queue.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::{Line, line};
use crate::auth::{CurrentUser, PageUser};
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::state::AppState;
use crate::study::ops::records;

/// A pending record with its doctor, for reviewers.
pub struct Pending {
    pub line: Line,
    pub doctor: String,
    pub has_photo: bool,
}

#[derive(Template)]
#[template(path = "study/review.html")]
struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    items: Vec<Pending>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ReviewPage, AppError> {
    let items = records::queue_with_photos(state, user).await?;
    Ok(ReviewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        items: items
            .into_iter()
            .map(|(p, has_photo)| Pending {
                has_photo,
                line: line(p.record),
                doctor: p.doctor_name,
            })
            .collect(),
        notice,
        error,
    })
}

/// `GET /study/review`.
pub async fn queue(state: web::Data<AppState>, user: PageUser) -> PageResult {
    html(&page(&state, &user, None, None).await?)
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    csrf: Option<String>,
    decision: Option<String>,
    note: Option<String>,
}

/// `POST /study/review/{id}`.
pub async fn decide(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<DecideForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let approve = form.decision.as_deref() == Some("approve");
    match records::review(&state, &user, id, approve, form.note.clone()).await {
        Ok(r) => {
            let notice = format!(
                "已{}：{} 分钟{}",
                if approve { "认定" } else { "退回" },
                r.minutes,
                r.kind.label()
            );
            html(&page(&state, &user, Some(notice), None).await?)
        }
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &page(&state, &user, None, Some(e.to_string())).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
