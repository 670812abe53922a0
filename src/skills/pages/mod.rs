//! Skills pages: the exam list, the county's exam setup, one exam (the examiner's
//! circuit or the county's results), statistics, and the examiner's phone page.

mod exam;
mod list;
mod score;
mod setup;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/skills", web::get().to(list::list))
        .route("/skills/exams/new", web::get().to(setup::form))
        .route("/skills/exams/new", web::post().to(setup::create))
        .route("/skills/exams/{id}", web::get().to(exam::detail))
        .route(
            "/skills/exams/{id}/statistics",
            web::get().to(exam::statistics),
        )
        .route(
            "/skills/exams/{id}/score/{doctor_id}/{station_id}",
            web::get().to(score::form),
        )
        .route(
            "/skills/exams/{id}/score/{doctor_id}/{station_id}",
            web::post().to(score::save),
        );
}
