//! What the county's exam-setup page offers: the stations, the instructors and doctors
//! in the caller's region, and the program covering the region this year.

use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult};
use crate::skills::store::exams as store;
use crate::skills::store::stations as station_store;
use crate::skills::views::{PersonRef, StationView};
use crate::state::AppState;

pub struct Choices {
    pub stations: Vec<StationView>,
    pub instructors: Vec<PersonRef>,
    pub doctors: Vec<PersonRef>,
    pub program: Option<(i64, String)>,
}

pub async fn choices(state: &AppState, caller: &Caller, year: i32) -> AppResult<Choices> {
    caller.require(Role::ADMINS)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let scope = caller.scope();
            let stations = station_store::active(conn)?
                .iter()
                .map(StationView::of)
                .collect();
            let (instructors, _) = crate::instructors::list(conn, &scope, 0, 500)?;
            let program = crate::program::covering(conn, &caller.region, year)?;
            let doctors = match &program {
                Some(p) => store::doctors_in(conn, p.row.id, &scope, 1000)?,
                None => Vec::new(),
            };
            Ok::<_, AppError>(Choices {
                stations,
                instructors: instructors
                    .into_iter()
                    .filter(|i| i.active)
                    .map(|i| PersonRef {
                        id: i.id,
                        name: i.name,
                    })
                    .collect(),
                doctors: doctors
                    .into_iter()
                    .map(|(id, name)| PersonRef { id, name })
                    .collect(),
                program: program.map(|p| (p.row.id, p.row.name)),
            })
        })
        .await
}
