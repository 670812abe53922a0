//! Dossier pages: `/dossier` (the doctor's own 一人一册) and `/doctors/{id}/dossier` (for
//! those who may see the doctor), with the spreadsheet to download.

use actix_web::web;
use askama::Template;

use super::ops::{self, export};
use super::views::{DossierView, ExportsView};
use crate::auth::PageUser;
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, see_other};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/dossier", web::get().to(mine))
        .route("/doctors/{id}/dossier", web::get().to(of_doctor))
        .route("/dossier-exports", web::get().to(exports))
        .route("/dossier-exports", web::post().to(start_export));
}

#[derive(Template)]
#[template(path = "dossier/exports.html")]
struct ExportsPage {
    nav: Option<Nav>,
    csrf: String,
    e: ExportsView,
    running: bool,
}

/// `GET /dossier-exports`: the county's bulk exports with their progress (the page
/// refreshes itself while one runs) and the button to start one.
async fn exports(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let e = export::list(&state, &user).await?;
    html(&ExportsPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        running: e.items.iter().any(|x| x.running()),
        e,
    })
}

/// `POST /dossier-exports` (form with `csrf`): start one, back to the list.
async fn start_export(state: web::Data<AppState>, user: PageUser, body: web::Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    check_csrf(&user, csrf)?;
    export::start(&state, &user).await?;
    Ok(see_other("/dossier-exports"))
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
