//! What the planner reads: who receives reminders (accounts with an email address, not
//! disabled), the counties' filings, exams about to open and their candidates, make-up
//! deadlines. Read-only queries over other areas' tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::assessment::CompletionStatus;
use crate::auth::Role;
use crate::db::AnyConnection;
use crate::db::schema::{completions, doctors, exams, regions, reports, users};
use crate::exams::{ExamKind, ExamStatus};
use crate::regions::Scope;
use crate::reports::{ReportKind, ReportStatus};
use crate::roster::DoctorStatus;

/// Someone a reminder goes to.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Recipient {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

type RecipientColumns = (
    users::id,
    users::display_name,
    diesel::dsl::AssumeNotNull<users::email>,
);

fn recipient_columns() -> RecipientColumns {
    (
        users::id,
        users::display_name,
        users::email.assume_not_null(),
    )
}

/// The county admins of a county who have an email address.
pub fn county_admins(conn: &mut AnyConnection, county: &str) -> QueryResult<Vec<Recipient>> {
    users::table
        .filter(users::role.eq(Role::CountyAdmin))
        .filter(users::region_code.eq(county))
        .filter(users::disabled.eq(false))
        .filter(users::email.is_not_null())
        .order(users::id)
        .select(recipient_columns())
        .load(conn)
}

/// A county's filing of one period, as the planner needs it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Filed {
    pub kind: ReportKind,
    pub quarter: Option<i32>,
    pub status: ReportStatus,
}

/// The filings of a county for a year.
pub fn filings(conn: &mut AnyConnection, county: &str, year: i32) -> QueryResult<Vec<Filed>> {
    reports::table
        .filter(reports::county_code.eq(county))
        .filter(reports::year.eq(year))
        .select((reports::kind, reports::quarter, reports::status))
        .load(conn)
}

/// An exam about to open.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ExamFact {
    pub id: i64,
    pub title: String,
    pub kind: ExamKind,
    pub program_id: i64,
    pub cohort_year: Option<i32>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub region_code: String,
    pub region_path: String,
}

/// Active exams opening after `now` and before `until`.
pub fn exams_opening(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<ExamFact>> {
    exams::table
        .inner_join(regions::table)
        .filter(exams::status.eq(ExamStatus::Active))
        .filter(exams::opens_at.gt(now))
        .filter(exams::opens_at.le(until))
        .order(exams::id)
        .select((
            exams::id,
            exams::title,
            exams::kind,
            exams::program_id,
            exams::cohort_year,
            exams::opens_at,
            exams::closes_at,
            exams::duration_minutes,
            exams::region_code,
            regions::path,
        ))
        .load(conn)
}

/// The doctors with an email address who may sit an exam: in post, of its program, in
/// its region's subtree and cohort; a make-up exam only for those whose completion is
/// `makeup`; the completion exam not for those who already completed.
pub fn exam_candidates(conn: &mut AnyConnection, exam: &ExamFact) -> QueryResult<Vec<Recipient>> {
    let scope = Scope::new(&exam.region_code, &exam.region_path);
    let mut q = doctors::table
        .inner_join(users::table.on(users::id.nullable().eq(doctors::user_id)))
        .inner_join(regions::table.on(regions::code.eq(doctors::region_code)))
        .select(recipient_columns())
        .filter(crate::regions::in_scope(&scope))
        .filter(doctors::program_id.eq(exam.program_id))
        .filter(doctors::status.eq(DoctorStatus::Active))
        .filter(users::disabled.eq(false))
        .filter(users::email.is_not_null())
        .into_boxed();
    if let Some(cohort) = exam.cohort_year {
        q = q.filter(doctors::cohort_year.eq(cohort));
    }
    let decided = completions::table
        .filter(completions::program_id.eq(exam.program_id))
        .select(completions::doctor_id);
    match exam.kind {
        ExamKind::Makeup => {
            q = q.filter(
                doctors::id
                    .eq_any(decided.filter(completions::status.eq(CompletionStatus::Makeup))),
            );
        }
        ExamKind::Completion => {
            q = q.filter(diesel::dsl::not(doctors::id.eq_any(
                decided.filter(completions::status.eq(CompletionStatus::Passed)),
            )));
        }
        ExamKind::Unit | ExamKind::Annual => {}
    }
    q.order(users::id).load(conn)
}

/// Doctors (with an email address, in post) in a make-up whose deadline lies in
/// `[from, to]`, with that deadline.
pub fn makeups(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(Recipient, NaiveDate)>> {
    let rows: Vec<(i64, String, String, NaiveDate)> = completions::table
        .inner_join(doctors::table.on(doctors::id.eq(completions::doctor_id)))
        .inner_join(users::table.on(users::id.nullable().eq(doctors::user_id)))
        .filter(completions::status.eq(CompletionStatus::Makeup))
        .filter(completions::makeup_deadline.ge(from))
        .filter(completions::makeup_deadline.le(to))
        .filter(doctors::status.eq(DoctorStatus::Active))
        .filter(users::disabled.eq(false))
        .filter(users::email.is_not_null())
        .order(users::id)
        .select((
            users::id,
            users::display_name,
            users::email.assume_not_null(),
            completions::makeup_deadline.assume_not_null(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, email, deadline)| {
            (
                Recipient {
                    user_id,
                    name,
                    email,
                },
                deadline,
            )
        })
        .collect())
}
