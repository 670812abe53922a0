//! The manager's corrections (issue 13): withdrawing an exam created by mistake, closing
//! one early. Managers only (doctors 403), within their own subtree (other counties 404).

use crate::access::Caller;
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::exams::rules::{self, ManageRefusal};
use crate::exams::{Exam, PlacedExam, store};
use crate::state::AppState;
use crate::time;

/// An exam the caller may correct: visible and set within its own subtree (a county
/// sees its city's exams but may not correct them: 403).
fn correctable(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<PlacedExam> {
    let placed = super::managed_exam(conn, caller, id)?;
    if rules::may_manage(&caller.scope(), &placed.terms()) {
        Ok(placed)
    } else {
        Err(AppError::Forbidden(
            "本考试由上级设置，只能由出题单位撤回或提前结束".into(),
        ))
    }
}

fn conflict(why: ManageRefusal) -> AppError {
    AppError::Conflict(why.message())
}

/// `POST /exams/{id}/withdraw`: an exam nobody has started is withdrawn — gone from
/// doctors' lists, and it cannot be started (404). Checked and written in one write
/// transaction, so a start cannot slip in between.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = id))]
pub async fn withdraw(state: &AppState, caller: &Caller, id: i64) -> AppResult<Exam> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let placed = correctable(conn, &caller, id)?;
                let mut terms = placed.terms();
                terms.status = store::lock_status(conn, id, store::RowLock::Update)?;
                let attempts = store::attempt_count(conn, id)?;
                rules::check_withdraw(&terms, attempts).map_err(conflict)?;
                Ok::<_, AppError>(store::withdraw(conn, id, &caller.actor(), time::now())?)
            })
        })
        .await
}

/// `POST /exams/{id}/close`: an open exam closes now; attempts still open are due now
/// and the deadline job grades them as usual.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = id))]
pub async fn close(state: &AppState, caller: &Caller, id: i64) -> AppResult<Exam> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let placed = correctable(conn, &caller, id)?;
                let closes_at = rules::close_now(&placed.terms(), time::now()).map_err(conflict)?;
                Ok::<_, AppError>(store::close(
                    conn,
                    id,
                    closes_at,
                    placed.exam.closes_at,
                    &caller.actor(),
                )?)
            })
        })
        .await
}
