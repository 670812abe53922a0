//! The doctor's own page: progress bars, recent records, courses to choose from,
//! shadowing placements and upcoming sessions.

use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult};
use crate::extract::Paging;
use crate::roster::DoctorRecord;
use crate::state::AppState;
use crate::study::rules::Progress;
use crate::study::{Course, StudyRecord, store};

/// What a doctor's page shows.
pub struct Mine {
    pub doctor: DoctorRecord,
    pub progress: Progress,
    /// A page of its records, newest first, and how many there are in all.
    pub recent: Vec<StudyRecord>,
    pub total_records: i64,
    /// The sessions it has checked in to (or been marked present at).
    pub attended: Vec<i64>,
    pub courses: Vec<Course>,
    pub placements: Vec<crate::shadowing::PlacementAt>,
    /// The next few sessions of its county.
    pub sessions: Vec<crate::sessions::SessionView>,
}

/// The caller's own study page (`records` is the page of its record list);
/// `None` when its account has no roster record yet.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn mine(state: &AppState, caller: &Caller, records: Paging) -> AppResult<Option<Mine>> {
    if caller.role() != Role::Doctor {
        return Err(AppError::Forbidden(
            "“我的学习”供学员使用；管理员请使用学习进度表".into(),
        ));
    }
    let Some(doctor_id) = caller.doctor_id else {
        return Ok(None);
    };
    let who = caller.clone();
    let (doctor, progress, (recent, total_records), attended, courses, placements) = state
        .db(move |conn| {
            let doctor = access::doctor(conn, &who, doctor_id)?;
            let program_id = doctor.doctor.program_id;
            let progress = super::progress::compute_progress(conn, doctor_id, program_id)?;
            let recent = store::records::page_of_doctor(
                conn,
                doctor_id,
                records.offset(),
                records.per_page,
            )?;
            let attended = store::records::sessions_attended(conn, doctor_id)?;
            let courses = store::progress::courses_of(conn, program_id)?;
            let placements = crate::shadowing::placements_of(conn, doctor_id)?;
            Ok::<_, AppError>((doctor, progress, recent, attended, courses, placements))
        })
        .await?;
    let sessions = crate::sessions::upcoming(state, caller, 5).await?;
    Ok(Some(Mine {
        doctor,
        progress,
        recent,
        total_records,
        attended,
        courses,
        placements,
        sessions,
    }))
}
