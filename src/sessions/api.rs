//! `/api/v1/sessions`: centralized sessions, attendance, check-in, sign-in sheets.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::SessionBody;
use super::ops::{self, ListQuery, attendance, code, detail};
use super::views::base_url;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;
use crate::study::RecordView;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sessions", web::post().to(create))
        .route("/sessions", web::get().to(list))
        .route("/sessions/{id}", web::get().to(get))
        .route("/sessions/{id}/attendance", web::post().to(mark))
        .route("/sessions/{id}/checkin-code", web::get().to(checkin_code))
        .route("/sessions/{id}/checkin", web::post().to(checkin))
        .route("/sessions/{id}/sign-in.xlsx", web::get().to(sign_in_sheet));
}

/// `POST /api/v1/sessions` → 201 session (admins, in their region).
#[utoipa::path(
    post,
    path = "/sessions",
    operation_id = "sessions_create",
    tag = "sessions",
    request_body = SessionBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<SessionBody>,
) -> AppResult<HttpResponse> {
    let view = ops::create(&state, &user, &body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// `GET /api/v1/sessions?when=upcoming|past|all&region=CODE`.
#[utoipa::path(
    get,
    path = "/sessions",
    operation_id = "sessions_list",
    tag = "sessions",
    params(crate::extract::PageParams, ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::list(&state, &user, &query).await?))
}

/// `GET /api/v1/sessions/{id}` → the session; to those who run it, with its attendance.
#[utoipa::path(
    get,
    path = "/sessions/{id}",
    operation_id = "sessions_get",
    tag = "sessions",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(detail::detail(&state, &user, path.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct AttendanceBody {
    doctor_ids: Option<Vec<i64>>,
}

/// `POST /api/v1/sessions/{id}/attendance` `{doctor_ids}` → `{credited, already,
/// records}` (all or nothing; already credited doctors are left as they are).
#[utoipa::path(
    post,
    path = "/sessions/{id}/attendance",
    operation_id = "sessions_mark",
    tag = "sessions",
    params(("id" = i64, Path)),
    request_body = AttendanceBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn mark(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AttendanceBody>,
) -> AppResult<HttpResponse> {
    let ids = body.doctor_ids.unwrap_or_default();
    let marked = attendance::mark(&state, &user, path.into_inner(), ids).await?;
    Ok(HttpResponse::Ok().json(marked))
}

/// `GET /api/v1/sessions/{id}/checkin-code` → `{open, code, valid_until, url, qr_svg}`.
#[utoipa::path(
    get,
    path = "/sessions/{id}/checkin-code",
    operation_id = "sessions_checkin_code",
    tag = "sessions",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn checkin_code(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let body = code::current(&state, &user, base_url(&req), path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CheckinBody {
    code: Option<String>,
}

/// `POST /api/v1/sessions/{id}/checkin` `{code}` (a doctor) → 201 its attendance record.
#[utoipa::path(
    post,
    path = "/sessions/{id}/checkin",
    operation_id = "sessions_checkin",
    tag = "sessions",
    params(("id" = i64, Path)),
    request_body = CheckinBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn checkin(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<CheckinBody>,
) -> AppResult<HttpResponse> {
    let code = body.code.unwrap_or_default();
    let record = attendance::check_in(&state, &user, path.into_inner(), code).await?;
    Ok(HttpResponse::Created().json(RecordView::of(&record)))
}

/// `GET /api/v1/sessions/{id}/sign-in.xlsx` → 签到表.
#[utoipa::path(
    get,
    path = "/sessions/{id}/sign-in.xlsx",
    operation_id = "sessions_sign_in_sheet",
    tag = "sessions",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn sign_in_sheet(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let bytes = detail::sign_in_sheet(&state, &user, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"sign-in-{id}.xlsx\""),
        ))
        .body(bytes))
}
