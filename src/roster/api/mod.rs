//! `/api/v1/doctors`: the roster, its import and export, and the audited reveal of ID
//! numbers — one file per endpoint.

pub(crate) mod account;
pub(crate) mod create;
pub(crate) mod export;
pub(crate) mod get;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod reveal;
pub(crate) mod status;
pub(crate) mod template;
pub(crate) mod update;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/doctors", web::post().to(create::create))
        .route("/doctors", web::get().to(list::list))
        .route(
            "/doctors/import-template.xlsx",
            web::get().to(template::template),
        )
        .route("/doctors/export.xlsx", web::get().to(export::export))
        .route("/doctors/import", web::post().to(import::import))
        .route("/doctors/{id}", web::get().to(get::get))
        .route("/doctors/{id}", web::put().to(update::update))
        .route("/doctors/{id}/status", web::post().to(status::set_status))
        .route("/doctors/{id}/id-number", web::get().to(reveal::reveal))
        .route(
            "/doctors/{id}/account",
            web::post().to(account::create_account),
        );
}

/// A spreadsheet download, never cached.
fn xlsx(bytes: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{}",
                crate::page::encode_query_value(filename)
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}
