//! `/api/v1` of the assessment (API.md "Skills and assessment").

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::ops::{annual, certificates, completion, doctor, makeup};
use super::{ConfirmBody, RatingBody, ReassessBody, RevokeBody, YearQuery};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/doctors/{id}/assessment", web::get().to(of_doctor))
        .route("/doctors/{id}/assessment/rating", web::put().to(rate))
        .route(
            "/doctors/{id}/assessment/reassess",
            web::post().to(reassess),
        )
        .route("/doctors/{id}/certificate", web::get().to(certificate))
        .route(
            "/doctors/{id}/certificate.pdf",
            web::get().to(certificate_pdf),
        )
        .route("/assessment/annual", web::get().to(annual_list))
        .route("/assessment/annual/confirm", web::post().to(confirm))
        .route("/assessment/makeup", web::get().to(makeup_lists))
        .route("/assessment/completions/decide", web::post().to(decide))
        .route("/certificates/{code}/revoke", web::post().to(revoke));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearOnly {
    /// 年度，YYYY
    year: Option<String>,
}

/// `GET /api/v1/doctors/{id}/assessment?year=YYYY` →
/// `{ongoing:{online,offline,score},annual:{score,passed},completion:{…}}`.
#[utoipa::path(
    get,
    path = "/doctors/{id}/assessment",
    operation_id = "assessment_of_doctor",
    tag = "assessment",
    params(("id" = i64, Path), YearOnly),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn of_doctor(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    q: web::Query<YearOnly>,
) -> AppResult<HttpResponse> {
    let view = doctor::of_year(&state, &user, path.into_inner(), q.into_inner().year).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `PUT /api/v1/doctors/{id}/assessment/rating {year, rating}` → the year's assessment.
#[utoipa::path(
    put,
    path = "/doctors/{id}/assessment/rating",
    operation_id = "assessment_rate",
    tag = "assessment",
    params(("id" = i64, Path)),
    request_body = RatingBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn rate(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<RatingBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(annual::rate(&state, &user, path.into_inner(), &body).await?))
}

/// `POST /api/v1/doctors/{id}/assessment/reassess {year}` → 201 the new attempt's year.
#[utoipa::path(
    post,
    path = "/doctors/{id}/assessment/reassess",
    operation_id = "assessment_reassess",
    tag = "assessment",
    params(("id" = i64, Path)),
    request_body = ReassessBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn reassess(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<ReassessBody>,
) -> AppResult<HttpResponse> {
    let view = annual::reassess(&state, &user, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// `GET /api/v1/doctors/{id}/certificate` → `{code,issued_on,…}`.
#[utoipa::path(
    get,
    path = "/doctors/{id}/certificate",
    operation_id = "assessment_certificate",
    tag = "assessment",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn certificate(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let view = certificates::of_doctor(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/doctors/{id}/certificate.pdf` → the certificate, printable.
#[utoipa::path(
    get,
    path = "/doctors/{id}/certificate.pdf",
    operation_id = "assessment_certificate_pdf",
    tag = "assessment",
    params(("id" = i64, Path)),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn certificate_pdf(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let base = format!(
        "{}://{}",
        req.connection_info().scheme(),
        req.connection_info().host()
    );
    let (name, bytes) = certificates::pdf(&state, &user, path.into_inner(), base).await?;
    Ok(crate::documents::pdf_response(&name, bytes))
}

/// `GET /api/v1/assessment/annual?region=&year=&page=&per_page=` → `{items:[{doctor_id,
/// score,passed,…}],total,page,per_page}`.
#[utoipa::path(
    get,
    path = "/assessment/annual",
    operation_id = "assessment_annual_list",
    tag = "assessment",
    params(YearQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn annual_list(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(annual::list(&state, &user, &q).await?))
}

/// `POST /api/v1/assessment/annual/confirm {region_code, year}` → what was locked.
#[utoipa::path(
    post,
    path = "/assessment/annual/confirm",
    operation_id = "assessment_confirm",
    tag = "assessment",
    request_body = ConfirmBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn confirm(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ConfirmBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(annual::confirm(&state, &user, &body).await?))
}

/// `GET /api/v1/assessment/makeup?region=&year=` → the make-up lists and counts.
#[utoipa::path(
    get,
    path = "/assessment/makeup",
    operation_id = "assessment_makeup_lists",
    tag = "assessment",
    params(YearQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn makeup_lists(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(makeup::lists(&state, &user, &q).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct DecideBody {
    region_code: Option<String>,
}

/// `POST /api/v1/assessment/completions/decide {region_code}` → counts by status.
#[utoipa::path(
    post,
    path = "/assessment/completions/decide",
    operation_id = "assessment_decide",
    tag = "assessment",
    request_body = DecideBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn decide(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<DecideBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(completion::decide(&state, &user, body.region_code).await?))
}

/// `POST /api/v1/certificates/{code}/revoke {reason}` (city admins) → the certificate.
#[utoipa::path(
    post,
    path = "/certificates/{code}/revoke",
    operation_id = "assessment_revoke",
    tag = "assessment",
    params(("code" = String, Path)),
    request_body = RevokeBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn revoke(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    Body(body): Body<RevokeBody>,
) -> AppResult<HttpResponse> {
    let view = certificates::revoke(&state, &user, path.into_inner(), body.reason).await?;
    Ok(HttpResponse::Ok().json(view))
}
