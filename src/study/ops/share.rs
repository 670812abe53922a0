//! The centralized-training share per district (Zaozhuang annex 2 §四(二)).

use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::study::rules::share;
use crate::study::store;
use crate::study::views::{ShareRow, ShareView};
use crate::time;

/// Per district of the program's city that the caller sees: doctors in post,
/// centralized learners that `year` (default: this year), the number required and
/// whether it is met.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn centralized_share(
    state: &AppState,
    caller: &Caller,
    program_id: i64,
    year: Option<&str>,
) -> AppResult<ShareView> {
    caller.require(Role::ADMINS)?;
    let year = match year {
        None => chrono::Datelike::year(&time::today_cst()),
        Some(y) => crate::roster::rules::cohort_year(y).map_err(|m| AppError::field("year", m))?,
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let program = access::program(conn, &caller, program_id)?;
            let share = program.policy.requirements.centralized_share;
            let learners = store::share::centralized_learners(conn, program.row.id, year)?;
            let doctors = store::share::doctors_per_county(conn, program.row.id)?;
            let scope = caller.scope();
            let items = crate::regions::children(conn, Some(&program.row.region_code))?
                .into_iter()
                .filter(|d| scope.contains_path(&d.path))
                .map(|d| {
                    let n = doctors.get(&d.code).copied().unwrap_or(0);
                    let l = learners.get(&d.code).copied().unwrap_or(0);
                    ShareRow {
                        required: share::required(n, share),
                        met: share::met(l, n, share),
                        region_code: d.code,
                        region_name: d.name,
                        doctors: n,
                        learners: l,
                    }
                })
                .collect();
            Ok::<_, AppError>(ShareView { year, share, items })
        })
        .await
}
