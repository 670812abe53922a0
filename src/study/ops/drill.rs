//! The county's drill-down from the progress table: one doctor's hours against the
//! requirement, its records a page at a time, what still awaits review — in one hop.
//! (Exam and assessment results come from their own areas' ops.)

use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult};
use crate::extract::Paging;
use crate::state::AppState;
use crate::study::rules::Progress;
use crate::study::{StudyRecord, store};

/// What the doctor page of the progress table shows from the ledger.
pub struct Overview {
    pub doctor_id: i64,
    pub name: String,
    pub region_name: String,
    pub cohort_year: i32,
    pub progress: Progress,
    /// A page of all its records (any status), newest first.
    pub records: Vec<StudyRecord>,
    pub total_records: i64,
    /// Its records awaiting review, newest first.
    pub pending: Vec<StudyRecord>,
}

/// A doctor of the caller's region (else 404), for administrators (else 403).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, doctor = id))]
pub async fn overview(
    state: &AppState,
    caller: &Caller,
    id: i64,
    records: Paging,
) -> AppResult<Overview> {
    caller.require(Role::ADMINS)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let d = access::doctor(conn, &caller, id)?;
            let progress = super::progress::compute_progress(conn, id, d.doctor.program_id)?;
            let (page, total_records) =
                store::records::page_of_doctor(conn, id, records.offset(), records.per_page)?;
            let pending = store::records::pending_of_doctor(conn, id)?;
            Ok::<_, AppError>(Overview {
                doctor_id: id,
                name: d.doctor.name.clone(),
                region_name: d.region_name.clone(),
                cohort_year: d.doctor.cohort_year,
                progress,
                records: page,
                total_records,
                pending,
            })
        })
        .await
}
