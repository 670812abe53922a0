//! Stations: the list, and adding one (administrators).

use crate::access::{Caller, Role};
use crate::audit::{self, Entry};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::skills::StationBody;
use crate::skills::rules::bodies;
use crate::skills::store::stations as store;
use crate::skills::views::StationView;
use crate::state::AppState;
use crate::time;

/// `POST /api/v1/skills/stations`: a station checked like the shipped ones; a code in
/// use → 409.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &StationBody,
) -> AppResult<StationView> {
    caller.require(Role::ADMINS)?;
    let def = bodies::station(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            if store::by_code(conn, &def.code)?.is_some() {
                return Err(AppError::Conflict(format!("站点代码 {} 已存在", def.code)));
            }
            let now = time::now();
            let id = db::write(conn, |conn| {
                let id = store::create(conn, &def, caller.user_id, now)?;
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("skills.station_created")
                        .target(format!("skill_station:{id}"))
                        .detail(serde_json::json!({"code": def.code})),
                    now,
                )?;
                Ok::<_, AppError>(id)
            })?;
            let row = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(StationView::of(&row))
        })
        .await
}

/// The active stations (anyone signed in: examiners and admins pick from them).
pub async fn list(state: &AppState) -> AppResult<Vec<StationView>> {
    state
        .db(|conn| Ok::<_, AppError>(store::active(conn)?.iter().map(StationView::of).collect()))
        .await
}
