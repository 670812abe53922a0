//! `GET /reports/{id}`: a filing — its figures, narrative, plan, history; the county
//! edits, refreshes and submits it, the city accepts or returns it (`POST /reports/{id}`
//! with `action`); `GET /reports/{id}/figures/{key}` lists a figure's rows.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::messages;
use crate::auth::{PageUser, Role};
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, html_status, see_other};
use crate::reports::ops::{self, life};
use crate::reports::rules::{self, plan::yuan};
use crate::reports::views::{FigureRowsView, ReportView};
use crate::reports::{PlannedSession, ReportKind, ReportStatus, ReviewBody, UpdateBody};
use crate::state::AppState;

/// Empty session rows offered for a plan.
const BLANK_SESSIONS: usize = 3;

#[derive(Template)]
#[template(path = "reports/detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    r: ReportView,
    editable: bool,
    reviewable: bool,
    is_plan: bool,
    sessions: Vec<PlannedSession>,
    areas: Vec<(&'static str, &'static str)>,
    budget: Vec<(&'static str, &'static str, String)>,
    notice: Option<String>,
    errors: Vec<String>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<DetailPage, AppError> {
    let r = ops::get(state, user, id).await?;
    let plan = r.plan.clone().unwrap_or_default();
    let mut sessions = plan.sessions.clone();
    sessions.extend((0..BLANK_SESSIONS).map(|_| PlannedSession {
        title: String::new(),
        topic: String::new(),
        month: 0,
        capacity: 0,
    }));
    Ok(DetailPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        editable: user.role() == Role::CountyAdmin && rules::editable(r.row.status),
        reviewable: user.role() == Role::CityAdmin && r.row.status == ReportStatus::Submitted,
        is_plan: r.row.kind == ReportKind::AnnualPlan,
        sessions,
        areas: crate::areas::AREAS.to_vec(),
        budget: plan
            .budget
            .lines()
            .iter()
            .map(|(code, name, fen)| (*code, *name, yuan(*fen)))
            .collect(),
        r,
        notice,
        errors,
    })
}

/// `GET /reports/{id}`.
pub async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    html(&page(&state, &user, path.into_inner(), None, Vec::new()).await?)
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

fn all<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .collect()
}

/// Fen from a yuan amount as typed (`1200`, `1200.5`); garbage is sent on as a string so
/// that the plan's check names the field.
fn fen(raw: &str) -> serde_json::Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return 0.into();
    }
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let frac = format!("{frac:0<2}");
    match (
        whole.parse::<i64>(),
        frac.get(..2).and_then(|f| f.parse::<i64>().ok()),
    ) {
        (Ok(w), Some(f)) if frac.len() == 2 && w >= 0 => (w * 100 + f).into(),
        _ => raw.into(),
    }
}

fn number(raw: &str) -> serde_json::Value {
    match raw.trim().parse::<i64>() {
        Ok(n) => n.into(),
        Err(_) if raw.trim().is_empty() => 0.into(),
        Err(_) => raw.trim().into(),
    }
}

/// The plan as the form sends it, as the API's JSON.
fn plan_json(pairs: &[(String, String)]) -> serde_json::Value {
    let titles = all(pairs, "s_title");
    let topics = all(pairs, "s_topic");
    let months = all(pairs, "s_month");
    let capacities = all(pairs, "s_capacity");
    let sessions: Vec<serde_json::Value> = titles
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| {
            serde_json::json!({
                "title": t,
                "topic": topics.get(i).copied().unwrap_or(""),
                "month": number(months.get(i).copied().unwrap_or("")),
                "capacity": number(capacities.get(i).copied().unwrap_or("")),
            })
        })
        .collect();
    let mut budget = serde_json::Map::new();
    for (code, _, _) in crate::reports::Budget::default().lines() {
        budget.insert(code.into(), fen(field(pairs, &format!("b_{code}"))));
    }
    serde_json::json!({
        "sessions": sessions,
        "shadowing_places": number(field(pairs, "shadowing_places")),
        "tutoring_groups": number(field(pairs, "tutoring_groups")),
        "planned_trainees": number(field(pairs, "planned_trainees")),
        "planned_centralized": number(field(pairs, "planned_centralized")),
        "budget": budget,
    })
}

/// `POST /reports/{id}` with `action`: `save`, `refresh`, `submit`, `accept`, `return`.
pub async fn act(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let is_plan = field(&pairs, "is_plan") == "1";
    let save = || UpdateBody {
        narrative: Some(field(&pairs, "narrative").to_owned()),
        plan: is_plan.then(|| plan_json(&pairs)),
    };
    let outcome: Result<String, AppError> = match field(&pairs, "action") {
        "save" => life::update(&state, &user, id, save())
            .await
            .map(|_| "已保存。".into()),
        "refresh" => life::refresh(&state, &user, id)
            .await
            .map(|_| "统计数据已按最新数据刷新。".into()),
        "submit" => match life::update(&state, &user, id, save()).await {
            Ok(_) => life::submit(&state, &user, id).await.map(|s| {
                if s.late {
                    "已报送市卫健委（已超过报送期限）。".into()
                } else {
                    "已按时报送市卫健委。".into()
                }
            }),
            Err(e) => Err(e),
        },
        decision @ ("accept" | "return") => {
            let body = ReviewBody {
                decision: Some(decision.into()),
                comment: Some(field(&pairs, "comment").to_owned()),
            };
            life::review(&state, &user, id, body)
                .await
                .map(|r| format!("审核结果：{}。", r.row.status.label()))
        }
        _ => Err(AppError::field("action", "未知操作")),
    };
    match outcome {
        Ok(notice) => html(&page(&state, &user, id, Some(notice), Vec::new()).await?),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            html_status(status, &page(&state, &user, id, None, messages(&e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reports/figure.html")]
struct FigurePage {
    nav: Option<Nav>,
    f: FigureRowsView,
    doctors: bool,
}

/// `GET /reports/{id}/figures/{key}`.
pub async fn figure(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(i64, String)>,
) -> PageResult {
    let (id, key) = path.into_inner();
    if key.is_empty() {
        return Ok(see_other(&format!("/reports/{id}")));
    }
    let f = ops::figure_rows(&state, &user, id, key).await?;
    let doctors = !matches!(
        f.key.as_str(),
        "quota_places"
            | "sessions_held"
            | "session_attendance"
            | "placements"
            | "placements_signed_off"
    );
    html(&FigurePage {
        nav: Nav::of(&user),
        f,
        doctors,
    })
}
