//! Roster pages: the county's list (search, filters, pages), import (upload → check →
//! confirm), and a doctor's page (masked ID with an audited reveal, status, account).

mod detail;
mod import;
mod list;

use actix_web::web;

use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/roster", web::get().to(list::list))
        .route("/roster/import", web::get().to(import::import_form))
        .route("/roster/import", web::post().to(import::import_check))
        .route(
            "/roster/import/confirm",
            web::post().to(import::import_confirm),
        )
        .route("/roster/{id}", web::get().to(detail::detail))
        .route("/roster/{id}/reveal", web::post().to(detail::reveal))
        .route("/roster/{id}/status", web::post().to(detail::status))
        .route("/roster/{id}/account", web::post().to(detail::account));
}

/// An error's messages, one line, for the top of a page.
fn message(e: &AppError) -> String {
    match e {
        AppError::Validation(errors) => errors
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}
