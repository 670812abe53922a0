//! Queries on tutoring teams, groups and their memberships, activities and evaluations.

pub mod groups;
pub mod records;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::NewTeam;
use super::{HomeLevel, MemberRole, Team, TeamMember};
use crate::db::AnyConnection;
use crate::db::schema::{
    instructors, organizations, regions, tutoring_team_members, tutoring_teams,
};
use crate::regions::{Scope, in_scope};

pub use groups::*;
pub use records::*;

/// A team and its region's path.
pub fn team(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(Team, String)>> {
    tutoring_teams::table
        .inner_join(regions::table)
        .filter(tutoring_teams::id.eq(id))
        .select((Team::as_select(), regions::path))
        .first(conn)
        .optional()
}

/// The teams of a region subtree, by name.
pub fn teams_in(conn: &mut AnyConnection, scope: &Scope) -> QueryResult<Vec<Team>> {
    tutoring_teams::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .order((tutoring_teams::name, tutoring_teams::id))
        .select(Team::as_select())
        .load(conn)
}

/// The teams an instructor belongs to.
pub fn teams_of(conn: &mut AnyConnection, instructor_id: i64) -> QueryResult<Vec<i64>> {
    tutoring_team_members::table
        .filter(tutoring_team_members::instructor_id.eq(instructor_id))
        .select(tutoring_team_members::team_id)
        .order(tutoring_team_members::team_id)
        .load(conn)
}

/// A team member's row as selected.
type MemberTuple = (
    i64,
    i64,
    String,
    Option<String>,
    MemberRole,
    bool,
    Option<String>,
    Option<HomeLevel>,
);

/// A team's members, doctors first, then by name.
pub fn members_of(conn: &mut AnyConnection, team_id: i64) -> QueryResult<Vec<TeamMember>> {
    let rows: Vec<MemberTuple> = tutoring_team_members::table
        .inner_join(instructors::table)
        .left_join(
            organizations::table.on(organizations::id
                .nullable()
                .eq(tutoring_team_members::home_org_id)),
        )
        .filter(tutoring_team_members::team_id.eq(team_id))
        .select((
            tutoring_team_members::team_id,
            tutoring_team_members::instructor_id,
            instructors::name,
            instructors::phone,
            tutoring_team_members::role,
            tutoring_team_members::dispatched,
            organizations::name.nullable(),
            tutoring_team_members::level,
        ))
        .load(conn)?;
    let mut members: Vec<TeamMember> = rows
        .into_iter()
        .map(
            |(team_id, instructor_id, name, phone, role, dispatched, home_org, level)| TeamMember {
                team_id,
                instructor_id,
                name,
                phone,
                role,
                dispatched,
                home_org,
                level,
            },
        )
        .collect();
    members.sort_by(|a, b| a.role.cmp(&b.role).then(a.name.cmp(&b.name)));
    Ok(members)
}

/// The region paths of instructors (those that exist).
pub fn instructor_paths(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    instructors::table
        .inner_join(regions::table)
        .filter(instructors::id.eq_any(ids))
        .select((instructors::id, regions::path))
        .load(conn)
}

/// The region paths of organizations (those that exist).
pub fn org_paths(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    organizations::table
        .inner_join(regions::table)
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, regions::path))
        .load(conn)
}

/// Create a team with its members; a name taken in the region is a conflict (409).
pub fn insert_team(
    conn: &mut AnyConnection,
    new: &NewTeam,
    created_by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(tutoring_teams::table)
        .values((
            tutoring_teams::name.eq(&new.name),
            tutoring_teams::region_code.eq(&new.region_code),
            tutoring_teams::program_id.eq(new.program_id),
            tutoring_teams::created_by.eq(created_by),
            tutoring_teams::created_at.eq(now),
        ))
        .returning(tutoring_teams::id)
        .get_result(conn)?;
    for m in &new.members {
        diesel::insert_into(tutoring_team_members::table)
            .values((
                tutoring_team_members::team_id.eq(id),
                tutoring_team_members::instructor_id.eq(m.instructor_id),
                tutoring_team_members::role.eq(m.role),
                tutoring_team_members::dispatched.eq(m.dispatched),
                tutoring_team_members::home_org_id.eq(m.home_org_id),
                tutoring_team_members::level.eq(m.level),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Is a team name taken in a region?
pub fn team_name_taken(conn: &mut AnyConnection, region: &str, name: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        tutoring_teams::table
            .filter(tutoring_teams::region_code.eq(region))
            .filter(tutoring_teams::name.eq(name)),
    ))
    .get_result(conn)
}
