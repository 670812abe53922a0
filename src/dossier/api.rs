//! `/api/v1/doctors/{id}/dossier` (JSON), `/dossier.xlsx` and `/dossier.pdf`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::ops;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/doctors/{id}/dossier", web::get().to(dossier))
        .route("/doctors/{id}/dossier.xlsx", web::get().to(xlsx))
        .route("/doctors/{id}/dossier.pdf", web::get().to(pdf));
}

/// `GET /api/v1/doctors/{id}/dossier` → the 一人一册 record.
async fn dossier(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::dossier(&state, &user, path.into_inner()).await?))
}

/// `GET /api/v1/doctors/{id}/dossier.xlsx`.
async fn xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (name, bytes) = ops::xlsx(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// `GET /api/v1/doctors/{id}/dossier.pdf`: the same tables, printable.
async fn pdf(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (name, bytes) = ops::pdf(&state, &user, path.into_inner()).await?;
    Ok(crate::documents::pdf_response(&name, bytes))
}
