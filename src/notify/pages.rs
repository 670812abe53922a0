//! The outbox page (system administrator): every mail with its status, attempts and
//! last error, paged; a failed mail can be sent again.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::Depth;
use super::views::OutboxItemView;
use super::{OutboxQuery, OutboxStatus, ops};
use crate::auth::PageUser;
use crate::page::{Nav, PageResult, Pager, check_csrf, html, see_other};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/outbox", web::get().to(page))
        .route("/outbox/{id}/retry", web::post().to(retry));
}

pub struct Row {
    pub item: OutboxItemView,
    pub created: String,
    pub next: String,
    pub sent: String,
    pub failed: bool,
}

#[derive(Template)]
#[template(path = "notify/outbox.html")]
struct OutboxPage {
    nav: Option<Nav>,
    csrf: String,
    rows: Vec<Row>,
    pager: Pager,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    depth: Depth,
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    #[serde(flatten)]
    query: OutboxQuery,
    done: Option<String>,
}

/// `GET /outbox?status=&page=`.
async fn page(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<PageQuery>,
) -> PageResult {
    let (page, status, depth) = ops::admin::outbox(&state, &user, &query.query).await?;
    let status = status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    html(&OutboxPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        pager: Pager {
            page: page.page,
            pages: ((page.total + page.per_page - 1) / page.per_page).max(1),
            total: page.total,
            base: format!("status={status}"),
        },
        rows: page
            .items
            .iter()
            .map(|r| Row {
                item: OutboxItemView::from(r),
                created: time::display_cst(r.created_at),
                next: time::display_cst(r.next_attempt_at),
                sent: r.sent_at.map(time::display_cst).unwrap_or_default(),
                failed: r.status == OutboxStatus::Failed,
            })
            .collect(),
        statuses: OutboxStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        status,
        depth,
        notice: match query.done.as_deref() {
            Some("retried") => Some("已重新加入发送队列。"),
            _ => None,
        },
    })
}

#[derive(Debug, Deserialize)]
struct RetryForm {
    csrf: Option<String>,
}

/// `POST /outbox/{id}/retry`.
async fn retry(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<RetryForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    ops::admin::retry(&state, &user, path.into_inner()).await?;
    Ok(see_other("/outbox?status=failed&done=retried"))
}
