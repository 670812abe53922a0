//! `/api/v1/doctors/{id}/dossier` (JSON) and `/dossier.xlsx`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::ops;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/doctors/{id}/dossier", web::get().to(dossier))
        .route("/doctors/{id}/dossier.xlsx", web::get().to(xlsx));
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
