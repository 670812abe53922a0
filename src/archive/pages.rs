//! Archive pages: `/archive/sessions/{id}` and `/archive/reports/{id}` list a session's
//! or a filing's documents with an upload form (multipart, CSRF) and a delete button per
//! document (`POST /archive/documents/{id}/delete`).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::rules::{MAX_BYTES, MAX_NAME};
use super::views::ListView;
use super::{DocKind, Owner, ops};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::extract::read_form;
use crate::page::{Nav, PageError, PageResult, check_csrf, form_pairs, html_status, see_other};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/archive/sessions/{id}", web::get().to(session_page))
        .route("/archive/sessions/{id}", web::post().to(session_upload))
        .route("/archive/reports/{id}", web::get().to(report_page))
        .route("/archive/reports/{id}", web::post().to(report_upload))
        .route("/archive/documents/{id}/delete", web::post().to(delete));
}

#[derive(Template)]
#[template(path = "archive/list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    l: ListView,
    /// Where the owner is shown (the session or the filing).
    back: String,
    kinds: Vec<(&'static str, &'static str)>,
    max_mb: usize,
    max_name: usize,
    errors: Vec<String>,
}

fn back_of(owner: Owner) -> String {
    match owner {
        Owner::Session(id) => format!("/sessions/{id}"),
        Owner::Report(id) => format!("/reports/{id}"),
    }
}

async fn render(
    state: &AppState,
    user: &PageUser,
    owner: Owner,
    status: StatusCode,
    errors: Vec<String>,
) -> PageResult {
    let l = ops::list(state, user, owner).await?;
    html_status(
        status,
        &ListPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            l,
            back: back_of(owner),
            kinds: DocKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            max_mb: MAX_BYTES / 1024 / 1024,
            max_name: MAX_NAME,
            errors,
        },
    )
}

async fn session_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    render(
        &state,
        &user,
        Owner::Session(path.into_inner()),
        StatusCode::OK,
        Vec::new(),
    )
    .await
}

async fn report_page(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    render(
        &state,
        &user,
        Owner::Report(path.into_inner()),
        StatusCode::OK,
        Vec::new(),
    )
    .await
}

async fn upload(
    state: &AppState,
    user: &PageUser,
    owner: Owner,
    multipart: Multipart,
) -> PageResult {
    let form = read_form(multipart, MAX_BYTES)
        .await
        .map_err(PageError::from)?;
    check_csrf(user, form.field("csrf"))?;
    let kind = Some(form.field("kind").to_owned());
    let (filename, bytes) = match form.file {
        Some(f) => (f.filename, f.bytes),
        None => (None, Vec::new()),
    };
    match ops::attach(state, user, owner, kind, filename, bytes).await {
        Ok(_) => Ok(see_other(&format!(
            "/archive/{}/{}",
            owner.segment(),
            owner.id()
        ))),
        Err(AppError::Validation(f)) => {
            let errors = f.into_iter().map(|f| f.message).collect();
            render(state, user, owner, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(AppError::Conflict(m)) => {
            render(state, user, owner, StatusCode::CONFLICT, vec![m]).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn session_upload(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> PageResult {
    upload(&state, &user, Owner::Session(path.into_inner()), multipart).await
}

async fn report_upload(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> PageResult {
    upload(&state, &user, Owner::Report(path.into_inner()), multipart).await
}

/// `POST /archive/documents/{id}/delete` (form with `csrf`).
async fn delete(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    check_csrf(&user, csrf)?;
    let owner = ops::delete(&state, &user, path.into_inner()).await?;
    Ok(see_other(&format!(
        "/archive/{}/{}",
        owner.segment(),
        owner.id()
    )))
}
