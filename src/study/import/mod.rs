//! Importing online-platform exports (中国继续医学教育网, 人卫慕课 …): rows of ID number or
//! platform account, course, class hours or minutes, completion date, unit score.
//! Rows become approved online records (the export is the evidence); the same row
//! imported again is a duplicate, never a second credit; any bad row writes nothing.
//!
//! [`run`] is four named steps: map the columns, load the county (who the rows may
//! name, which courses), read the rows into ledger lines, and credit them — the
//! ledger's checks and totals read inside [`crate::study::credit`]'s transaction.

mod context;
mod rows;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::audit::{self, Actor, Entry};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::pii::Pii;
use crate::regions::Region;
use crate::roster::RowError;
use crate::sheet::Sheet;
use crate::study::{Credit, CreditError};

pub use context::{Catalog, County, Named};
pub use rows::{Columns, Parsed};

/// What an import did or would do.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub duplicates: usize,
    /// The first `roster::ERRORS_SHOWN` problems, by row.
    pub errors: Vec<RowError>,
    /// How many more problems there are beyond those listed.
    pub errors_more: usize,
    pub dry_run: bool,
    pub rows: usize,
}

/// Where and how to import.
#[derive(Debug, Clone)]
pub struct ImportTarget {
    pub county: Region,
    /// The platform's short code (e.g. `ncme` for 中国继续医学教育网).
    pub platform: String,
    pub dry_run: bool,
}

/// Check and (unless a dry run or any row is bad) write an export.
pub fn run(
    conn: &mut AnyConnection,
    pii: &Pii,
    sheet: &Sheet,
    target: &ImportTarget,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<ImportReport, AppError> {
    let columns = Columns::map(sheet)?;
    let county = County::load(conn, target, actor.id)?;
    let parsed = rows::read(sheet, &columns, &county, pii, today);
    credit(conn, parsed, &columns, target, actor, today, now)
}

/// Steps 1 and 3 without the database, for the fuzz targets (`fuzz/`): map the columns
/// and read every row against an already loaded `county`. What `run` would hand to the
/// ledger.
pub fn read_offline(
    sheet: &Sheet,
    county: &County,
    pii: &Pii,
    today: NaiveDate,
) -> Result<Parsed, AppError> {
    let columns = Columns::map(sheet)?;
    Ok(rows::read(sheet, &columns, county, pii, today))
}

/// Step 4: the lines through the ledger — a dry run when asked or when a row is already
/// bad (so every row's problems are reported at once) — and the audit entry.
fn credit(
    conn: &mut AnyConnection,
    parsed: Parsed,
    columns: &Columns,
    target: &ImportTarget,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<ImportReport, AppError> {
    let Parsed {
        lines,
        line_rows,
        mut errors,
        errors_more,
        rows,
    } = parsed;
    let mut report = ImportReport {
        dry_run: target.dry_run,
        rows,
        ..ImportReport::default()
    };
    let credit = Credit {
        lines,
        dry_run: target.dry_run || !errors.is_empty() || errors_more > 0,
        ..Credit::default()
    };
    let outcome = db::write(conn, |conn| {
        let done = crate::study::credit(conn, &credit, today, now)?;
        if !credit.dry_run {
            audit::record(
                conn,
                actor,
                &Entry::new("study.imported")
                    .target(format!("region:{}", target.county.code))
                    .detail(serde_json::json!({
                        "platform": target.platform,
                        "created": done.created().len(),
                        "duplicates": done.duplicates(),
                    })),
                now,
            )?;
        }
        Ok::<_, CreditError>(done)
    });
    match outcome {
        Ok(done) => {
            report.duplicates = done.duplicates();
            if errors.is_empty() && errors_more == 0 {
                report.created = done.created().len();
            }
        }
        Err(CreditError::Refused {
            refusals,
            duplicates,
        }) => {
            report.duplicates = duplicates;
            let mut more = errors_more;
            for r in refusals {
                let key = crate::study::rules::import::column_of_refusal(r.refusal.field);
                crate::roster::push_error(
                    &mut errors,
                    &mut more,
                    RowError {
                        row: line_rows.get(r.line).copied().unwrap_or(0),
                        field: key.to_owned(),
                        column: columns.describe(key),
                        message: r.refusal.message,
                    },
                );
            }
            report.errors_more = more;
        }
        Err(CreditError::Db(e)) => return Err(e.into()),
    }
    report.errors_more =
        crate::roster::cap_errors(&mut errors, report.errors_more.max(errors_more));
    report.errors = errors;
    Ok(report)
}
