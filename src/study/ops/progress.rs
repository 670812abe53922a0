//! Progress use cases: one doctor's, and the county table (API, page, export) — every
//! one of them [`rules::progress`] over the ledger aggregate.

use std::collections::HashMap;

use serde::Deserialize;

use crate::access::{self, Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::study::rules::{self, AnnualAssessment, Progress, records};
use crate::study::store::{self, progress::Whose};
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
    let ledger = store::progress::ledger_of(conn, doctor_id)?;
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

/// `GET /api/v1/doctors/{id}/progress`: scope check, policy and the ledger aggregate in
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
#[derive(Debug, Default, Deserialize)]
pub struct TableQuery {
    #[serde(flatten)]
    pub paging: PageParams,
    pub region: Option<String>,
    /// `true` keeps only doctors behind schedule.
    pub behind: Option<String>,
    pub status: Option<String>,
}

/// The caller's doctors' progress, built once per request: the whole table for the
/// chart and the counts, filtered and paged for the list.
#[derive(Debug, Clone)]
pub struct CountyTable {
    pub all: Vec<ProgressRow>,
    pub behind_only: bool,
    pub paging: Paging,
}

impl CountyTable {
    /// The rows the filters keep.
    pub fn rows(&self) -> impl Iterator<Item = &ProgressRow> {
        self.all
            .iter()
            .filter(|r| !self.behind_only || r.behind_schedule)
    }

    /// The requested page of the kept rows.
    pub fn page(&self) -> ListPage<ProgressRow> {
        let total = self.rows().count() as i64;
        let items = self
            .rows()
            .skip(self.paging.offset() as usize)
            .take(self.paging.per_page as usize)
            .cloned()
            .collect();
        ListPage::new(items, total, self.paging)
    }
}

/// The progress table of the caller's doctors (admins): one aggregate over the ledger,
/// then [`rules::progress`] per doctor.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn county_table(
    state: &AppState,
    caller: &Caller,
    query: &TableQuery,
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
    p.finish()?;
    let region = query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let caller = caller.clone();
    let today = time::today_cst();
    let all = state
        .db(move |conn| {
            let mut scope = caller.scope();
            if let Some(code) = region {
                let region = crate::regions::resolve(conn, &code)?
                    .filter(|r| scope.contains_path(&r.path))
                    .ok_or(AppError::NotFound)?;
                scope = region.scope();
            }
            let doctors = store::progress::table_doctors(conn, &scope, status.map(|s| s.as_str()))?;
            let mut ledgers = store::progress::ledgers(conn, Whose::InScope(&scope))?;
            let mut policies = HashMap::new();
            let mut rows = Vec::with_capacity(doctors.len());
            for d in doctors {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    policies.entry(d.program_id)
                {
                    slot.insert(crate::program::policy(conn, d.program_id)?);
                }
                let Some(Some((policy, years))) = policies.get(&d.program_id) else {
                    continue;
                };
                let ledger = ledgers.remove(&d.id).unwrap_or_default();
                let req = &policy.requirements;
                let p = rules::progress(req, &policy.deadlines, years.clone(), &ledger, today);
                rows.push(ProgressRow {
                    doctor_id: d.id,
                    township_code: d
                        .region_path
                        .split('/')
                        .find(|c| c.len() == 9)
                        .map(str::to_owned),
                    name: d.name,
                    region_code: d.region_code,
                    region_name: d.region_name,
                    cohort_year: d.cohort_year,
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
                });
            }
            Ok::<_, AppError>(rows)
        })
        .await?;
    Ok(CountyTable {
        all,
        behind_only,
        paging,
    })
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
