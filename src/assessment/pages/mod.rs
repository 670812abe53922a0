//! Assessment pages: the public certificate check, a doctor's assessment year by year,
//! the county's annual scores with its rating and confirmation, and the make-up lists.

mod county;
mod doctor;
mod verify;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify", web::get().to(verify::by_query))
        .route("/verify/{code}", web::get().to(verify::verify))
        .route("/assessment/mine", web::get().to(doctor::mine))
        .route("/assessment/doctors/{id}", web::get().to(doctor::doctor))
        .route("/assessment/annual", web::get().to(county::annual))
        .route("/assessment/annual/rating", web::post().to(county::rate))
        .route(
            "/assessment/annual/confirm",
            web::post().to(county::confirm),
        )
        .route("/assessment/makeup", web::get().to(county::makeup));
}

/// A refusal as one line of Chinese for a page.
fn message(e: &crate::error::AppError) -> String {
    match e {
        crate::error::AppError::Validation(f) => f
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}
