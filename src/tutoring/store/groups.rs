//! Groups and their memberships (a move closes a row and opens another; rows are never
//! rewritten otherwise).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{
    doctors, regions, tutoring_groups, tutoring_memberships, tutoring_team_members, tutoring_teams,
};
use crate::regions::{Scope, in_scope};
use crate::roster::{DoctorStatus, Education, Qualification};
use crate::tutoring::rules::NewGroup;
use crate::tutoring::{Group, Membership};

/// Which groups a list shows.
#[derive(Debug, Clone)]
pub enum GroupSet {
    /// Every group of a region subtree (admins).
    Region(Scope),
    /// The groups of these teams, within a region subtree (an instructor's teams).
    Teams(Vec<i64>, Scope),
    /// Exactly these groups (a doctor's own).
    Only(Vec<i64>),
}

/// A group and its region's path.
pub fn group(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(Group, String)>> {
    tutoring_groups::table
        .inner_join(regions::table)
        .filter(tutoring_groups::id.eq(id))
        .select((Group::as_select(), regions::path))
        .first(conn)
        .optional()
}

/// A row of a group list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub group: Group,
    pub team_name: String,
    pub members: i64,
}

/// Groups of a set, optionally of one program, by name.
pub fn groups_in(
    conn: &mut AnyConnection,
    set: &GroupSet,
    program_id: Option<i64>,
) -> QueryResult<Vec<GroupRow>> {
    let mut q = tutoring_groups::table
        .inner_join(regions::table)
        .inner_join(tutoring_teams::table)
        .into_boxed();
    match set {
        GroupSet::Region(scope) => q = q.filter(in_scope(scope)),
        GroupSet::Teams(teams, scope) => {
            q = q
                .filter(in_scope(scope))
                .filter(tutoring_groups::team_id.eq_any(teams.clone()))
        }
        GroupSet::Only(ids) => q = q.filter(tutoring_groups::id.eq_any(ids.clone())),
    }
    if let Some(p) = program_id {
        q = q.filter(tutoring_groups::program_id.eq(p));
    }
    let rows: Vec<(Group, String)> = q
        .order((tutoring_groups::name, tutoring_groups::id))
        .select((Group::as_select(), tutoring_teams::name))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(g, _)| g.id).collect();
    let counts: Vec<(i64, i64)> = tutoring_memberships::table
        .filter(tutoring_memberships::group_id.eq_any(&ids))
        .filter(tutoring_memberships::left_at.is_null())
        .group_by(tutoring_memberships::group_id)
        .select((tutoring_memberships::group_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(group, team_name)| GroupRow {
            members: counts
                .iter()
                .find(|(g, _)| *g == group.id)
                .map_or(0, |(_, n)| *n),
            group,
            team_name,
        })
        .collect())
}

type MembershipTuple = (i64, i64, i64, String, NaiveDateTime, Option<NaiveDateTime>);

fn membership(
    (id, group_id, doctor_id, doctor_name, joined_at, left_at): MembershipTuple,
) -> Membership {
    Membership {
        id,
        group_id,
        doctor_id,
        doctor_name,
        joined_at,
        left_at,
    }
}

