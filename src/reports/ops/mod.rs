//! Filings' use cases, shared by the API and the pages.

pub mod dashboard;
pub mod export;
pub mod life;

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::rules::{self, plan, stats};
use super::store::{self, Located};
use super::views::{EventView, FigureRowsView, ReportRow, ReportView};
use super::{CreateBody, Report, ReportKind, Statistics};
use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::program::Program;
use crate::regions::Level;
use crate::state::AppState;
use crate::time;

/// A filing the caller may see: admins whose region holds the county. Other roles 403;
/// another county's filing 404 (audited).
pub fn find_in(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<Located> {
    caller.require(Role::ADMINS)?;
    let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
    if !caller.scope().contains_path(&found.county_path) {
        return Err(caller.denied("report.read", format!("report:{id}")));
    }
    Ok(found)
}

/// The program a filing is judged by.
fn program_of(conn: &mut AnyConnection, report: &Report) -> AppResult<Program> {
    crate::program::get(conn, report.program_id)?.ok_or(AppError::NotFound)
}

/// The statistics of a county's filing, computed now from the data.
pub fn compute(
    conn: &mut AnyConnection,
    county: &crate::regions::Region,
    program: &Program,
    kind: ReportKind,
    year: i32,
    quarter: Option<i32>,
    now: NaiveDateTime,
) -> AppResult<stats::StatsInput> {
    let period = rules::period(kind, year, quarter);
    let facts = store::facts::gather(
        conn,
        &county.code,
        &county.scope(),
        program.row.id,
        year,
        period,
        now,
    )?;
    let activity = store::activity::gather(
        conn,
        &county.code,
        &county.scope(),
        program.row.id,
        year,
        period.1,
    )?;
    let req = &program.policy.requirements;
    let today = crate::time::today_cst();
    Ok(stats::StatsInput {
        year,
        period,
        as_of: period.1.min(today),
        online_required: req.online_minutes,
        centralized_required: req.centralized_minutes,
        shadowing_required: req.shadowing_minutes,
        share: req.centralized_share,
        program_start_year: program.row.start_year,
        program_end: crate::study::rules::program_end(
            &program.policy.deadlines,
            program.row.end_year,
        ),
        quota_places: facts.quota_places,
        with_scores: kind == ReportKind::AnnualScores,
        doctors: facts.doctors,
        sessions: facts.sessions,
        placements: facts.placements,
        attempts: facts.attempts,
        activity,
    })
}

/// The facts behind a located filing.
pub fn facts_of(
    conn: &mut AnyConnection,
    found: &Located,
    now: NaiveDateTime,
) -> AppResult<stats::StatsInput> {
    let r = &found.report;
    let program = program_of(conn, r)?;
    let county = crate::regions::find(conn, &r.county_code)?.ok_or(AppError::NotFound)?;
    compute(conn, &county, &program, r.kind, r.year, r.quarter, now)
}

fn to_json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// The full view of a filing.
pub fn view_in(conn: &mut AnyConnection, found: Located) -> AppResult<ReportView> {
    let r = found.report;
    let stored = r.snapshot.as_deref().unwrap_or(&r.statistics);
    let statistics: Statistics = serde_json::from_str(stored).map_err(AppError::internal)?;
    let plan: Option<plan::Plan> = match &r.plan {
        Some(p) => Some(serde_json::from_str(p).map_err(AppError::internal)?),
        None => None,
    };
    let plan_check = match &plan {
        Some(p) => {
            let program = program_of(conn, &r)?;
            let places = statistics.value("quota_places").unwrap_or(0);
            let doctors = statistics.value("doctors_enrolled").unwrap_or(0);
            Some(plan::check(
                p,
                i32::try_from(places).unwrap_or(i32::MAX),
                doctors,
                program.policy.requirements.centralized_share,
            ))
        }
        None => None,
    };
    let events = store::events(conn, r.id)?
        .into_iter()
        .map(|(e, name)| EventView::of(e, name))
        .collect();
    let attachments = crate::archive::of_report(conn, r.id)?;
    Ok(ReportView {
        row: ReportRow::of(&r, &found.county_name),
        program_id: r.program_id,
        statistics: statistics.with_links(&format!("/api/v1/reports/{}/figures", r.id)),
        frozen: r.snapshot.is_some() && !rules::editable(r.status),
        statistics_at: r.statistics_at,
        narrative: r.narrative,
        plan,
        plan_check,
        review_comment: r.review_comment,
        reviewed_at: r.reviewed_at,
        events,
        attachments,
    })
}

/// `GET /api/v1/reports/{id}`.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<ReportView> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            view_in(conn, found)
        })
        .await
}

