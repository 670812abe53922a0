//! `/api/v1/exams…` and `/api/v1/attempts…` (API.md "Exams"): one file per endpoint,
//! each extract → one `ops` call → a view.

pub(crate) mod analysis;
pub(crate) mod answer;
pub(crate) mod attempt;
pub(crate) mod close;
pub(crate) mod create;
pub(crate) mod get;
pub(crate) mod list;
pub(crate) mod results;
pub(crate) mod results_xlsx;
pub(crate) mod start;
pub(crate) mod submit;
pub(crate) mod withdraw;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/exams", web::post().to(create::create))
        .route("/exams", web::get().to(list::list))
        .route("/exams/{id}", web::get().to(get::get))
        .route("/exams/{id}/withdraw", web::post().to(withdraw::withdraw))
        .route("/exams/{id}/close", web::post().to(close::close))
        .route("/exams/{id}/attempts", web::post().to(start::start))
        .route("/exams/{id}/results", web::get().to(results::results))
        .route(
            "/exams/{id}/results.xlsx",
            web::get().to(results_xlsx::results_xlsx),
        )
        .route("/exams/{id}/analysis", web::get().to(analysis::analysis))
        .route("/attempts/{id}", web::get().to(attempt::attempt))
        .route(
            "/attempts/{id}/answers/{question_id}",
            web::put().to(answer::save_answer),
        )
        .route("/attempts/{id}/submit", web::post().to(submit::submit));
}