/// Every membership row of a group (its history), oldest first.
pub fn history(conn: &mut AnyConnection, group_id: i64) -> QueryResult<Vec<Membership>> {
    let rows: Vec<MembershipTuple> = tutoring_memberships::table
        .inner_join(doctors::table)
        .filter(tutoring_memberships::group_id.eq(group_id))
        .order((tutoring_memberships::joined_at, tutoring_memberships::id))
        .select((
            tutoring_memberships::id,
            tutoring_memberships::group_id,
            tutoring_memberships::doctor_id,
            doctors::name,
            tutoring_memberships::joined_at,
            tutoring_memberships::left_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(membership).collect())
}

/// The open memberships of these doctors in a program's groups.
pub fn open_of(
    conn: &mut AnyConnection,
    doctor_ids: &[i64],
    program_id: i64,
) -> QueryResult<Vec<Membership>> {
    let rows: Vec<MembershipTuple> = tutoring_memberships::table
        .inner_join(doctors::table)
        .filter(tutoring_memberships::doctor_id.eq_any(doctor_ids))
        .filter(tutoring_memberships::program_id.eq(program_id))
        .filter(tutoring_memberships::left_at.is_null())
        .select((
            tutoring_memberships::id,
            tutoring_memberships::group_id,
            tutoring_memberships::doctor_id,
            doctors::name,
            tutoring_memberships::joined_at,
            tutoring_memberships::left_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(membership).collect())
}

/// The groups a doctor is in now.
pub fn groups_of_doctor(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<i64>> {
    tutoring_memberships::table
        .filter(tutoring_memberships::doctor_id.eq(doctor_id))
        .filter(tutoring_memberships::left_at.is_null())
        .select(tutoring_memberships::group_id)
        .load(conn)
}

/// Close memberships (a move or a removal).
pub fn close(
    conn: &mut AnyConnection,
    ids: &[i64],
    now: NaiveDateTime,
    by: i64,
) -> QueryResult<usize> {
    diesel::update(
        tutoring_memberships::table
            .filter(tutoring_memberships::id.eq_any(ids))
            .filter(tutoring_memberships::left_at.is_null()),
    )
    .set((
        tutoring_memberships::left_at.eq(Some(now)),
        tutoring_memberships::changed_by.eq(Some(by)),
    ))
    .execute(conn)
}

/// Open a membership.
pub fn join(
    conn: &mut AnyConnection,
    group: &Group,
    doctor_id: i64,
    now: NaiveDateTime,
    by: i64,
) -> QueryResult<()> {
    diesel::insert_into(tutoring_memberships::table)
        .values((
            tutoring_memberships::group_id.eq(group.id),
            tutoring_memberships::doctor_id.eq(doctor_id),
            tutoring_memberships::program_id.eq(group.program_id),
            tutoring_memberships::joined_at.eq(now),
            tutoring_memberships::changed_by.eq(Some(by)),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_group(
    conn: &mut AnyConnection,
    new: &NewGroup,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<Group> {
    let id: i64 = diesel::insert_into(tutoring_groups::table)
        .values((
            tutoring_groups::name.eq(&new.name),
            tutoring_groups::program_id.eq(new.program_id),
            tutoring_groups::region_code.eq(&new.region_code),
            tutoring_groups::team_id.eq(new.team_id),
            tutoring_groups::criteria.eq(&new.criteria),
            tutoring_groups::created_by.eq(Some(by)),
            tutoring_groups::created_at.eq(now),
        ))
        .returning(tutoring_groups::id)
        .get_result(conn)?;
    tutoring_groups::table
        .find(id)
        .select(Group::as_select())
        .first(conn)
}

/// What placing a doctor in a group needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DoctorFacts {
    pub id: i64,
    pub name: String,
    pub program_id: i64,
    pub status: DoctorStatus,
    pub region_path: String,
}

pub fn doctor_facts(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<DoctorFacts>> {
    doctors::table
        .inner_join(regions::table)
        .filter(doctors::id.eq_any(ids))
        .select((
            doctors::id,
            doctors::name,
            doctors::program_id,
            doctors::status,
            regions::path,
        ))
        .load(conn)
}

/// A doctor a proposal may place.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct CandidateRow {
    pub id: i64,
    pub name: String,
    pub region_path: String,
    pub education: Education,
    pub birth_date: NaiveDate,
    pub qualification: Qualification,
}

/// The active doctors of a program in a region subtree who are in none of its groups.
pub fn ungrouped(
    conn: &mut AnyConnection,
    scope: &Scope,
    program_id: i64,
) -> QueryResult<Vec<CandidateRow>> {
    let grouped = tutoring_memberships::table
        .filter(tutoring_memberships::program_id.eq(program_id))
        .filter(tutoring_memberships::left_at.is_null())
        .select(tutoring_memberships::doctor_id);
    doctors::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(doctors::program_id.eq(program_id))
        .filter(doctors::status.eq(DoctorStatus::Active))
        .filter(doctors::id.ne_all(grouped))
        .order(doctors::id)
        .select((
            doctors::id,
            doctors::name,
            regions::path,
            doctors::education,
            doctors::birth_date,
            doctors::qualification,
        ))
        .load(conn)
}

/// Is the instructor on the team of a group the doctor is in now?
pub fn tutors(conn: &mut AnyConnection, instructor_id: i64, doctor_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        tutoring_memberships::table
            .inner_join(tutoring_groups::table)
            .inner_join(
                tutoring_team_members::table
                    .on(tutoring_team_members::team_id.eq(tutoring_groups::team_id)),
            )
            .filter(tutoring_team_members::instructor_id.eq(instructor_id))
            .filter(tutoring_memberships::doctor_id.eq(doctor_id))
            .filter(tutoring_memberships::left_at.is_null()),
    ))
    .get_result(conn)
}

/// The doctors in the groups of the instructor's teams now.
pub fn tutored(conn: &mut AnyConnection, instructor_id: i64) -> QueryResult<Vec<i64>> {
    tutoring_memberships::table
        .inner_join(tutoring_groups::table)
        .inner_join(
            tutoring_team_members::table
                .on(tutoring_team_members::team_id.eq(tutoring_groups::team_id)),
        )
        .filter(tutoring_team_members::instructor_id.eq(instructor_id))
        .filter(tutoring_memberships::left_at.is_null())
        .select(tutoring_memberships::doctor_id)
        .distinct()
        .load(conn)
}
