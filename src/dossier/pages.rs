//! Dossier pages: `/dossier` (the doctor's own 一人一册) and `/doctors/{id}/dossier` (for
//! those who may see the doctor), with the spreadsheet to download.

use actix_web::web;
use askama::Template;

use super::ops;
use super::views::DossierView;
use crate::auth::PageUser;
use crate::page::{Nav, PageResult, html};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/dossier", web::get().to(mine))
        .route("/doctors/{id}/dossier", web::get().to(of_doctor));
}

#[derive(Template)]
#[template(path = "dossier/dossier.html")]
struct DossierPage {
    nav: Option<Nav>,
    d: DossierView,
}

/// `GET /dossier`: the calling doctor's own.
async fn mine(state: web::Data<AppState>, user: PageUser) -> PageResult {
    if user.doctor_id.is_none() && user.role() == crate::auth::Role::Doctor {
        return crate::page::unlinked(Nav::of(&user), "我的档案", "一人一册档案");
    }
    let d = ops::mine(&state, &user).await?;
    html(&DossierPage {
        nav: Nav::of(&user),
        d,
    })
}

/// `GET /doctors/{id}/dossier`.
async fn of_doctor(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    let d = ops::dossier(&state, &user, path.into_inner()).await?;
    html(&DossierPage {
        nav: Nav::of(&user),
        d,
    })
}
