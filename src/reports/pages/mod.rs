//! Filings pages (Chinese): the county's list and new filing, a filing with its draft
//! editor, submission and the city's review, the rows behind a figure, the dashboard.

mod board;
mod detail;
mod list;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports", web::get().to(list::list))
        .route("/reports", web::post().to(list::create))
        .route("/reports/dashboard", web::get().to(board::board))
        .route("/reports/{id}", web::get().to(detail::detail))
        .route("/reports/{id}", web::post().to(detail::act))
        .route("/reports/{id}/figures/{key}", web::get().to(detail::figure));
}

/// The messages of an error, for a page.
fn messages(e: &crate::error::AppError) -> Vec<String> {
    match e {
        crate::error::AppError::Validation(f) => f.iter().map(|f| f.message.clone()).collect(),
        other => vec![other.to_string()],
    }
}
