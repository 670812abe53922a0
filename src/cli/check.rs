//! `cunyi check ledger [--fix]`: the ledger's maintained totals against the records.

use anyhow::bail;
use clap::Subcommand;

use crate::config::Config;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Recompute the ledger's totals from the study records and report each difference;
    /// exits non-zero on a difference unless `--fix` repaired it.
    Ledger {
        /// Rewrite the totals of every doctor found different.
        #[arg(long)]
        fix: bool,
    },
}

pub fn run(command: CheckCommand) -> anyhow::Result<()> {
    match command {
        CheckCommand::Ledger { fix } => ledger(fix),
    }
}

fn ledger(fix: bool) -> anyhow::Result<()> {
    let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
    let report = crate::study::ops::check::check_ledger(&mut *state.pool.get()?, fix)?;
    for d in &report.differences {
        println!(
            "doctor {} {}: stored [{}], records say [{}]",
            d.doctor_id, d.what, d.stored, d.expected
        );
    }
    match (report.differences.len(), fix) {
        (0, _) => {
            println!(
                "ledger totals agree with the records: {} total(s)",
                report.totals
            );
            Ok(())
        }
        (n, true) => {
            println!(
                "{n} difference(s); fixed the totals of {} doctor(s)",
                report.fixed
            );
            Ok(())
        }
        (n, false) => bail!(
            "{n} difference(s) between the ledger totals and the records (run with --fix to repair)"
        ),
    }
}
