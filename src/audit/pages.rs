//! The audit log page (system administrator).

use actix_web::web;
use askama::Template;

use super::api::{AuditQuery, parse_query};
use super::{AuditRow, ChainReport, list, verify_chain};
use crate::auth::{PageUser, Role};
use crate::page::{Nav, PageResult, Pager, encode_query_value, html};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(page));
}

pub struct Row {
    pub row: AuditRow,
    pub at: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    nav: Option<Nav>,
    rows: Vec<Row>,
    pager: Pager,
    action: String,
    chain: ChainReport,
}

/// `GET /audit?action=&page=`: newest first, with the chain check on top.
async fn page(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<AuditQuery>,
) -> PageResult {
    user.require(&[Role::Sysadmin])?;
    let (filter, paging) = parse_query(&query)?;
    let action = filter.action.clone().unwrap_or_default();
    let (rows, total, chain) = state
        .db(move |conn| {
            let (rows, total) = list(conn, &filter, paging.offset(), paging.per_page)?;
            Ok::<_, diesel::result::Error>((rows, total, verify_chain(conn)?))
        })
        .await?;
    html(&AuditPage {
        nav: Nav::of(&user),
        rows: rows
            .into_iter()
            .map(|row| Row {
                at: time::display_cst(row.at),
                row,
            })
            .collect(),
        pager: Pager {
            page: paging.page,
            pages: paging.pages(total),
            total,
            base: format!("action={}", encode_query_value(&action)),
        },
        action,
        chain,
    })
}
