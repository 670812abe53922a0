//! One doctor's assessment, year by year.

use chrono::NaiveDate;

use crate::access::{self, Caller};
use crate::assessment::views::AssessmentView;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;

use super::compute::{Loaded, YearResult};

/// `GET /api/v1/doctors/{id}/assessment?year=YYYY` (a doctor itself, an instructor its
/// doctors, admins their region; anything else 404). The year defaults to this year
/// within the program's years.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn of_year(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
    year: Option<String>,
) -> AppResult<AssessmentView> {
    let mut p = Problems::new();
    let asked = match year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(_) => super::query_year(year.as_deref(), &mut p),
        None => None,
    };
    p.finish()?;
    let caller = caller.clone();
    let today = crate::time::today_cst();
    state
        .db(move |conn| view(conn, &caller, doctor_id, asked, today))
        .await
}

/// The assessment of a doctor's year (`None`: this year, within the program's years).
pub fn view(
    conn: &mut AnyConnection,
    caller: &Caller,
    doctor_id: i64,
    asked: Option<i32>,
    today: NaiveDate,
) -> AppResult<AssessmentView> {
    let record = access::doctor(conn, caller, doctor_id)?;
    let loaded = Loaded::read(conn, doctor_id, record.doctor.program_id)?;
    let year = year_of_program(&loaded.years, asked, today)?;
    let y = loaded.year(year);
    Ok(AssessmentView {
        doctor_id,
        program_id: loaded.program_id,
        year,
        ongoing: y.ongoing,
        annual: y.annual,
        completion: loaded.completion_view(today),
        detail: y.detail,
    })
}

/// The year asked for, which must be one of the program's (422 naming them); none
/// asked: this year, within them.
pub fn year_of_program(
    years: &std::ops::RangeInclusive<i32>,
    asked: Option<i32>,
    today: NaiveDate,
) -> AppResult<i32> {
    let (first, last) = (*years.start(), *years.end());
    match asked {
        Some(y) if !years.contains(&y) => Err(AppError::field(
            "year",
            format!("该学员的培训项目为 {first}—{last} 年度"),
        )),
        Some(y) => Ok(y),
        None => Ok(chrono::Datelike::year(&today).clamp(first, last)),
    }
}

/// Every year of a doctor's program, for its page (and the dossier).
#[derive(Debug, Clone, serde::Serialize)]
pub struct History {
    pub doctor_name: String,
    pub program_id: i64,
    pub years: Vec<YearResult>,
    pub completion: crate::assessment::views::CompletionView,
}

/// A doctor's assessment page: every year of the program, and completion.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn history(state: &AppState, caller: &Caller, doctor_id: i64) -> AppResult<History> {
    let caller = caller.clone();
    let today = crate::time::today_cst();
    state
        .db(move |conn| {
            let record = access::doctor(conn, &caller, doctor_id)?;
            history_in(conn, &record.doctor, today)
        })
        .await
}

/// [`history`] of a doctor the caller may see (scope checked by the caller): the
/// dossier reads it here.
pub fn history_in(
    conn: &mut AnyConnection,
    doctor: &crate::roster::Doctor,
    today: NaiveDate,
) -> AppResult<History> {
    let loaded = Loaded::read(conn, doctor.id, doctor.program_id)?;
    Ok(History {
        doctor_name: doctor.name.clone(),
        program_id: loaded.program_id,
        years: loaded.years.clone().map(|y| loaded.year(y)).collect(),
        completion: loaded.completion_view(today),
    })
}
