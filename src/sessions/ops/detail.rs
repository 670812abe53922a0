//! One session in full: for the API, for the instructor's page (attendance and the
//! marking list), for the doctor's check-in page, and its sign-in sheet.

use super::find_in;
use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::regions::Scope;
use crate::sessions::rules::Access;
use crate::sessions::store::{self, attendance::Candidate};
use crate::sessions::views::{Attendee, AttendeeView, SessionDetail, SessionView};
use crate::state::AppState;

/// `GET /api/v1/sessions/{id}`: the session; to those who run it, with its attendance.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, session = id))]
pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> AppResult<SessionDetail> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            let mut views = store::sessions::views(conn, vec![(found.session, found.region_name)])?;
            let session = views.pop().ok_or(AppError::NotFound)?;
            let attendance_list = if how == Access::Runs {
                Some(
                    store::attendance::attendance(conn, id)?
                        .into_iter()
                        .map(|a| AttendeeView {
                            doctor_id: a.record.doctor_id,
                            record_id: a.record.id,
                            source: a.record.source,
                            name: a.name,
                            id_number: a.id_number_masked,
                        })
                        .collect(),
                )
            } else {
                None
            };
            Ok::<_, AppError>(SessionDetail {
                session,
                attendance_list,
            })
        })
        .await
}

/// What a session's page shows.
pub struct Page {
    pub session: SessionView,
    pub how: Access,
    pub started: bool,
    /// Those who run it: who attended, and whom they may mark.
    pub attendance: Vec<Attendee>,
    pub candidates: Vec<Candidate>,
}

/// A session's page facts in one hop.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, session = id))]
pub async fn page(state: &AppState, caller: &Caller, id: i64) -> AppResult<Page> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            let s = found.session.clone();
            let started = s.starts_at <= crate::time::now();
            let mut views = store::sessions::views(conn, vec![(found.session, found.region_name)])?;
            let session = views.pop().ok_or(AppError::NotFound)?;
            let (attendance, candidates) = if how == Access::Runs {
                let scope = Scope::new(&s.region_code, &found.path);
                (
                    store::attendance::attendance(conn, id)?,
                    store::attendance::candidates(conn, &scope, s.program_id, 500)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok::<_, AppError>(Page {
                session,
                how,
                started,
                attendance,
                candidates,
            })
        })
        .await
}

/// `GET /api/v1/sessions/{id}/sign-in.xlsx`: those who run it.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, session = id))]
pub async fn sign_in_sheet(state: &AppState, caller: &Caller, id: i64) -> AppResult<Vec<u8>> {
    let caller = caller.clone();
    let (found, rows) = state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            if how != Access::Runs {
                return Err(AppError::forbidden());
            }
            Ok((found, store::attendance::attendance(conn, id)?))
        })
        .await?;
    crate::sessions::views::sign_in_xlsx(&found.session, &found.region_name, &rows)
        .map_err(AppError::internal)
}
