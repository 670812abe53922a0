//! Program pages: the list, one program's rules and deadlines, its quota table, and
//! creating a program from a preset.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::ops::QuotaLine;
use super::views::{due_label, hours_text};
use super::{Program, ProgramBody, ops};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, html, html_status, see_other};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/programs", web::get().to(list))
        .route("/programs/new", web::post().to(create))
        .route("/programs/{id}", web::get().to(detail))
        .route("/programs/{id}/quotas", web::get().to(quotas));
}

#[derive(Template)]
#[template(path = "program/list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    programs: Vec<Program>,
    presets: Vec<(&'static str, String)>,
    can_create: bool,
    error: Option<String>,
}

fn preset_names() -> Vec<(&'static str, String)> {
    ops::presets()
        .into_iter()
        .map(|p| (p.key, p.name))
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    error: Option<String>,
) -> Result<ListPage, AppError> {
    Ok(ListPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        programs: ops::list(state, user).await?,
        presets: preset_names(),
        can_create: ops::may_create(user),
        error,
    })
}

/// `GET /programs`.
async fn list(state: web::Data<AppState>, user: PageUser) -> PageResult {
    html(&list_page(&state, &user, None).await?)
}

#[derive(Debug, Deserialize)]
struct CreateForm {
    csrf: Option<String>,
    preset: Option<String>,
}

/// `POST /programs/new`: instantiate a preset for the caller's city.
async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<CreateForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let body = ProgramBody {
        preset: form.preset.clone(),
        ..ProgramBody::default()
    };
    let outcome = ops::create(&state, &user, &body).await;
    match outcome {
        Ok(program) => Ok(see_other(&format!("/programs/{}", program.row.id))),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_) | AppError::Validation(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let message = match &e {
                AppError::Validation(errors) => errors
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            html_status(status, &list_page(&state, &user, Some(message)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A deadline as a row of the page.
pub struct DueRow {
    pub label: String,
    pub due: String,
    pub passed: bool,
}

#[derive(Template)]
#[template(path = "program/detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    program: Program,
    hours: Vec<(&'static str, String)>,
    dues: Vec<DueRow>,
    can_see_quotas: bool,
}

/// `GET /programs/{id}`.
async fn detail(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    let program = ops::get(&state, &user, path.into_inner()).await?;
    let r = &program.policy.requirements;
    let mut hours = vec![
        (
            "线上自学",
            hours_text(r.online_minutes, r.class_hour_minutes),
        ),
        (
            "集中培训",
            hours_text(r.centralized_minutes, r.class_hour_minutes),
        ),
        (
            "脱产跟班学习",
            hours_text(r.shadowing_minutes, r.class_hour_minutes),
        ),
    ];
    if let Some(c) = &r.combined {
        let kinds: Vec<&str> = c.kinds.iter().map(|k| k.label()).collect();
        hours.push((
            "合计要求",
            format!(
                "{}合计 {}",
                kinds.join("、"),
                hours_text(c.minutes, r.class_hour_minutes)
            ),
        ));
    }
    let today = time::today_cst();
    let dues = program
        .view()
        .calendar
        .iter()
        .map(|d| DueRow {
            label: due_label(d),
            due: d.due.format("%Y-%m-%d").to_string(),
            passed: d.due < today,
        })
        .collect();
    html(&DetailPage {
        nav: Nav::of(&user),
        can_see_quotas: user.role().is_admin(),
        program,
        hours,
        dues,
    })
}

#[derive(Template)]
#[template(path = "program/quotas.html")]
struct QuotasPage {
    nav: Option<Nav>,
    program_id: i64,
    program_name: String,
    years: Vec<i32>,
    rows: Vec<QuotaLine>,
    totals: Vec<(i64, i64)>,
}

/// `GET /programs/{id}/quotas`: districts × years, places vs enrolled.
async fn quotas(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    let id = path.into_inner();
    let table = ops::quota_table(&state, &user, id).await?;
    html(&QuotasPage {
        nav: Nav::of(&user),
        program_id: id,
        program_name: table.program.row.name.clone(),
        years: table.years,
        rows: table.rows,
        totals: table.totals,
    })
}
