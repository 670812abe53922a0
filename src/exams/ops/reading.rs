//! Reading an attempt: the candidate's own, or a doctor's in a manager's scope. An open
//! attempt past its deadline is graded first, so nobody sees a stale state.

use std::collections::HashMap;

use crate::access::{self, Caller, Role};
use crate::audit::Actor;
use crate::error::{AppError, AppResult};
use crate::exams::rules;
use crate::exams::store::{self, GradedRow};
use crate::exams::{Attempt, Exam, SubmittedBy};
use crate::state::AppState;
use crate::time;

/// What a reader gets of an attempt, besides the attempt itself.
#[derive(Debug)]
pub enum Reading {
    /// Still open: its candidate gets the answers saved so far; others nothing more.
    Open {
        saved: Option<HashMap<String, String>>,
    },
    /// Submitted: the graded items, and whether the key and explanations are shown.
    Submitted { items: Vec<GradedRow>, review: bool },
}

/// An attempt as read.
#[derive(Debug)]
pub struct AttemptRead {
    pub attempt: Attempt,
    pub exam: Exam,
    /// The reader is the candidate.
    pub own: bool,
    pub reading: Reading,
}

/// Read an attempt: a doctor its own; staff a doctor's in their scope (others 404,
/// audited). Review opens per [`rules::review_open`]; staff always see the key.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, attempt = id))]
pub async fn read_attempt(state: &AppState, caller: &Caller, id: i64) -> AppResult<AttemptRead> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let own = caller.role() == Role::Doctor;
            let attempt = if own {
                super::sitting::own_attempt(conn, &caller, id)?
            } else {
                caller.require(Role::ADMINS)?;
                let attempt = store::get_attempt(conn, id)?.ok_or(AppError::NotFound)?;
                access::doctor(conn, &caller, attempt.doctor_id)?;
                attempt
            };
            let exam = store::find(conn, attempt.exam_id)?;
            let now = time::now();
            let attempt = if attempt.is_open() && attempt.deadline <= now {
                let job = Actor::job("deadline-job");
                store::submit(conn, &exam, attempt, SubmittedBy::Deadline, &job, now)?
                    .ok_or(AppError::NotFound)?
            } else {
                attempt
            };
            let reading = if attempt.is_open() {
                Reading::Open {
                    saved: if own {
                        Some(store::answers_of(conn, id)?)
                    } else {
                        None
                    },
                }
            } else {
                let used = store::attempts_of(conn, attempt.exam_id, attempt.doctor_id)?.len();
                let review = !own
                    || rules::review_open(
                        exam.attempts_allowed,
                        exam.closes_at,
                        &attempt.summary(),
                        used as i32,
                        now,
                    );
                Reading::Submitted {
                    items: store::items_of(conn, id)?,
                    review,
                }
            };
            Ok::<_, AppError>(AttemptRead {
                attempt,
                exam,
                own,
                reading,
            })
        })
        .await
}
