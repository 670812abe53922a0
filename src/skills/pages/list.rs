//! `GET /skills`: the skills exams the caller sees.

use actix_web::web;
use askama::Template;

use crate::auth::PageUser;
use crate::page::{Nav, PageResult, html};
use crate::skills::ops::exams::{self, ListQuery};
use crate::skills::views::ExamRowView;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "skills/list.html")]
struct ListPage {
    nav: Option<Nav>,
    exams: Vec<ExamRowView>,
    can_create: bool,
}

pub async fn list(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let query = ListQuery::default();
    let page = exams::list(&state, &user, &query).await?;
    html(&ListPage {
        nav: Nav::of(&user),
        exams: page.items,
        can_create: user.role().is_admin(),
    })
}
