//! Skills use cases, shared by the API and the pages.

pub mod exams;
pub mod makeup;
pub mod outcomes;
pub mod results;
pub mod setup;
pub mod sheets;
pub mod standing;
pub mod stations;
pub mod statistics;

use super::store::exams::{self as exam_store, Located};
use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// How the caller relates to an exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExamAccess {
    /// An administrator of the exam's region (or above).
    Admin,
    /// An instructor examining one of its stations.
    Examiner(i64),
    /// A doctor sitting it.
    Candidate(i64),
}

/// An exam the caller may see, with how; another county's exam, or one the caller has
/// nothing to do with, is 404 (audited when it exists).
pub fn find_in(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<(Located, ExamAccess)> {
    let found = exam_store::get(conn, id)?.ok_or(AppError::NotFound)?;
    let how = match (caller.role(), caller.instructor_id, caller.doctor_id) {
        (Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin, _, _)
            if caller.scope().contains_path(&found.path) =>
        {
            Some(ExamAccess::Admin)
        }
        (Role::Instructor, Some(i), _) if exam_store::examines_any(conn, id, i)? => {
            Some(ExamAccess::Examiner(i))
        }
        (Role::Doctor, _, Some(d)) if exam_store::is_candidate(conn, id, d)? => {
            Some(ExamAccess::Candidate(d))
        }
        _ => None,
    };
    match how {
        Some(how) => Ok((found, how)),
        None => Err(caller.denied("skills.exam.read", format!("skill_exam:{id}"))),
    }
}
