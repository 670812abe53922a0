//! Importing a roster spreadsheet into one county, in named steps: map the headers,
//! check every row, check against the roster, then write all of them in one transaction,
//! or nothing. Re-importing the same file changes nothing; a changed row updates its
//! doctor (matched by ID number).

mod check;
mod headers;
mod places;
mod write;

use chrono::{NaiveDate, NaiveDateTime};

use crate::audit::Actor;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::pii::Pii;
use crate::regions::Region;
use crate::roster::ImportReport;
use crate::roster::store;
use crate::sheet::Sheet;

/// What to import into.
#[derive(Debug, Clone)]
pub struct Target {
    pub county: Region,
    /// The program every row joins; `None` picks, per row, the city's program that
    /// covers the row's 培训年度.
    pub program_id: Option<i64>,
    pub dry_run: bool,
}

/// Check and (unless a dry run or any row is bad) write a roster sheet. `progress` is
/// called with the number of rows written so far.
#[allow(clippy::too_many_arguments)]
pub fn run(
    conn: &mut AnyConnection,
    pii: &Pii,
    sheet: &Sheet,
    target: &Target,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
    progress: &dyn Fn(usize),
) -> Result<ImportReport, AppError> {
    let headers = headers::Headers::map(sheet)?;
    let places = places::Places::new(
        &target.county.code,
        store::import::places_of(conn, &target.county)?,
    );
    let programs = store::import::programs_of_city(conn, &target.county)?;
    if let Some(id) = target.program_id
        && !programs.iter().any(|p| p.id == id)
    {
        return Err(AppError::field(
            "program_id",
            "该培训项目不属于本区县所在的市",
        ));
    }

    let mut problems = check::Problems::new(&headers);
    let planned = check::rows(
        sheet,
        &headers,
        &places,
        &programs,
        target,
        pii,
        today,
        &mut problems,
    );
    let indexes: Vec<String> = planned.iter().map(|p| p.index.clone()).collect();
    let existing = store::by_indexes(conn, &indexes)?;
    check::registered_elsewhere(&planned, &existing, &target.county.code, &mut problems);

    let mut report = ImportReport {
        dry_run: target.dry_run,
        rows: sheet.rows.len(),
        ..ImportReport::default()
    };
    if !problems.is_empty() {
        report.errors = problems.errors;
        report.errors_more = crate::roster::cap_errors(&mut report.errors, problems.more);
        return Ok(report);
    }
    let writer = write::Writer {
        pii,
        target,
        actor,
        today,
        now,
        progress,
    };
    writer.write(conn, &planned, &existing, report)
}

/// [`run`]'s checks that need no database, as one call for the fuzz targets (`fuzz/`):
/// map the headers, then check every row of `sheet` against the county's townships and
/// villages (`places`) and the city's programs, as `run` does before it reads the
/// roster. Returns how many rows passed and the problems (capped as `run` caps them).
pub fn check_offline(
    sheet: &Sheet,
    target: &Target,
    places: Vec<store::import::PlaceRow>,
    programs: &[store::import::CityProgram],
    pii: &Pii,
    today: NaiveDate,
) -> Result<(usize, ImportReport), AppError> {
    let headers = headers::Headers::map(sheet)?;
    let places = places::Places::new(&target.county.code, places);
    let mut problems = check::Problems::new(&headers);
    let planned = check::rows(
        sheet,
        &headers,
        &places,
        programs,
        target,
        pii,
        today,
        &mut problems,
    );
    let mut report = ImportReport {
        dry_run: true,
        rows: sheet.rows.len(),
        ..ImportReport::default()
    };
    report.errors = problems.errors;
    report.errors_more = crate::roster::cap_errors(&mut report.errors, problems.more);
    Ok((planned.len(), report))
}
