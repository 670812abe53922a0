//! Session pages: the list, creating one, the instructor's page (rotating code with its
//! QR, attendance, marking), and the doctor's check-in page.

mod checkin;
mod detail;
mod list;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sessions", web::get().to(list::list))
        .route("/sessions/new", web::get().to(list::new_form))
        .route("/sessions/new", web::post().to(list::create))
        .route("/sessions/{id}", web::get().to(detail::detail))
        .route("/sessions/{id}/attendance", web::post().to(detail::mark))
        .route("/checkin/{id}", web::get().to(checkin::form))
        .route("/checkin/{id}", web::post().to(checkin::checkin));
}
