//! `/api/v1/study-records`, `/api/v1/doctors/{id}/progress`, `/api/v1/progress`, one
//! file per endpoint: extract, one `ops` call, a view.

pub(crate) mod accounts;
pub(crate) mod create;
pub(crate) mod evidence;
pub(crate) mod get;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod pending;
pub(crate) mod progress;
pub(crate) mod review;
pub(crate) mod share;
pub(crate) mod table;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/study-records", web::post().to(create::create))
        .route("/study-records", web::get().to(list::list))
        .route("/study-records/pending", web::get().to(pending::pending))
        .route("/study-records/import", web::post().to(import::import))
        .route("/study-records/{id}", web::get().to(get::get))
        .route(
            "/study-records/{id}/approve",
            web::post().to(review::approve),
        )
        .route("/study-records/{id}/reject", web::post().to(review::reject))
        .route(
            "/study-records/{id}/evidence",
            web::post().to(evidence::upload),
        )
        .route(
            "/study-records/{id}/evidence",
            web::get().to(evidence::download),
        )
        .route("/doctors/{id}/progress", web::get().to(progress::progress))
        .route(
            "/doctors/{id}/platform-accounts",
            web::post().to(accounts::link),
        )
        .route("/progress", web::get().to(table::table))
        .route("/progress/export.xlsx", web::get().to(table::export))
        .route(
            "/programs/{id}/centralized-share",
            web::get().to(share::share),
        );
}
