//! Shadowing's use cases: placements and rotations, the doctor's days (recorded through
//! `crate::study::credit`, pending), and the supervisor's sign-off (credited through it).

pub mod days;
pub mod placements;

use chrono::NaiveDate;

use super::rules::{self, Relation};
use super::views::PlacementView;
use super::{Placement, Rotation, store};
use crate::access::Caller;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;
use crate::study::StudyRecord;

pub use days::{log_day, sign};
pub use placements::{add_rotation, assess, create, list};

pub(super) fn date(p: &mut Problems, field: &str, raw: &Option<String>) -> Option<NaiveDate> {
    p.take(
        field,
        crate::roster::rules::loose_date(raw.as_deref().unwrap_or("")),
    )
}

/// A placement the caller may see, with its rotations, names and relation; else 404.
pub struct Found {
    pub placement: Placement,
    pub rotations: Vec<Rotation>,
    pub context: store::Context,
    pub how: Relation,
}

impl Found {
    pub fn view(self) -> PlacementView {
        PlacementView {
            placement: self.placement,
            base_name: self.context.base_name,
            doctor_name: self.context.doctor_name,
            rotations: self.rotations,
        }
    }
}

pub(super) fn find_in(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<Found> {
    let placement = store::placement(conn, id)?.ok_or(AppError::NotFound)?;
    let rotations = store::rotations_of(conn, id)?;
    let context = store::context(conn, &placement)?;
    let supervises = caller
        .instructor_id
        .filter(|t| rotations.iter().any(|r| r.supervisor_id == Some(*t)));
    let how = rules::relation(
        caller.role(),
        caller.scope().contains_path(&context.doctor_path),
        context.doctor_user == Some(caller.user_id),
        supervises,
    )
    .ok_or(AppError::NotFound)?;
    Ok(Found {
        placement,
        rotations,
        context,
        how,
    })
}

/// A placement the caller may see.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, placement = id))]
pub async fn find(state: &AppState, caller: &Caller, id: i64) -> AppResult<Found> {
    let caller = caller.clone();
    state.db(move |conn| find_in(conn, &caller, id)).await
}

/// The rotation, and the placement it belongs to as the caller sees it.
pub(super) fn rotation_in(
    conn: &mut AnyConnection,
    caller: &Caller,
    rotation_id: i64,
) -> AppResult<(Rotation, Found)> {
    let rotation = store::rotation(conn, rotation_id)?.ok_or(AppError::NotFound)?;
    let found = find_in(conn, caller, rotation.placement_id)?;
    Ok((rotation, found))
}

/// A rotation with its days, for the placement's page.
pub struct RotationDays {
    pub rotation: Rotation,
    pub logs: Vec<StudyRecord>,
    pub may_sign: bool,
}

/// A placement's page: the placement and each rotation's days, in one hop.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, placement = id))]
pub async fn page(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(Found, Vec<RotationDays>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            let mut days = Vec::with_capacity(found.rotations.len());
            for r in &found.rotations {
                days.push(RotationDays {
                    logs: crate::study::records_of_rotation(conn, r.id)?,
                    may_sign: rules::may_sign(
                        found.how,
                        r.supervisor_id,
                        r.signed_off_at.is_some(),
                    ),
                    rotation: r.clone(),
                });
            }
            Ok::<_, AppError>((found, days))
        })
        .await
}
