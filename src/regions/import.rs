//! An import of region rows: check all, then write all or nothing.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{ImportReport, RegionRow, Scope, rules, store};
use crate::db::{self, AnyConnection};

/// Check `rows` (each with its file row number) against the tree within `scope`, and
/// write them unless `dry_run` or any row is bad.
pub fn run(
    conn: &mut AnyConnection,
    rows: &[(usize, RegionRow)],
    scope: &Scope,
    dry_run: bool,
    is_demo: bool,
    now: NaiveDateTime,
) -> QueryResult<ImportReport> {
    let existing = store::paths_in_scope(conn, scope)?;
    let mut report = ImportReport {
        dry_run,
        ..ImportReport::default()
    };
    let plain: Vec<RegionRow> = rows.iter().map(|(_, r)| r.clone()).collect();
    let checked = match rules::check_import(&plain, &existing, scope, 0) {
        Ok(checked) => checked,
        Err(errors) => {
            // Map positions back to file row numbers (blank lines were skipped).
            report.errors = errors
                .into_iter()
                .map(|mut e| {
                    e.row = rows.get(e.row).map_or(e.row, |(n, _)| *n);
                    e
                })
                .collect();
            return Ok(report);
        }
    };
    let applied = if dry_run {
        // Do the real work and roll it back, so a dry run counts exactly what a real
        // run would create, update and leave unchanged.
        match db::write::<Never, DryRun, _>(conn, |conn| {
            Err(DryRun::Done(store::apply(conn, &checked, is_demo, now)?))
        }) {
            Err(DryRun::Done(applied)) => applied,
            Err(DryRun::Db(e)) => return Err(e),
            Ok(never) => match never {},
        }
    } else {
        store::apply(conn, &checked, is_demo, now)?
    };
    report.created = applied.created;
    report.updated = applied.updated;
    report.unchanged = applied.unchanged;
    Ok(report)
}

/// Unwinds a dry run's transaction while carrying its counts out.
enum DryRun {
    Done(store::Applied),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for DryRun {
    fn from(e: diesel::result::Error) -> Self {
        DryRun::Db(e)
    }
}

/// A transaction body that never commits.
enum Never {}
