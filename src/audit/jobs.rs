//! The settling job (PostgreSQL): a few times a second, chain the audit entries that
//! committed meanwhile into `audit_log` ([`store::settle`]). Entries are durable from
//! their own commit (in `audit_pending`); this only moves them into the chain, so a
//! server that stops between two runs loses nothing — the next run, on any instance, or
//! the next read of the log chains them.

use std::time::Duration;

use super::store;
use crate::db::Backend;
use crate::state::AppState;

/// How often the job looks for pending entries.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// Run forever on the server's runtime (at once returns on SQLite, which chains inside
/// each write).
pub async fn run(state: AppState) {
    if Backend::of_url(state.config.database_url.expose()) != Backend::Postgres {
        return;
    }
    let mut tick = actix_web::rt::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let pool = state.pool.clone();
        let outcome = actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            store::settle(&mut conn).map_err(|e| e.to_string())
        })
        .await;
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "settling the audit log failed; it will try again")
            }
            Err(e) => {
                tracing::warn!(error = %e, "settling the audit log panicked; it will try again")
            }
        }
    }
}
