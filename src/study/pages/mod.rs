//! Study pages: the doctor's phone page (progress bars, what is pending, upcoming
//! sessions, logging study), the review queue, the county progress table with its
//! distribution chart, and the platform import.

mod doctor;
mod import;
mod mine;
mod review;
mod table;

use actix_web::web;

use crate::error::AppError;
use crate::study::StudyRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/study", web::get().to(mine::mine))
        .route("/study", web::post().to(mine::log))
        .route("/study/review", web::get().to(review::queue))
        .route("/study/review/bulk", web::post().to(review::bulk))
        .route("/study/review/{id}", web::post().to(review::decide))
        .route("/progress", web::get().to(table::table))
        .route("/progress/{id}", web::get().to(doctor::doctor))
        .route("/study/import", web::get().to(import::form))
        .route("/study/import", web::post().to(import::check))
        .route("/study/import/confirm", web::post().to(import::confirm));
}

/// A record as a line of a page.
pub struct Line {
    pub r: StudyRecord,
    pub kind: &'static str,
    pub status: &'static str,
    pub rejected: bool,
}

fn line(r: StudyRecord) -> Line {
    Line {
        kind: r.kind.label(),
        status: r.status.label(),
        rejected: r.status == crate::study::RecordStatus::Rejected,
        r,
    }
}

/// An error as one sentence for a page.
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
