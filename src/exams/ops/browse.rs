//! Finding exams: a doctor's exams with where the doctor stands, staff's exams, one
//! exam, and the choices of the new-exam form.

use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult};
use crate::exams::rules::{self, Standing};
use crate::exams::store::{self, AreaCount};
use crate::exams::{Exam, ExamKind, ExamStatus};
use crate::extract::Paging;
use crate::state::AppState;
use crate::time;

/// The exams a caller may see, one page of them.
#[derive(Debug)]
pub enum ExamList {
    /// A doctor: active exams for it, each with its standing.
    Doctor {
        exams: Vec<ExamWithStanding>,
        total: i64,
    },
    /// Staff: the exams of its subtree and above, withdrawn ones included.
    Staff { exams: Vec<Exam>, total: i64 },
}

/// An exam and where a doctor stands with it.
#[derive(Debug)]
pub struct ExamWithStanding {
    pub exam: Exam,
    pub my: Standing,
}

/// `GET /exams`: a doctor's exams with its standing, or staff's exams.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(state: &AppState, caller: &Caller, paging: Paging) -> AppResult<ExamList> {
    let caller = caller.clone();
    let now = time::now();
    state
        .db(move |conn| {
            if caller.role() != Role::Doctor {
                let (exams, total) = store::list_for_region(
                    conn,
                    &caller.scope(),
                    paging.per_page,
                    paging.offset(),
                )?;
                return Ok(ExamList::Staff { exams, total });
            }
            let d = super::doctor_of(conn, &caller)?;
            let exams = store::list_for_doctor(
                conn,
                d.doctor.program_id,
                &d.region_path,
                d.doctor.cohort_year,
            )?;
            let mine = store::summaries_of(conn, d.doctor.id)?;
            let total = exams.len() as i64;
            let exams = exams
                .into_iter()
                .skip(paging.offset() as usize)
                .take(paging.per_page as usize)
                .map(|exam| ExamWithStanding {
                    my: rules::standing(&exam, &mine, now),
                    exam,
                })
                .collect();
            Ok::<_, AppError>(ExamList::Doctor { exams, total })
        })
        .await
}

/// One exam as the caller sees it.
#[derive(Debug)]
pub struct ExamDetail {
    pub exam: Exam,
    /// A doctor's standing with it.
    pub my: Option<Standing>,
}

/// `GET /exams/{id}`: an exam the caller may see, with a doctor's standing.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<ExamDetail> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            if caller.role() != Role::Doctor {
                let placed = super::visible_exam(conn, &caller, id, None)?;
                return Ok(ExamDetail {
                    exam: placed.exam,
                    my: None,
                });
            }
            let d = super::doctor_of(conn, &caller)?;
            let placed = super::visible_exam(conn, &caller, id, Some(&d))?;
            let mine = store::attempts_of(conn, id, d.doctor.id)?;
            let my = rules::standing(&placed.exam, &mine, time::now());
            Ok::<_, AppError>(ExamDetail {
                exam: placed.exam,
                my: Some(my),
            })
        })
        .await
}

/// What the new-exam form offers: the caller's programs, the completion exams a make-up
/// may make up for, and the bank's counts per area.
#[derive(Debug)]
pub struct NewExamChoices {
    pub programs: Vec<Choice>,
    pub completions: Vec<Choice>,
    pub bank: Vec<AreaCount>,
}

/// One option of a select: its id and what it shows.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// The new-exam form's choices (staff only).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn new_exam_choices(state: &AppState, caller: &Caller) -> AppResult<NewExamChoices> {
    caller.require(Role::ADMINS)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let programs = crate::program::list_visible(conn, &caller.region)?
                .into_iter()
                .map(|p| Choice {
                    id: p.row.id,
                    label: p.row.name.clone(),
                })
                .collect();
            let (exams, _) = store::list_for_region(conn, &caller.scope(), 200, 0)?;
            let completions = exams
                .into_iter()
                .filter(|e| e.kind == ExamKind::Completion && e.status == ExamStatus::Active)
                .map(|e| Choice {
                    id: e.id,
                    label: format!("{}（{}）", e.title, time::display_cst(e.closes_at)),
                })
                .collect();
            Ok::<_, AppError>(NewExamChoices {
                programs,
                completions,
                bank: store::counts_by_area(conn)?,
            })
        })
        .await
}
