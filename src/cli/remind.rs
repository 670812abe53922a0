//! `cunyi remind [--dry-run] [--date YYYY-MM-DD] [--send]`: queue the reminders due on a
//! day (Beijing date, default today), or with `--dry-run` only print them; `--send`
//! then runs the sender once. `serve` does both on its own; this is for a cron job, a
//! check before going live, or a sender-less deployment.

use anyhow::Context;
use chrono::NaiveDate;

use crate::audit::Actor;
use crate::config::Config;
use crate::state::AppState;
use crate::time;

pub fn run(dry_run: bool, date: Option<String>, send: bool) -> anyhow::Result<()> {
    let today = match date {
        None => time::today_cst(),
        Some(raw) => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .with_context(|| format!("--date: expected YYYY-MM-DD, got {raw:?}"))?,
    };
    if dry_run && send {
        anyhow::bail!("--dry-run and --send do not go together");
    }
    let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
    let report = {
        let mut conn = state.pool.get()?;
        crate::notify::plan(&mut conn, today, time::now(), dry_run, &Actor::cli())?
    };
    for p in &report.due {
        let mark = if p.already_queued {
            "已在队列"
        } else if dry_run {
            "将加入"
        } else {
            "已加入"
        };
        println!(
            "{mark}\t{}\t{}\t{}",
            p.template.label(),
            p.recipient,
            p.dedup_key
        );
    }
    let new = report.due.iter().filter(|p| !p.already_queued).count();
    if dry_run {
        println!(
            "{today}: {} reminder(s) due, {new} would be queued (dry run: nothing written)",
            report.due.len()
        );
    } else {
        println!(
            "{today}: {} reminder(s) due, {} queued",
            report.due.len(),
            report.queued
        );
    }
    if send {
        let smtp = state
            .config
            .smtp
            .clone()
            .context("--send needs CUNYI_SMTP_HOST and CUNYI_SMTP_FROM")?;
        let claim = crate::notify::ops::send::claim_name();
        let sent = crate::notify::send_due(&state.pool, &smtp, &claim, time::now())?;
        println!(
            "sent {}, to retry {}, failed {}",
            sent.sent, sent.retried, sent.failed
        );
    }
    Ok(())
}
