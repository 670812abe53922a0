//! `cunyi bank check|lint|import`: the question bank from the command line.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::audit::Actor;
use crate::config::Config;
use crate::state::AppState;
use crate::time;

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Validate the question bank (ids unique, answers among options, every area
    /// covered …): the one built into this binary, or a folder laid out like
    /// question_bank/ (--dir). Exits non-zero on any problem. Also runs the quality
    /// lint: its findings are warnings unless --strict or lint.toml's `enforce = true`.
    Check {
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Fail on lint findings too.
        #[arg(long)]
        strict: bool,
    },
    /// The bank's quality lint (question_bank/lint.toml): prints its table, exits
    /// non-zero when a threshold is exceeded.
    Lint {
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Thresholds (default: the --dir's lint.toml, else the shipped one).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Import questions into a named collection (all or nothing).
    Import {
        file: PathBuf,
        /// gift, aiken, moodle_xml or xlsx (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
        /// The content area of every question in the file (e.g. public_health).
        #[arg(long)]
        area: String,
        /// The collection to import into (not `core`).
        #[arg(long)]
        collection: String,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Run a `bank` subcommand.
pub fn run(command: BankCommand) -> anyhow::Result<()> {
    match command {
        BankCommand::Check { dir, strict } => crate::bank::command::check(dir.as_deref(), strict),
        BankCommand::Lint { dir, config } => {
            crate::bank::command::lint(dir.as_deref(), config.as_deref())
        }
        BankCommand::Import {
            file,
            format,
            area,
            collection,
            dry_run,
        } => bank_import(&file, format.as_deref(), area, collection, dry_run),
    }
}

fn bank_import(
    file: &std::path::Path,
    format: Option<&str>,
    area: String,
    collection: String,
    dry_run: bool,
) -> anyhow::Result<()> {
    use crate::bank::{api as bank_api, formats, store as bank_store};
    let format = format.map(str::to_owned).unwrap_or_else(|| {
        let name = file.to_string_lossy().to_ascii_lowercase();
        match name.rsplit('.').next().unwrap_or_default() {
            "xml" => "moodle_xml",
            "xlsx" | "csv" => "xlsx",
            "gift" => "gift",
            _ if name.ends_with(".gift.txt") => "gift",
            _ => "aiken",
        }
        .to_owned()
    });
    let query = bank_api::ImportQuery {
        format: Some(format),
        area: Some(area),
        collection: Some(collection),
    };
    let (format, area, collection) = bank_api::check_query(&query).map_err(|e| {
        let fields: Vec<String> = e
            .field_errors()
            .iter()
            .map(|f| format!("--{}: {}", f.field, f.message))
            .collect();
        anyhow::anyhow!("{}", fields.join("; "))
    })?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let refused = |r: crate::bank::Refusal| {
        anyhow::anyhow!(
            "{}: {} 处错误，未导入任何题目：\n{}",
            file.display(),
            r.faults.len(),
            r.lines().join("\n")
        )
    };
    let imported = formats::import(format, &bytes, &area, &collection).map_err(refused)?;
    for s in &imported.skipped {
        eprintln!("跳过 {}：{}", s.position, s.reason);
    }
    for w in &imported.warnings {
        eprintln!("提示 {}：{}", w.position, w.reason);
    }
    if dry_run {
        println!(
            "检查（未写入）：{} 题可导入，跳过 {} 题",
            imported.questions.len(),
            imported.skipped.len()
        );
        return Ok(());
    }
    let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
    let mut conn = state.pool.get()?;
    let stored = bank_store::store_import(
        &mut conn,
        &imported,
        &collection,
        format,
        &Actor::cli(),
        time::now(),
    )?
    .map_err(refused)?;
    for s in &stored.skipped {
        eprintln!("跳过 {}：{}", s.position, s.reason);
    }
    println!(
        "导入题库 {collection}：新增 {}，更新 {}，无变化 {}，跳过 {}",
        stored.stored.added,
        stored.stored.updated,
        stored.stored.unchanged,
        imported.skipped.len() + stored.skipped.len()
    );
    Ok(())
}
