//! The command line: `serve`, `demo`, `migrate`, `user create`, `regions import`,
//! `import doctors|study`, `bank check|import`, `audit verify`, `check ledger`, `secrets init|move-out|rotate`, `backup`, `restore`. Off the request path, so
//! errors are `anyhow`. This file holds the clap definitions and the dispatch; each
//! command family has a file of its own.

mod audit;
mod backup;
mod bank;
mod check;
mod demo;
mod import;
mod migrate;
mod regions;
mod remind;
mod secrets;
mod serve;
mod user;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::state::AppState;

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
        command: bank::BankCommand,
    },
    /// 审计 — check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 密钥 — the token secret and the ID key (never kept in the database).
    Secrets {
        #[command(subcommand)]
        command: secrets::SecretsCommand,
    },
    /// 提醒 — queue the email reminders due on a day (filings, exams, make-ups).
    Remind {
        /// Print what would be queued; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The Beijing date to plan for (YYYY-MM-DD; default today).
        #[arg(long)]
        date: Option<String>,
        /// Then send the due mails once (needs CUNYI_SMTP_HOST).
        #[arg(long)]
        send: bool,
    },
    /// 备份 — an online, consistent copy of the SQLite database into FILE (PostgreSQL:
    /// prints the pg_dump command).
    Backup { file: PathBuf },
    /// 恢复 — replace the SQLite database with a checked backup (PostgreSQL: prints the
    /// pg_restore command).
    Restore {
        file: PathBuf,
        /// Restore even though another process has the database open.
        #[arg(long)]
        force: bool,
    },
    /// 核对 — check maintained data against its source (`ledger`: totals vs records).
    Check {
        #[command(subcommand)]
        command: check::CheckCommand,
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
    let serves = matches!(cli.command, Command::Serve { .. } | Command::Demo { .. });
    let outcome = dispatch(cli);
    if !serves {
        settle_audit();
    }
    outcome
}

/// On PostgreSQL a command's audit entries wait in `audit_pending` until they are chained
/// ([`crate::audit::settle`]); chain them before the command exits. Best effort: what
/// stays pending is durable, and the next server or read of the log chains it.
fn settle_audit() {
    let Ok(config) = Config::from_env() else {
        return;
    };
    let url = config.database_url.expose();
    if crate::db::Backend::of_url(url) != crate::db::Backend::Postgres {
        return;
    }
    let settled = crate::db::connect(url)
        .map_err(|e| e.to_string())
        .and_then(|mut conn| crate::audit::settle(&mut conn).map_err(|e| e.to_string()));
    // Not a warning: a command that wrote nothing may run before the database exists or
    // is migrated, and what stays pending is durable.
    if let Err(e) = settled {
        tracing::debug!(error = %e, "audit entries (if any) stay pending until a server or a read of the log chains them");
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { bind } => serve::run(bind),
        Command::Demo {
            database,
            bind,
            no_serve,
        } => demo::run(database, bind, no_serve),
        Command::Migrate => migrate::run(),
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
            let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
            user::create(&state, username, password, role, region, display_name)
        }
        Command::Regions {
            command: RegionsCommand::Import { file, dry_run },
        } => {
            let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
            regions::import(&state, &file, dry_run)
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
            let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
            import::doctors(&state, &file, &county, program, dry_run)
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
            let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
            import::study(&state, &file, &county, &platform, dry_run)
        }
        Command::Bank { command } => bank::run(command),
        Command::Secrets { command } => secrets::run(command),
        Command::Remind {
            dry_run,
            date,
            send,
        } => remind::run(dry_run, date, send),
        Command::Backup { file } => backup::backup(&file),
        Command::Restore { file, force } => backup::restore(&file, force),
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit::verify(),
        Command::Check { command } => check::run(command),
    }
}
