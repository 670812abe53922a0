//! Shadowing pages: a placement with its rotations and days; the doctor logs a day,
//! the supervisor signs a rotation off.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::ops::{self, log_day, sign};
use super::rules::Relation;
use super::{AssessmentBody, LogBody, Placement, Rotation};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::points::Points;
use crate::state::AppState;
use crate::study::{RecordStatus, StudyRecord};
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/placements/{id}", web::get().to(detail))
        .route("/rotations/{id}/logs", web::post().to(log))
        .route("/rotations/{id}/sign-off", web::post().to(sign_off));
}

pub struct RotationView {
    pub r: Rotation,
    pub logs: Vec<StudyRecord>,
    pub pending: usize,
    pub may_sign: bool,
}

#[derive(Template)]
#[template(path = "shadowing/placement.html")]
struct PlacementPage {
    nav: Option<Nav>,
    csrf: String,
    p: Placement,
    base: String,
    doctor: String,
    rotations: Vec<RotationView>,
    is_doctor: bool,
    notice: Option<String>,
    error: Option<String>,
    today: String,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<PlacementPage, AppError> {
    let (found, days) = ops::page(state, user, id).await?;
    let how = found.how;
    let rotations = days
        .into_iter()
        .map(|d| RotationView {
            pending: d
                .logs
                .iter()
                .filter(|l| l.status == RecordStatus::Pending)
                .count(),
            may_sign: d.may_sign,
            r: d.rotation,
            logs: d.logs,
        })
        .collect();
    Ok(PlacementPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        p: found.placement,
        base: found.context.base_name,
        doctor: found.context.doctor_name,
        rotations,
        is_doctor: how == Relation::Doctor,
        notice,
        error,
        today: time::today_cst().to_string(),
    })
}

/// `GET /placements/{id}`.
async fn detail(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    html(&page(&state, &user, path.into_inner(), None, None).await?)
}

#[derive(Debug, Deserialize)]
struct LogForm {
    csrf: Option<String>,
    placement_id: Option<i64>,
    occurred_on: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    content: Option<String>,
}

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

/// `POST /rotations/{id}/logs`.
async fn log(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<LogForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let rotation = path.into_inner();
    let placement = form.placement_id.ok_or(AppError::NotFound)?;
    let body = LogBody {
        occurred_on: form.occurred_on.clone(),
        start_time: form.start_time.clone(),
        end_time: form.end_time.clone(),
        content: form.content.clone(),
    };
    match log_day(&state, &user, rotation, &body).await {
        Ok(r) => html(
            &page(
                &state,
                &user,
                placement,
                Some(format!(
                    "已记录 {} 分钟，待带教老师签字确认后计入。",
                    r.minutes
                )),
                None,
            )
            .await?,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &user, placement, None, Some(message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct SignForm {
    csrf: Option<String>,
    placement_id: Option<i64>,
    assessment_score: Option<String>,
    summary: Option<String>,
}

/// `POST /rotations/{id}/sign-off`.
async fn sign_off(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<SignForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let rotation = path.into_inner();
    let placement = form.placement_id.ok_or(AppError::NotFound)?;
    let score = form
        .assessment_score
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let parsed = match score.map(Points::parse) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(
                    &state,
                    &user,
                    placement,
                    None,
                    Some("考核成绩应为数字".into()),
                )
                .await?,
            );
        }
    };
    let body = AssessmentBody {
        assessment_score: parsed,
        summary: form.summary.clone(),
    };
    match sign(&state, &user, rotation, &body).await {
        Ok(n) => html(
            &page(
                &state,
                &user,
                placement,
                Some(format!("已签字确认，计入 {n} 天跟班学习。")),
                None,
            )
            .await?,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &page(&state, &user, placement, None, Some(message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
