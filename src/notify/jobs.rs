//! The jobs `cunyi serve` runs: the sender (every [`SEND_INTERVAL`], when SMTP is
//! configured) and the planner (every [`PLAN_INTERVAL`]; its dedup keys make repeated
//! runs on one day queue nothing new). Several `serve` processes may run them at once:
//! claims are disjoint (`FOR UPDATE SKIP LOCKED`) and queueing is once per key.

use std::time::Duration;

use crate::audit::Actor;
use crate::state::AppState;
use crate::time;

pub const SEND_INTERVAL: Duration = Duration::from_secs(30);
pub const PLAN_INTERVAL: Duration = Duration::from_secs(3600);

/// Start both jobs on the current actix runtime.
pub fn start(state: &AppState) {
    actix_web::rt::spawn(plan_forever(state.clone()));
    if state.config.smtp.is_some() {
        actix_web::rt::spawn(send_forever(state.clone()));
    } else {
        tracing::info!("CUNYI_SMTP_HOST is not set: reminders are queued but not sent");
    }
}

async fn send_forever(state: AppState) {
    let claim = super::ops::send::claim_name();
    let mut tick = actix_web::rt::time::interval(SEND_INTERVAL);
    loop {
        tick.tick().await;
        let Some(smtp) = state.config.smtp.clone() else {
            return;
        };
        let pool = state.pool.clone();
        let claim = claim.clone();
        let outcome = actix_web::rt::task::spawn_blocking(move || {
            super::send_due(&pool, &smtp, &claim, time::now())
        })
        .await;
        match outcome {
            Ok(Ok(r)) if r.claimed == 0 => {}
            Ok(Ok(r)) => tracing::info!(?r, "outbox sent"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the mail sender failed; it will try again"),
            Err(e) => tracing::warn!(error = %e, "the mail sender panicked; it will try again"),
        }
    }
}

async fn plan_forever(state: AppState) {
    let mut tick = actix_web::rt::time::interval(PLAN_INTERVAL);
    loop {
        tick.tick().await;
        let pool = state.pool.clone();
        let outcome = actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            super::plan(
                &mut conn,
                time::today_cst(),
                time::now(),
                false,
                &Actor::job("reminder-planner"),
            )
        })
        .await;
        match outcome {
            Ok(Ok(r)) if r.queued == 0 => {}
            Ok(Ok(r)) => tracing::info!(queued = r.queued, "reminders queued"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the reminder planner failed; it will try again")
            }
            Err(e) => {
                tracing::warn!(error = %e, "the reminder planner panicked; it will try again")
            }
        }
    }
}
