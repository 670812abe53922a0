//! Queries on support visits and absences.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{NewAbsence, NewVisit, VisitSpan};
use super::{Absence, Visit};
use crate::db::AnyConnection;
use crate::db::schema::{
    dispatch_absences, doctors, instructors, organizations, regions, support_visit_doctors,
    support_visits, tutoring_team_members, tutoring_teams,
};
use crate::regions::{Scope, in_scope};
use crate::tutoring::HomeLevel;

/// A clinic: its region path and whether it is a central village clinic.
pub fn clinic(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(String, String, bool)>> {
    organizations::table
        .inner_join(regions::table)
        .filter(organizations::id.eq(id))
        .select((
            organizations::name,
            regions::path,
            organizations::central_village_clinic,
        ))
        .first(conn)
        .optional()
}

/// The region paths of doctors (those that exist).
pub fn doctor_paths(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    doctors::table
        .inner_join(regions::table)
        .filter(doctors::id.eq_any(ids))
        .select((doctors::id, regions::path))
        .load(conn)
}

/// The region path of an instructor.
pub fn instructor_path(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<String>> {
    instructors::table
        .inner_join(regions::table)
        .filter(instructors::id.eq(id))
        .select(regions::path)
        .first(conn)
        .optional()
}

pub fn insert_visit(
    conn: &mut AnyConnection,
    new: &NewVisit,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<Visit> {
    let modes: Vec<&str> = new.modes.iter().map(|m| m.as_str()).collect();
    let id: i64 = diesel::insert_into(support_visits::table)
        .values((
            support_visits::team_id.eq(new.team_id),
            support_visits::clinic_id.eq(new.clinic_id),
            support_visits::starts_on.eq(new.starts_on),
            support_visits::ends_on.eq(new.ends_on),
            support_visits::modes.eq(modes.join(",")),
            support_visits::hours.eq(new.hours),
            support_visits::created_by.eq(Some(by)),
            support_visits::created_at.eq(now),
        ))
        .returning(support_visits::id)
        .get_result(conn)?;
    for d in &new.doctor_ids {
        diesel::insert_into(support_visit_doctors::table)
            .values((
                support_visit_doctors::visit_id.eq(id),
                support_visit_doctors::doctor_id.eq(*d),
            ))
            .execute(conn)?;
    }
    support_visits::table
        .find(id)
        .select(Visit::as_select())
        .first(conn)
}

/// The doctors taught on a visit.
pub fn visit_doctors(conn: &mut AnyConnection, visit_id: i64) -> QueryResult<Vec<i64>> {
    support_visit_doctors::table
        .filter(support_visit_doctors::visit_id.eq(visit_id))
        .order(support_visit_doctors::doctor_id)
        .select(support_visit_doctors::doctor_id)
        .load(conn)
}

/// The teams of a region subtree that owe visits: those with a dispatched member.
pub fn dispatched_teams(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> QueryResult<Vec<(i64, String)>> {
    let with_dispatched = tutoring_team_members::table
        .filter(tutoring_team_members::dispatched.eq(true))
        .select(tutoring_team_members::team_id);
    tutoring_teams::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(tutoring_teams::id.eq_any(with_dispatched))
        .order(tutoring_teams::id)
        .select((tutoring_teams::id, tutoring_teams::name))
        .load(conn)
}

/// The visits of the teams of a region subtree starting between two days, with the
/// team's and clinic's names.
/// A visit's span with its team's and clinic's names, as selected.
type VisitTuple = (i64, i64, NaiveDate, NaiveDate, Option<i32>, String, String);

pub fn visits_between(
    conn: &mut AnyConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(VisitSpan, String, String)>> {
    let rows: Vec<VisitTuple> = support_visits::table
        .inner_join(tutoring_teams::table.inner_join(regions::table))
        .inner_join(organizations::table)
        .filter(in_scope(scope))
        .filter(support_visits::starts_on.ge(from))
        .filter(support_visits::starts_on.le(to))
        .order(support_visits::starts_on)
        .select((
            support_visits::team_id,
            support_visits::clinic_id,
            support_visits::starts_on,
            support_visits::ends_on,
            support_visits::hours,
            tutoring_teams::name,
            organizations::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(team_id, clinic_id, starts_on, ends_on, hours, team, clinic)| {
                (
                    VisitSpan {
                        team_id,
                        clinic_id,
                        starts_on,
                        ends_on,
                        hours,
                    },
                    team,
                    clinic,
                )
            },
        )
        .collect())
}

pub fn absence_taken(
    conn: &mut AnyConnection,
    instructor_id: i64,
    day: NaiveDate,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        dispatch_absences::table
            .filter(dispatch_absences::instructor_id.eq(instructor_id))
            .filter(dispatch_absences::occurred_on.eq(day)),
    ))
    .get_result(conn)
}

pub fn insert_absence(
    conn: &mut AnyConnection,
    new: &NewAbsence,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<Absence> {
    let id: i64 = diesel::insert_into(dispatch_absences::table)
        .values((
            dispatch_absences::instructor_id.eq(new.instructor_id),
            dispatch_absences::occurred_on.eq(new.occurred_on),
            dispatch_absences::justified.eq(new.justified),
            dispatch_absences::reason.eq(&new.reason),
            dispatch_absences::created_by.eq(Some(by)),
            dispatch_absences::created_at.eq(now),
        ))
        .returning(dispatch_absences::id)
        .get_result(conn)?;
    dispatch_absences::table
        .find(id)
        .select(Absence::as_select())
        .first(conn)
}

/// The dispatched members of the teams of a region subtree: (instructor, name, level).
pub fn dispatched_staff(
    conn: &mut AnyConnection,
    scope: &Scope,
    program_id: Option<i64>,
) -> QueryResult<Vec<(i64, String, Option<HomeLevel>)>> {
    let mut q = tutoring_team_members::table
        .inner_join(tutoring_teams::table.inner_join(regions::table))
        .inner_join(instructors::table)
        .filter(in_scope(scope))
        .filter(tutoring_team_members::dispatched.eq(true))
        .into_boxed();
    if let Some(p) = program_id {
        q = q.filter(tutoring_teams::program_id.eq(p));
    }
    let mut rows: Vec<(i64, String, Option<HomeLevel>)> = q
        .order(tutoring_team_members::instructor_id)
        .select((
            tutoring_team_members::instructor_id,
            instructors::name,
            tutoring_team_members::level,
        ))
        .load(conn)?;
    rows.dedup_by_key(|r| r.0);
    Ok(rows)
}

/// The absences of instructors in a year.
pub fn absences_in(
    conn: &mut AnyConnection,
    instructor_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Absence>> {
    dispatch_absences::table
        .filter(dispatch_absences::instructor_id.eq_any(instructor_ids))
        .filter(dispatch_absences::occurred_on.ge(from))
        .filter(dispatch_absences::occurred_on.le(to))
        .order((
            dispatch_absences::instructor_id,
            dispatch_absences::occurred_on,
        ))
        .select(Absence::as_select())
        .load(conn)
}

/// A visit a doctor took part in (was taught on), with its team's and clinic's names:
/// the dossier's 3331 section.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DoctorVisit {
    pub visit: Visit,
    pub team_name: String,
    pub clinic_name: String,
}

/// The visits a doctor took part in, oldest first.
pub fn visits_of_doctor(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<DoctorVisit>> {
    support_visits::table
        .inner_join(support_visit_doctors::table)
        .inner_join(tutoring_teams::table)
        .inner_join(organizations::table)
        .filter(support_visit_doctors::doctor_id.eq(doctor_id))
        .order((support_visits::starts_on, support_visits::id))
        .select((
            Visit::as_select(),
            tutoring_teams::name,
            organizations::name,
        ))
        .load(conn)
}
