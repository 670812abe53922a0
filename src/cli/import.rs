//! `cunyi import doctors|study`: a county's roster, or an online platform's export.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::audit::Actor;
use crate::regions::{self, Level};
use crate::state::AppState;
use crate::time;

/// `cunyi import doctors FILE --county CODE [--program ID] [--dry-run]`, with progress.
pub fn doctors(
    state: &AppState,
    file: &PathBuf,
    county: &str,
    program: Option<i64>,
    dry_run: bool,
) -> anyhow::Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let limits = crate::sheet::Limits {
        max_bytes: usize::MAX,
        max_rows: 2_000_000,
        ..Default::default()
    };
    let spinner = ProgressBar::new_spinner().with_message(format!("读取 {}", file.display()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let sheet = crate::sheet::read(&bytes, &limits)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    spinner.finish_and_clear();
    let mut conn = state.pool.get()?;
    let region = regions::find(&mut conn, county)?
        .filter(|r| r.level() == Level::County)
        .with_context(|| format!("--county: {county} is not a known county-level region"))?;
    let bar = ProgressBar::new(sheet.rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .progress_chars("=> "),
    );
    bar.set_message(if dry_run { "检查" } else { "导入" });
    let target = crate::roster::import::Target {
        county: region,
        program_id: program,
        dry_run,
    };
    let report = crate::roster::import::run(
        &mut conn,
        &state.pii,
        &sheet,
        &target,
        &Actor::cli(),
        time::today_cst(),
        time::now(),
        &|n| bar.set_position(n as u64),
    )
    .map_err(|e| match e {
        crate::error::AppError::Validation(errors) => {
            anyhow::anyhow!(
                "{}",
                errors
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
        other => anyhow::anyhow!("{other}"),
    })?;
    bar.finish_and_clear();
    for e in &report.errors {
        eprintln!("第 {} 行 {}: {}", e.row, e.column, e.message);
    }
    if !report.errors.is_empty() {
        bail!(
            "{} 处错误，未写入任何数据 ({} bad cell(s); nothing was written)",
            report.errors.len(),
            report.errors.len()
        );
    }
    println!(
        "{}{} 行：新增 {}，更新 {}，无变化 {}，新建村卫生室 {}",
        if dry_run {
            "检查（未写入）"
        } else {
            "导入完成 "
        },
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.clinics_created
    );
    Ok(())
}

/// `cunyi import study FILE --county CODE [--platform P] [--dry-run]`.
pub fn study(
    state: &AppState,
    file: &PathBuf,
    county: &str,
    platform: &str,
    dry_run: bool,
) -> anyhow::Result<()> {
    use indicatif::ProgressBar;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let limits = crate::sheet::Limits {
        max_bytes: usize::MAX,
        max_rows: 5_000_000,
        ..Default::default()
    };
    let spinner = ProgressBar::new_spinner().with_message(format!("读取并检查 {}", file.display()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let sheet = crate::sheet::read(&bytes, &limits)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut conn = state.pool.get()?;
    let region = regions::find(&mut conn, county)?
        .filter(|r| r.level() == Level::County)
        .with_context(|| format!("--county: {county} is not a known county-level region"))?;
    let target = crate::study::ImportTarget {
        county: region,
        platform: platform.to_owned(),
        dry_run,
    };
    let report = crate::study::import_platform_export(
        &mut conn,
        &state.pii,
        &sheet,
        &target,
        &Actor::cli(),
        time::today_cst(),
        time::now(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    spinner.finish_and_clear();
    for e in &report.errors {
        eprintln!("第 {} 行 {}: {}", e.row, e.column, e.message);
    }
    if !report.errors.is_empty() {
        bail!(
            "{} 处错误，未写入任何数据 ({} bad cell(s); nothing was written)",
            report.errors.len(),
            report.errors.len()
        );
    }
    println!(
        "{}{} 行：新增 {}，此前已导入 {}",
        if dry_run {
            "检查（未写入）"
        } else {
            "导入完成 "
        },
        report.rows,
        report.created,
        report.duplicates
    );
    Ok(())
}
