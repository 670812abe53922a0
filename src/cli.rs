//! The command line: `serve`, `demo`, `migrate`, `user create`, `regions import`,
//! `import doctors|study`, `bank check|import`, `audit verify`. Off the request path, so errors are `anyhow`.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::audit::{self, Actor};
use crate::auth::password;
use crate::config::{Config, Secret};
use crate::regions::{Scope, csv as region_csv, import as region_import, store as region_store};
use crate::state::AppState;
use crate::users::{CreateUserBody, rules as user_rules, store as user_store};
use crate::{app, db, demo, time};

#[derive(Debug, Parser)]
#[command(
    name = "cunyi",
    version,
    about = "村医培训考核平台 — training management and exams for village-doctor programs",
    long_about = "村医培训考核平台 — training management and exams for village-doctor programs.\n\n\
                  Configuration comes from CUNYI_* environment variables (or a .env file); \
                  see .env.sample."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 启动服务 — migrate the database, then serve the pages and the API.
    Serve {
        /// Address to listen on (default: CUNYI_BIND or 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// 演示 — load demo data into a local SQLite file, print the demo accounts, serve.
    Demo {
        /// The SQLite file to use (kept apart from a real database).
        #[arg(long, default_value = "cunyi-demo.db")]
        database: String,
        #[arg(long)]
        bind: Option<String>,
        /// Load the data and print the accounts, but do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// 迁移 — apply pending database migrations and load the shipped regions.
    Migrate,
    /// 账号 — manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// 行政区划 — import townships and villages.
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// 导入 — import a roster spreadsheet.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// 题库 — check the question bank, import questions.
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
    /// 审计 — check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account (e.g. the first sysadmin: --role sysadmin --region 370000).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        region: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum RegionsCommand {
    /// Import a CSV (代码,名称[,上级代码][,国标]); all rows or none are written.
    Import {
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import doctors from .xlsx or .csv into one county (all rows or none).
    Doctors {
        file: PathBuf,
        /// The county-level region code (e.g. 370402).
        #[arg(long)]
        county: String,
        /// The program every row joins (default: the city's program covering each row's year).
        #[arg(long)]
        program: Option<i64>,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import an online platform's export (.xlsx or .csv) into one county's ledger.
    Study {
        file: PathBuf,
        /// The county-level region code (e.g. 370402).
        #[arg(long)]
        county: String,
        /// The platform's code (ncme = 中国继续医学教育网, pmph = 人卫慕课, …).
        #[arg(long, default_value = "ncme")]
        platform: String,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BankCommand {
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

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits non-zero at the first broken row.
    Verify,
}

/// Logs to stderr; the level comes from `CUNYI_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUNYI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { bind } => {
            let mut config = Config::from_env()?;
            if let Some(bind) = bind {
                config.bind = bind;
            }
            serve(AppState::init(config)?)
        }
        Command::Demo {
            database,
            bind,
            no_serve,
        } => {
            let mut config = Config::from_env()?;
            config.database_url = Secret::new(database);
            if let Some(bind) = bind {
                config.bind = bind;
            }
            let state = AppState::init(config)?;
            let accounts = {
                let mut conn = state.pool.get()?;
                demo::load(&mut conn, &state.pii, time::now())?
            };
            demo::print_banner(
                &accounts,
                &state.config.bind,
                &state.config.database_display(),
            );
            if no_serve { Ok(()) } else { serve(state) }
        }
        Command::Migrate => {
            let config = Config::from_env()?;
            let mut conn = db::connect(config.database_url.expose())
                .with_context(|| format!("cannot open {}", config.database_display()))?;
            let applied = db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
            let seeded = region_store::seed_builtin(&mut conn, time::now())?;
            println!(
                "{}: {} migration(s) applied, {} shipped region(s) added",
                config.database_display(),
                applied.len(),
                seeded
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    password,
                    role,
                    region,
                    display_name,
                },
        } => {
            let state = AppState::init(Config::from_env()?)?;
            let body = CreateUserBody {
                display_name: Some(display_name.unwrap_or_else(|| username.clone())),
                username: Some(username),
                password: Some(password),
                role: Some(role),
                region_code: Some(region),
            };
            create_user(&state, &body)
        }
        Command::Regions {
            command: RegionsCommand::Import { file, dry_run },
        } => {
            let state = AppState::init(Config::from_env()?)?;
            import_regions(&state, &file, dry_run)
        }
        Command::Import {
            command:
                ImportCommand::Doctors {
                    file,
                    county,
                    program,
                    dry_run,
                },
        } => {
            let state = AppState::init(Config::from_env()?)?;
            import_doctors(&state, &file, &county, program, dry_run)
        }
        Command::Import {
            command:
                ImportCommand::Study {
                    file,
                    county,
                    platform,
                    dry_run,
                },
        } => {
            let state = AppState::init(Config::from_env()?)?;
            import_study(&state, &file, &county, &platform, dry_run)
        }
        Command::Bank {
            command: BankCommand::Check { dir, strict },
        } => crate::bank::command::check(dir.as_deref(), strict),
        Command::Bank {
            command: BankCommand::Lint { dir, config },
        } => crate::bank::command::lint(dir.as_deref(), config.as_deref()),
        Command::Bank {
            command:
                BankCommand::Import {
                    file,
                    format,
                    area,
                    collection,
                    dry_run,
                },
        } => bank_import(&file, format.as_deref(), area, collection, dry_run),
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = AppState::init(Config::from_env()?)?;
            let report = audit::verify_chain(&mut *state.pool.get()?)?;
            match report.first_break {
                None => {
                    println!("audit log intact: {} row(s)", report.rows);
                    Ok(())
                }
                Some(id) => bail!("audit log broken at row {id} (of {} checked)", report.rows),
            }
        }
    }
}

fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind.clone();
    let listener = TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(
        address = %bind,
        database = %state.config.database_display(),
        "cunyi {} serving",
        env!("CARGO_PKG_VERSION")
    );
    actix_web::rt::System::new()
        .block_on(async move { app::server(state, listener, None)?.await })?;
    Ok(())
}

fn create_user(state: &AppState, body: &CreateUserBody) -> anyhow::Result<()> {
    let new = user_rules::check_new_user(body).map_err(|e| {
        let details: Vec<String> = e
            .field_errors()
            .iter()
            .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
            .collect();
        anyhow::anyhow!("{}", details.join("; "))
    })?;
    let mut conn = state.pool.get()?;
    let region = region_store::find(&mut conn, new.region_code.as_str())?
        .with_context(|| format!("--region: unknown region code {}", new.region_code))?;
    user_rules::check_region_level(new.role, region.level())
        .map_err(|m| anyhow::anyhow!("--region: {m}"))?;
    let hash =
        password::hash_blocking(new.password.expose()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = user_store::insert(&mut conn, &new, &hash, &Actor::cli(), time::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created user {} (id {}), role {}, region {} {}",
        user.username, user.id, user.role, region.code, region.name
    );
    Ok(())
}

fn import_doctors(
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
    let region = region_store::find(&mut conn, county)?
        .filter(|r| r.level() == Some(crate::regions::Level::County))
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

fn import_study(
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
    let region = region_store::find(&mut conn, county)?
        .filter(|r| r.level() == Some(crate::regions::Level::County))
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

fn import_regions(state: &AppState, file: &PathBuf, dry_run: bool) -> anyhow::Result<()> {
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
