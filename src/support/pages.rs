//! The county's 3331 page: which teams fell short of three full-day visits a month.

use actix_web::{HttpRequest, web};
use askama::Template;

use super::ops;
use super::views::ComplianceItem;
use crate::auth::PageUser;
use crate::page::{Nav, PageResult, form_pairs, html};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/support/compliance", web::get().to(compliance));
}

#[derive(Template)]
#[template(path = "support/compliance.html")]
struct CompliancePage {
    nav: Option<Nav>,
    month: String,
    short: Vec<ComplianceItem>,
    met: Vec<ComplianceItem>,
}

/// `GET /support/compliance?month=YYYY-MM`: the teams short of three full-day visits
/// (last month by default), then those that met it.
async fn compliance(state: web::Data<AppState>, user: PageUser, req: HttpRequest) -> PageResult {
    let pairs = form_pairs(req.query_string().as_bytes());
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    let c = ops::compliance(&state, &user, get("month"), get("region")).await?;
    let (met, short): (Vec<_>, Vec<_>) = c.items.into_iter().partition(|i| i.compliant);
    html(&CompliancePage {
        nav: Nav::of(&user),
        month: c.month,
        short,
        met,
    })
}