/// A checked create body.
struct NewFiling {
    kind: ReportKind,
    county_code: String,
    year: i32,
    quarter: Option<i32>,
}

fn check_create(body: &CreateBody) -> AppResult<NewFiling> {
    let mut p = Problems::new();
    let kind = p.take(
        "kind",
        body.kind
            .as_deref()
            .and_then(ReportKind::parse)
            .ok_or_else(|| format!("报送类型应为 {} 之一", ReportKind::codes())),
    );
    let county_code = p.take(
        "county_code",
        body.county_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| "请填写区县代码".to_owned()),
    );
    let year = p.take(
        "year",
        body.year
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| "请填写年度（2000—2100）".to_owned()),
    );
    p.finish()?;
    match (kind, county_code, year) {
        (Some(kind), Some(county_code), Some(year)) => Ok(NewFiling {
            kind,
            county_code,
            year,
            quarter: body.quarter,
        }),
        _ => Err(AppError::field("body", "提交的数据有误")),
    }
}

/// `POST /api/v1/reports`: a county admin opens a draft for its own county (another
/// county → 404; the city and others → 403), with statistics computed at once.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(state: &AppState, caller: &Caller, body: &CreateBody) -> AppResult<ReportView> {
    caller.require(&[Role::CountyAdmin])?;
    let new = check_create(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let county = crate::regions::resolve(conn, &new.county_code)?
                .filter(|r| r.level == Level::County)
                .ok_or_else(|| AppError::field("county_code", "未知的区县代码"))?;
            if !caller.scope().contains_path(&county.path) {
                return Err(caller.denied("report.create", format!("region:{}", county.code)));
            }
            let program = crate::program::covering(conn, &county, new.year)?.ok_or_else(|| {
                AppError::field(
                    "year",
                    format!("该区县没有覆盖 {} 年度的培训项目", new.year),
                )
            })?;
            let due = rules::due_on(&program.policy.deadlines, new.kind, new.year, new.quarter)
                .map_err(|(field, message)| AppError::field(field, message))?;
            let now = time::now();
            let input = compute(
                conn,
                &county,
                &program,
                new.kind,
                new.year,
                new.quarter,
                now,
            )?;
            let statistics = to_json(&stats::compute(&input))?;
            let id = store::insert(
                conn,
                &store::NewReport {
                    kind: new.kind,
                    county_code: county.code.clone(),
                    program_id: program.row.id,
                    year: new.year,
                    quarter: new.quarter,
                    due_on: due,
                    statistics,
                },
                &caller.actor(),
                now,
            )?;
            let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            view_in(conn, found)
        })
        .await
}

/// `GET /api/v1/reports` filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: PageParams,
    /// 县（市、区）代码（市级及以上账号须给出）
    pub county: Option<String>,
    /// 年度，YYYY
    pub year: Option<String>,
}

/// The filings the caller sees (admins, their region's counties).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<ReportRow>> {
    caller.require(Role::ADMINS)?;
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let year = match query
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        None => None,
        Some(y) => p.take(
            "year",
            y.parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| "年度应为 2000—2100".to_owned()),
        ),
    };
    p.finish()?;
    let county = query
        .county
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let caller = caller.clone();
    let (rows, total) = state
        .db(move |conn| {
            let county = match county {
                None => None,
                Some(code) => {
                    let region = crate::regions::resolve(conn, &code)?.ok_or(AppError::NotFound)?;
                    if !caller.scope().contains_path(&region.path) {
                        return Err(caller.denied("report.list", format!("region:{code}")));
                    }
                    Some(region.scope())
                }
            };
            Ok::<_, AppError>(store::list(
                conn,
                &caller.scope(),
                county.as_ref(),
                year,
                paging.offset(),
                paging.per_page,
            )?)
        })
        .await?;
    let items = rows
        .iter()
        .map(|(r, name)| ReportRow::of(r, name))
        .collect();
    Ok(ListPage::new(items, total, paging))
}

/// `GET /api/v1/reports/{id}/figures/{key}`: the rows behind one figure, from the data
/// as it is now.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn figure_rows(
    state: &AppState,
    caller: &Caller,
    id: i64,
    key: String,
) -> AppResult<FigureRowsView> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            let input = facts_of(conn, &found, time::now())?;
            let items = stats::rows(&input, &key).ok_or(AppError::NotFound)?;
            let (label, unit) = stats::all_figures()
                .find(|f| f.0 == key)
                .map(|f| (f.1, f.2))
                .unwrap_or_default();
            Ok::<_, AppError>(FigureRowsView {
                report_id: id,
                label: label.to_owned(),
                unit: unit.to_owned(),
                key,
                items,
            })
        })
        .await
}
