//! The city dashboard: per county and filing due in a year, where it stands; per
//! district, quota use and the funding basis.

use serde::{Deserialize, Serialize};

use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult};
use crate::program::rules::{DueKind, calendar};
use crate::reports::rules::dashboard::{FilingState, Funding, filing_state, funding};
use crate::reports::store;
use crate::reports::views::title;
use crate::reports::{ReportKind, ReportStatus};
use crate::state::AppState;
use crate::time;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// 年度，YYYY
    pub year: Option<String>,
}

/// One county's standing on one filing.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub kind: ReportKind,
    pub quarter: Option<i32>,
    pub title: String,
    pub due_on: chrono::NaiveDate,
    pub state: FilingState,
    pub state_label: &'static str,
    pub late: Option<bool>,
    pub report_id: Option<i64>,
}

/// A county's row.
#[derive(Debug, Clone, Serialize)]
pub struct CountyLine {
    pub county_code: String,
    pub county_name: String,
    pub filings: Vec<Cell>,
    pub funding: Funding,
}

/// Counts across the counties.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub returned: i64,
    pub pending: i64,
    pub places: i64,
    pub enrolled: i64,
    pub completed: i64,
    pub deductions: i64,
}

/// `GET /api/v1/reports/dashboard?year=`.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub year: i32,
    pub program_id: Option<i64>,
    pub counties: Vec<CountyLine>,
    pub totals: Totals,
}

fn kind_of(due: DueKind) -> Option<ReportKind> {
    match due {
        DueKind::AnnualPlan => Some(ReportKind::AnnualPlan),
        DueKind::QuarterlySummary => Some(ReportKind::QuarterlySummary),
        DueKind::AnnualSummary => Some(ReportKind::AnnualSummary),
        DueKind::AnnualScores => Some(ReportKind::AnnualScores),
        DueKind::TrainingDone => None,
    }
}

/// The dashboard of the caller's counties (admins; the city sees all of its own).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn dashboard(
    state: &AppState,
    caller: &Caller,
    query: &DashboardQuery,
) -> AppResult<Dashboard> {
    caller.require(Role::ADMINS)?;
    let today = time::today_cst();
    let year = match query
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        None => chrono::Datelike::year(&today),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| AppError::field("year", "年度应为 2000—2100"))?,
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let scope = caller.scope();
            let counties = crate::regions::counties_in(conn, &scope)?;
            let mut lines = Vec::new();
            let mut totals = Totals::default();
            let filed = store::of_year(conn, &scope, year)?;
            let mut program_id = None;
            let codes: Vec<String> = counties.iter().map(|c| c.code.clone()).collect();
            let mut by_program = std::collections::HashMap::new();
            for county in counties {
                let Some(program) = crate::program::covering(conn, &county, year)? else {
                    continue;
                };
                program_id.get_or_insert(program.row.id);
                let (places, cohorts) = match by_program.entry(program.row.id) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        let places = store::dashboard::places(conn, program.row.id, year)?;
                        let cohorts =
                            store::dashboard::cohorts(conn, program.row.id, year, &codes)?;
                        e.insert((places, cohorts))
                    }
                };
                let mut filings = Vec::new();
                for due in calendar(&program.policy.deadlines, year, year) {
                    let Some(kind) = kind_of(due.kind) else {
                        continue;
                    };
                    let quarter = due.quarter.map(i32::from);
                    let report = filed.iter().find(|r| {
                        r.county_code == county.code && r.kind == kind && r.quarter == quarter
                    });
                    let state = filing_state(due.due, report.map(|r| r.status), today);
                    let late = report.and_then(|r| r.late);
                    match state {
                        FilingState::Missing => totals.missing += 1,
                        FilingState::Returned => totals.returned += 1,
                        FilingState::Pending => totals.pending += 1,
                        _ if late == Some(true) => totals.late += 1,
                        _ => totals.on_time += 1,
                    }
                    filings.push(Cell {
                        kind,
                        quarter,
                        title: title(kind, year, quarter),
                        due_on: due.due,
                        state,
                        state_label: state.label(),
                        late: report
                            .filter(|r| r.status != ReportStatus::Draft)
                            .and_then(|r| r.late),
                        report_id: report.map(|r| r.id),
                    });
                }
                let ended = crate::study::rules::program_end(&program.policy.deadlines, year)
                    .is_some_and(|end| today > end);
                let f = funding(
                    i64::from(places.get(&county.code).copied().unwrap_or(0)),
                    &cohorts.remove(&county.code).unwrap_or_default(),
                    ended,
                );
                totals.places += f.places;
                totals.enrolled += f.enrolled;
                totals.completed += f.completed;
                totals.deductions += f.deductions;
                lines.push(CountyLine {
                    county_code: county.code,
                    county_name: county.name,
                    filings,
                    funding: f,
                });
            }
            Ok::<_, AppError>(Dashboard {
                year,
                program_id,
                counties: lines,
                totals,
            })
        })
        .await
}
