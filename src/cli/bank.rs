//! `cunyi bank check|import`: the question bank from the command line.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::audit::Actor;
use crate::config::Config;
use crate::state::AppState;
use crate::time;

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Validate the question bank (ids unique, answers among options, every area
    /// covered …): the one built into this binary, or a folder laid out like
    /// question_bank/ (--dir). Exits non-zero on any problem.
    Check {
        #[arg(long)]
        dir: Option<PathBuf>,
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
        BankCommand::Check { dir } => bank_check(dir.as_deref()),
        BankCommand::Import {
            file,
            format,
            area,
            collection,
            dry_run,
        } => bank_import(&file, format.as_deref(), area, collection, dry_run),
    }
}

fn bank_check(dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    use crate::bank::{files, rules};
    let (questions, mut problems) = match dir {
        Some(dir) => {
            files::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?
        }
        None => files::shipped(),
    };
    problems.extend(rules::check_bank(&questions));
    let (by_area, by_type, by_difficulty) = rules::totals(&questions);
    let line = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("{} questions", questions.len());
    println!("  by area: {}", line(&by_area));
    println!("  by type: {}", line(&by_type));
    println!("  by difficulty: {}", line(&by_difficulty));
    for p in &problems {
        eprintln!("{}: {}", p.location, p.message);
    }
    if !problems.is_empty() {
        bail!("{} problem(s) in the question bank", problems.len());
    }
    println!("the question bank passes every check");
    Ok(())
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
    let imported = formats::import(format, &bytes, &area, &collection).map_err(|m| {
        anyhow::anyhow!(
            "{}: {}：{}（未导入任何题目）",
            file.display(),
            m.position,
            m.message
        )
    })?;
    for s in &imported.skipped {
        eprintln!("跳过 {}：{}", s.position, s.reason);
    }
    if dry_run {
        println!(
            "检查（未写入）：{} 题可导入，跳过 {} 题",
            imported.questions.len(),
            imported.skipped.len()
        );
        return Ok(());
    }
    let state = AppState::init(Config::from_env()?)?;
    let mut conn = state.pool.get()?;
    let stored = bank_store::store_import(
        &mut conn,
        &imported,
        &collection,
        format,
        &Actor::cli(),
        time::now(),
    )?
    .map_err(|m| anyhow::anyhow!("{}：{}（未导入任何题目）", m.position, m.message))?;
    println!(
        "导入题库 {collection}：新增 {}，更新 {}，无变化 {}，跳过 {}",
        stored.added,
        stored.updated,
        stored.unchanged,
        imported.skipped.len()
    );
    Ok(())
}
