//! Tutoring pages (phone first): the groups list, a group's archive with its forms, the
//! instructor's one-minute activity log, the county's group forming and the groups
//! missing last month's evaluation, and the printable 公示 notice.

mod county;
mod group;
mod members;

use actix_web::web;

use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tutoring", web::get().to(county::index))
        .route("/tutoring/form", web::get().to(county::form))
        .route("/tutoring/form", web::post().to(county::form_post))
        .route("/tutoring/missing", web::get().to(county::missing))
        .route("/tutoring/groups/{id}", web::get().to(group::detail))
        .route("/tutoring/groups/{id}/log", web::get().to(group::log_form))
        .route("/tutoring/groups/{id}/log", web::post().to(group::log_post))
        .route(
            "/tutoring/groups/{id}/evaluate",
            web::post().to(group::evaluate_post),
        )
        .route("/tutoring/groups/{id}/notice", web::get().to(group::notice))
        .route("/tutoring/notice", web::get().to(group::township_notice))
        .route(
            "/tutoring/groups/{id}/members",
            web::get().to(members::form),
        )
        .route(
            "/tutoring/groups/{id}/members",
            web::post().to(members::save),
        );
}

/// The messages of an error, for a page.
fn message(e: &AppError) -> String {
    match e {
        AppError::Validation(f) => f
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// The value of a form field (first of its name).
fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Every id under a repeated field name.
fn ids(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}
