//! The exam engine's use cases, shared by the API and the pages: each reads its facts
//! in one database hop, asks [`super::rules`], and writes through [`super::store`].

mod browse;
mod create;
mod manage;
mod reading;
mod results;
mod sitting;

pub use browse::{
    Choice, ExamDetail, ExamList, ExamWithStanding, NewExamChoices, get, list, new_exam_choices,
};
pub use create::create;
pub use manage::{close, withdraw};
pub use reading::{AttemptRead, Reading, read_attempt};
pub use results::{ResultsPage, analysis, results, results_xlsx};
pub use sitting::{StartedPaper, save, start, submit, submit_form};

use crate::access::{self, Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::roster::DoctorRecord;

use super::rules::{self, Viewer};
use super::{PlacedExam, store};

/// The doctor record of a doctor's account (403 when the account has none).
fn doctor_of(conn: &mut AnyConnection, caller: &Caller) -> AppResult<DoctorRecord> {
    caller.require(&[Role::Doctor])?;
    let id = caller
        .doctor_id
        .ok_or_else(|| AppError::Forbidden("您的账号尚未关联学员档案，请联系县卫健局".into()))?;
    access::doctor(conn, caller, id)
}

/// An exam the caller may see (a doctor: as [`doctor_of`]); 404 otherwise — audited
/// when the exam exists outside the caller's reach.
fn visible_exam(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    doctor: Option<&DoctorRecord>,
) -> AppResult<PlacedExam> {
    let placed = store::get_exam(conn, id)?.ok_or(AppError::NotFound)?;
    let scope = caller.scope();
    let viewer = match doctor {
        Some(d) => Viewer::Doctor {
            program_id: d.doctor.program_id,
            region_path: &d.region_path,
            cohort_year: d.doctor.cohort_year,
        },
        None => Viewer::Staff {
            scope: &scope,
            region_path: &caller.region.path,
        },
    };
    if rules::exam_visible(viewer, &placed.terms()) {
        Ok(placed)
    } else if doctor.is_some() && placed.exam.status == super::ExamStatus::Withdrawn {
        Err(AppError::NotFound)
    } else {
        Err(caller.denied("exam.read", format!("exam:{id}")))
    }
}

/// An exam a manager (county, city, province staff) may read the results of.
fn managed_exam(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<PlacedExam> {
    caller.require(Role::ADMINS)?;
    visible_exam(conn, caller, id, None)
}
