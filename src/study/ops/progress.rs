//! Progress use cases: one doctor's, and the county table (API, page, export) — every
//! one of them [`rules::progress`] over the ledger's maintained totals.

use std::collections::HashMap;

use serde::Deserialize;

use crate::access::{self, Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::study::StudyKind;
use crate::study::rules::{self, AnnualAssessment, Progress, records};
use crate::study::store::{self, table};
use crate::study::views::{ProgressRow, ProgressView};
use crate::time;

/// A doctor's progress: the program's policy, the ledger aggregate, and each training
/// year's annual assessment (the best attempt at its annual exam). Exams' eligibility
/// asks this too.
#[tracing::instrument(skip(conn))]
pub fn compute_progress(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> AppResult<Progress> {
    let (policy, years) = crate::program::policy(conn, program_id)?.ok_or(AppError::NotFound)?;
    let ledger = store::totals::ledger_of(conn, doctor_id)?;
    let mut progress = rules::progress(
        &policy.requirements,
        &policy.deadlines,
        years,
        &ledger,
        time::today_cst(),
    );
    for r in crate::exams::annual_results(conn, doctor_id)? {
        if let Some(y) = progress.annual.iter_mut().find(|y| y.year == r.year) {
            y.assessment = Some(AnnualAssessment {
                exam_id: r.exam_id,
                title: r.title,
                score: r.score.unwrap_or_default(),
                max_score: r.max_score,
                passed: r.passed.unwrap_or(false),
            });
        }
    }
    Ok(progress)
}

/// `GET /api/v1/doctors/{id}/progress`: scope check, policy and the ledger totals in
/// one database hop.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn of_doctor(state: &AppState, caller: &Caller, id: i64) -> AppResult<ProgressView> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let program_id = access::doctor(conn, &caller, id)?.doctor.program_id;
            Ok::<_, AppError>(ProgressView {
                progress: compute_progress(conn, id, program_id)?,
                doctor_id: id,
                program_id,
            })
        })
        .await
}

/// `GET /progress` and `/api/v1/progress` filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: PageParams,
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    pub region: Option<String>,
    /// `true` keeps only doctors behind schedule.
    pub behind: Option<String>,
    /// 在岗状态：active（默认）、left_post、deceased，或 all（全部）
    pub status: Option<String>,
    /// Part of a doctor's name.
    pub q: Option<String>,
}

/// What of the table a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The requested page (the API).
    Page,
    /// The page and the chart's counts (the page).
    PageAndSummary,
    /// Every kept row (the export).
    All,
}

/// The caller's doctors' progress: one page of it (paged and filtered in SQL over the
/// maintained totals), and for the page the chart's counts.
#[derive(Debug)]
pub struct CountyTable {
    pub page: ListPage<ProgressRow>,
    pub behind_only: bool,
    pub paging: Paging,
    pub summary: Option<table::Summary>,
}

/// A table line as [`rules::progress`] sees it: the per-doctor totals as a ledger (all
/// credited minutes in one year: the line shows no years).
fn row(
    line: table::Line,
    policy: &crate::program::Policy,
    years: std::ops::RangeInclusive<i32>,
    today: chrono::NaiveDate,
) -> ProgressRow {
    let mut ledger = rules::Ledger::default();
    for (kind, minutes) in [
        (StudyKind::Online, line.online),
        (StudyKind::Centralized, line.centralized),
        (StudyKind::Shadowing, line.shadowing),
        (StudyKind::Tutoring, line.tutoring),
        (StudyKind::SkillsPractice, line.skills_practice),
    ] {
        ledger.add_totals(kind, *years.start(), minutes, 0);
    }
    ledger.add_totals(StudyKind::Online, *years.start(), 0, line.pending);
    let req = &policy.requirements;
    let p = rules::progress(req, &policy.deadlines, years, &ledger, today);
    ProgressRow {
        doctor_id: line.id,
        township_code: line
            .region_path
            .split('/')
            .find(|c| c.len() == 9)
            .map(str::to_owned),
        name: line.name,
        region_code: line.region_code,
        region_name: line.region_name,
        cohort_year: line.cohort_year,
        online_minutes: i64::from(p.online.hours.credited_minutes),
        online_required: req.online_minutes,
        centralized_minutes: i64::from(p.centralized.credited_minutes),
        centralized_required: req.centralized_minutes,
        shadowing_minutes: i64::from(p.shadowing.credited_minutes),
        shadowing_required: req.shadowing_minutes,
        pending_minutes: i64::from(p.pending_minutes()),
        hours_met: p.completion.hours_met,
        behind_schedule: p.completion.behind_schedule,
        share: p.share(),
    }
}

/// The progress table of the caller's doctors (admins): the programs, then one page
/// query and one count (and for the page the chart's aggregate) over the doctors' stored
/// standing and totals.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn county_table(
    state: &AppState,
    caller: &Caller,
    query: &TableQuery,
    want: Want,
) -> AppResult<CountyTable> {
    caller.require(Role::ADMINS)?;
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let behind_only = p
        .take("behind", records::flag(query.behind.as_deref()))
        .unwrap_or(false);
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => Some(crate::roster::DoctorStatus::Active),
        Some("all") => None,
        Some(s) => p
            .take(
                "status",
                crate::roster::DoctorStatus::parse(s)
                    .map(Some)
                    .ok_or_else(|| "未知状态".to_owned()),
            )
            .flatten(),
    };
    let name = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_owned);
    if name.as_ref().is_some_and(|q| q.chars().count() > 50) {
        p.add("q", "搜索词不能超过 50 个字");
    }
    p.finish()?;
    let region = query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let caller = caller.clone();
    let today = time::today_cst();
    state
        .db(move |conn| {
            let mut scope = caller.scope();
            if let Some(code) = region {
                let region = crate::regions::resolve(conn, &code)?
                    .filter(|r| scope.contains_path(&r.path))
                    .ok_or(AppError::NotFound)?;
                scope = region.scope();
            }
            let mut policies = HashMap::new();
            let mut programs = Vec::new();
            for id in table::program_ids(conn)? {
                if let Some(policy) = crate::program::policy(conn, id)? {
                    programs.push(id);
                    policies.insert(id, policy);
                }
            }
            let filter = table::Filter {
                scope: Some(&scope),
                status: status.map(|s| s.as_str()),
                name: name.as_deref(),
                behind_only,
                today,
            };
            let (lines, total) = match want {
                Want::All => {
                    let lines = table::lines(conn, &programs, &filter, 0, None)?;
                    let total = lines.len() as i64;
                    (lines, total)
                }
                Want::Page | Want::PageAndSummary => (
                    table::lines(
                        conn,
                        &programs,
                        &filter,
                        paging.offset(),
                        Some(paging.per_page),
                    )?,
                    table::count(conn, &programs, &filter)?,
                ),
            };
            let summary = match want {
                Want::PageAndSummary => Some(table::summary(conn, &programs, &filter)?),
                Want::Page | Want::All => None,
            };
            let items = lines
                .into_iter()
                .filter_map(|line| {
                    let (policy, years) = policies.get(&line.program_id)?;
                    Some(row(line, policy, years.clone(), today))
                })
                .collect();
            Ok::<_, AppError>(CountyTable {
                page: ListPage::new(items, total, paging),
                behind_only,
                paging,
                summary,
            })
        })
        .await
}

/// The regions directly below the caller's (the table's region filter).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn child_regions(state: &AppState, caller: &Caller) -> AppResult<Vec<(String, String)>> {
    let code = caller.region.code.clone();
    Ok(state
        .db(move |conn| crate::regions::children(conn, Some(&code)))
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}
