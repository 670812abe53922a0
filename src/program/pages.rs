//! Program pages: the list, one program's rules and deadlines, its quota table, and
//! creating a program from a preset.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::api::quota_rows;
use super::{Program, ProgramBody, QuotaUse, rules, store};
use crate::auth::{PageUser, Role};
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
    rules::preset_keys()
        .into_iter()
        .filter_map(|k| rules::preset(k).ok().map(|d| (k, d.name)))
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    error: Option<String>,
) -> Result<ListPage, AppError> {
    let region = user.region.clone();
    let programs = state
        .db(move |conn| store::list_visible(conn, &region))
        .await?;
    Ok(ListPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        programs,
        presets: preset_names(),
        can_create: matches!(user.role(), Role::CityAdmin | Role::Sysadmin),
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
    user.require(&[Role::CityAdmin, Role::Sysadmin])?;
    let body = ProgramBody {
        preset: form.preset.clone(),
        ..ProgramBody::default()
    };
    let outcome = match rules::definition_from_body(&body) {
        Ok(def) if user.role() == Role::CityAdmin && def.region_code != user.region.code => {
            Err(AppError::Forbidden("只能为本市建立培训项目".into()))
        }
        Ok(def) => {
            let actor = user.actor();
            state
                .db(move |conn| store::insert(conn, &def, &actor, time::now()))
                .await
        }
        Err(e) => Err(e),
    };
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

fn hours_text(minutes: i32, class_hour_minutes: i32) -> String {
    if minutes == 0 {
        return "不作要求".into();
    }
    let hours = f64::from(minutes) / 60.0;
    let class_hours = f64::from(minutes) / f64::from(class_hour_minutes.max(1));
    if class_hour_minutes == 60 {
        format!("{hours:.0} 学时（{minutes} 分钟）")
    } else {
        format!("{class_hours:.1} 学时（{hours:.1} 小时）")
    }
}

fn due_label(d: &rules::Due) -> String {
    match (d.kind, d.quarter) {
        ("annual_plan", _) => format!("{} 年度培训计划报市卫健委", d.year),
        ("quarterly_summary", Some(q)) => format!("{} 年第 {q} 季度培训工作总结", d.year),
        ("training_done", _) => format!("{} 年度培训任务完成", d.year),
        ("annual_scores", _) => format!("{} 年度综合考核成绩报送", d.year),
        ("annual_summary", _) => format!("{} 年度培训工作总结", d.year),
        (other, _) => other.to_owned(),
    }
}

/// `GET /programs/{id}`.
async fn detail(state: web::Data<AppState>, user: PageUser, path: web::Path<String>) -> PageResult {
    let id = path.parse().map_err(|_| AppError::NotFound)?;
    let program = crate::access::load_program(&state, &user, id).await?;
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
    let dues = rules::calendar(
        &program.policy.deadlines,
        program.row.start_year,
        program.row.end_year,
    )
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

/// One district across the years.
pub struct QuotaLine {
    pub region_code: String,
    pub region_name: String,
    pub cells: Vec<Option<QuotaUse>>,
}

/// `GET /programs/{id}/quotas`: districts × years, places vs enrolled.
async fn quotas(state: web::Data<AppState>, user: PageUser, path: web::Path<String>) -> PageResult {
    let id: i64 = path.parse().map_err(|_| AppError::NotFound)?;
    user.require(Role::ADMINS)?;
    let program = crate::access::load_program(&state, &user, id).await?;
    let uses = quota_rows(&state, &user, id).await?;
    let years: Vec<i32> = program.years().collect();
    let mut rows: Vec<QuotaLine> = Vec::new();
    for u in &uses {
        if !rows.iter().any(|r| r.region_code == u.region_code) {
            rows.push(QuotaLine {
                region_code: u.region_code.clone(),
                region_name: u.region_name.clone(),
                cells: years
                    .iter()
                    .map(|y| {
                        uses.iter()
                            .find(|x| x.region_code == u.region_code && x.year == *y)
                            .cloned()
                    })
                    .collect(),
            });
        }
    }
    rows.sort_by(|a, b| a.region_code.cmp(&b.region_code));
    let totals = years
        .iter()
        .map(|y| {
            let of_year = uses.iter().filter(|u| u.year == *y);
            (
                of_year.clone().map(|u| i64::from(u.places)).sum(),
                of_year.map(|u| u.enrolled).sum(),
            )
        })
        .collect();
    html(&QuotasPage {
        nav: Nav::of(&user),
        program_id: id,
        program_name: program.row.name.clone(),
        years,
        rows,
        totals,
    })
}
