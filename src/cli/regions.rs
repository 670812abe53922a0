//! `cunyi regions import`: townships and villages from a CSV, anywhere in the tree.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::audit::{self, Actor};
use crate::regions::{Scope, csv as region_csv, import as region_import};
use crate::state::AppState;
use crate::time;

/// `cunyi regions import FILE [--dry-run]`: all rows or none are written.
pub fn import(state: &AppState, file: &PathBuf, dry_run: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let rows = region_csv::parse(&bytes, usize::MAX).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = state.pool.get()?;
    let everything = Scope::new("", "/");
    let report = region_import::run(&mut conn, &rows, &everything, dry_run, false, time::now())?;
    for e in &report.errors {
        eprintln!("row {} {}: {}", e.row, e.field, e.message);
    }
    if !report.errors.is_empty() {
        bail!("{} bad row(s); nothing was written", report.errors.len());
    }
    if !dry_run {
        audit::record(
            &mut conn,
            &Actor::cli(),
            &audit::Entry::new("region.imported")
                .detail(serde_json::json!({"created": report.created, "updated": report.updated})),
            time::now(),
        )?;
    }
    println!(
        "{}{} created, {} updated, {} unchanged",
        if dry_run { "dry run: " } else { "" },
        report.created,
        report.updated,
        report.unchanged
    );
    Ok(())
}
