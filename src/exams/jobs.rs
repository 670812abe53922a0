//! The deadline job: every attempt still open at its deadline is submitted and graded,
//! whether or not the candidate's phone is still connected.

use std::time::Duration;

use crate::state::AppState;
use crate::time;

/// How often the job looks for overdue attempts. An attempt read in between (its page,
/// the API, a start) is graded on the spot, so nobody sees a stale state.
pub const INTERVAL: Duration = Duration::from_secs(15);

/// Run forever on the server's runtime.
pub async fn run(state: AppState) {
    let mut tick = actix_web::rt::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        let pool = state.pool.clone();
        let outcome = actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            crate::exams::store::close_overdue(&mut conn, time::now()).map_err(|e| e.to_string())
        })
        .await;
        match outcome {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(submitted = n, "attempts submitted at their deadline"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the deadline job failed; it will try again"),
            Err(e) => tracing::warn!(error = %e, "the deadline job panicked; it will try again"),
        }
    }
}
