//! `GET /reports/dashboard?year=`: who filed, who is late, quota use and deductions.

use actix_web::web;
use askama::Template;

use crate::auth::PageUser;
use crate::page::{Nav, PageResult, html};
use crate::reports::ops::dashboard::{self, Dashboard, DashboardQuery};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct BoardPage {
    nav: Option<Nav>,
    d: Dashboard,
    titles: Vec<String>,
}

pub async fn board(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<DashboardQuery>,
) -> PageResult {
    let d = dashboard::dashboard(&state, &user, &query).await?;
    let titles = d
        .counties
        .first()
        .map(|c| c.filings.iter().map(|f| f.title.clone()).collect())
        .unwrap_or_default();
    html(&BoardPage {
        nav: Nav::of(&user),
        d,
        titles,
    })
}
