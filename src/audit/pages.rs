//! The audit log page (system administrator).

use actix_web::web;
use askama::Template;

use super::{AuditQuery, AuditRow, ChainReport, ops, rules};
use crate::auth::PageUser;
use crate::page::{Nav, PageResult, Pager, encode_query_value, html};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(page));
}

pub struct Row {
    pub row: AuditRow,
    pub at: String,
    /// The action's Chinese name, and the detail in words.
    pub action: &'static str,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    nav: Option<Nav>,
    rows: Vec<Row>,
    pager: Pager,
    action: String,
    /// The filter's choices: (code, Chinese name).
    actions: Vec<(&'static str, &'static str)>,
    chain: ChainReport,
}

/// `GET /audit?action=&page=`: newest first, with the chain check on top.
async fn page(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<AuditQuery>,
) -> PageResult {
    let (page, filter, chain) = ops::page(&state, &user, &query).await?;
    let action = filter.action.unwrap_or_default();
    html(&AuditPage {
        nav: Nav::of(&user),
        pager: Pager {
            page: page.page,
            pages: ((page.total + page.per_page - 1) / page.per_page).max(1),
            total: page.total,
            base: format!("action={}", encode_query_value(&action)),
        },
        rows: page
            .items
            .into_iter()
            .map(|row| Row {
                at: time::display_cst(row.at),
                action: rules::action_label(&row.action),
                detail: rules::detail_text(&row.detail),
                row,
            })
            .collect(),
        action,
        actions: rules::labels::ACTIONS.to_vec(),
        chain,
    })
}
