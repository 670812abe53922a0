//! `GET /progress/{id}`: where the county's progress table leads — one doctor's hours
//! per kind against the requirement, what awaits review, its records a page at a time,
//! its exams and its assessment year by year.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::mine::{Bar, bars};
use super::{Line, line};
use crate::auth::PageUser;
use crate::dossier::views::ExamEntry;
use crate::extract::Paging;
use crate::page::{Nav, PageResult, Pager, html};
use crate::state::AppState;
use crate::study::ops::drill;

/// Records per page of the drill-down.
const PER_PAGE: i64 = 20;

/// A year of the assessment, as the page shows it.
pub struct YearLine {
    pub year: i32,
    pub score: String,
    pub passed: bool,
    pub confirmed: bool,
    pub exam: Option<String>,
}

#[derive(Template)]
#[template(path = "study/doctor.html")]
struct DoctorPage {
    nav: Option<Nav>,
    doctor_id: i64,
    name: String,
    region_name: String,
    cohort_year: i32,
    status: &'static str,
    behind: bool,
    bars: Vec<Bar>,
    pending: Vec<Line>,
    pending_minutes: i32,
    records: Vec<Line>,
    pager: Pager,
    exams: Vec<ExamEntry>,
    years: Vec<YearLine>,
    completion: &'static str,
    makeup_deadline: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DoctorQuery {
    page: Option<String>,
}

/// `GET /progress/{id}[?page=N]` (administrators; another county's doctor is 404).
pub async fn doctor(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    query: web::Query<DoctorQuery>,
) -> PageResult {
    let id = path.into_inner();
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let paging = Paging {
        page,
        per_page: PER_PAGE,
    };
    let o = drill::overview(&state, &user, id, paging).await?;
    let exams = crate::dossier::ops::exams(&state, &user, id).await?;
    let history = crate::assessment::ops::doctor::history(&state, &user, id).await?;
    let p = &o.progress;
    let pending_minutes = o.pending.iter().map(|r| r.minutes).sum();
    html(&DoctorPage {
        nav: Nav::of(&user),
        doctor_id: o.doctor_id,
        status: p.completion.status.label(),
        behind: p.completion.behind_schedule,
        bars: bars(p),
        name: o.name,
        region_name: o.region_name,
        cohort_year: o.cohort_year,
        pending: o.pending.into_iter().map(line).collect(),
        pending_minutes,
        records: o.records.into_iter().map(line).collect(),
        pager: Pager {
            page,
            pages: paging.pages(o.total_records),
            total: o.total_records,
            base: String::from("r=1"),
        },
        exams,
        years: history
            .years
            .iter()
            .map(|y| YearLine {
                year: y.year,
                score: y.annual.score.to_string(),
                passed: y.annual.passed,
                confirmed: y.annual.confirmed,
                exam: y.annual.exam.map(|e| e.to_string()),
            })
            .collect(),
        completion: history.completion.status_label,
        makeup_deadline: history.completion.makeup_deadline.map(|d| d.to_string()),
    })
}
