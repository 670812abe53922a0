//! Tutoring's use cases, shared by the API and the pages.

pub mod groups;
pub mod proposal;
pub mod records;
pub mod teams;

use chrono::NaiveDateTime;

use super::Group;
use super::store::{self, GroupSet};
use super::views::{ActivityView, GroupView, TeamView};
use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::regions::{self, Region, Scope};

pub use groups::{
    create_group, create_groups, doctor_groups, editable, find, list_groups, set_members,
    township_notice,
};
pub use proposal::propose;
pub use records::{evaluate, log_activity, missing};
pub use teams::{create_team, list_teams};

/// A region in the caller's subtree (404 otherwise); the caller's own when none given.
pub(crate) fn region_in(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: Option<&str>,
) -> AppResult<Scope> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(caller.scope()),
        Some(code) => region_named(conn, caller, code).map(|r| r.scope()),
    }
}

/// The named region, in the caller's subtree (404 otherwise).
pub(crate) fn region_named(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: &str,
) -> AppResult<Region> {
    match regions::resolve(conn, code)? {
        None => Err(AppError::NotFound),
        Some(r) if caller.scope().contains_path(&r.path) => Ok(r),
        Some(_) => Err(caller.denied("tutoring.region", format!("region:{code}"))),
    }
}

/// The groups a list may show the caller, in `region` (within its own subtree).
pub(crate) fn group_set(
    conn: &mut AnyConnection,
    caller: &Caller,
    region: Option<&str>,
) -> AppResult<GroupSet> {
    match caller.role() {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {
            Ok(GroupSet::Region(region_in(conn, caller, region)?))
        }
        Role::Instructor => {
            let teams = match caller.instructor_id {
                Some(i) => store::teams_of(conn, i)?,
                None => Vec::new(),
            };
            let scope = match region.map(str::trim).filter(|c| !c.is_empty()) {
                None => Scope::new("", "/"),
                Some(code) => regions::resolve(conn, code)?
                    .ok_or(AppError::NotFound)?
                    .scope(),
            };
            Ok(GroupSet::Teams(teams, scope))
        }
        Role::Doctor => Ok(GroupSet::Only(match caller.doctor_id {
            Some(d) => store::groups_of_doctor(conn, d)?,
            None => Vec::new(),
        })),
    }
}

/// A team with its members, as shown.
pub(crate) fn team_view(conn: &mut AnyConnection, team_id: i64) -> AppResult<TeamView> {
    let (team, _) = store::team(conn, team_id)?.ok_or(AppError::NotFound)?;
    let members = store::members_of(conn, team_id)?;
    Ok(TeamView::of(&team, &members))
}

/// A group's whole record.
pub(crate) fn group_view(conn: &mut AnyConnection, group: &Group) -> AppResult<GroupView> {
    let team = team_view(conn, group.team_id)?;
    let history = store::history(conn, group.id)?;
    let evaluations = store::evaluations_of(conn, group.id)?;
    let activities = store::activities_of(conn, group.id)?
        .into_iter()
        .map(|(a, who)| ActivityView::of(&a, who))
        .collect();
    Ok(GroupView::of(
        group,
        team,
        &history,
        &evaluations,
        activities,
    ))
}

/// The end of a month as a UTC instant (its last Beijing midnight).
pub(crate) fn month_end_utc(month: super::Month) -> NaiveDateTime {
    month
        .next()
        .first_day()
        .and_hms_opt(0, 0, 0)
        .map(|t| t - chrono::Duration::hours(8))
        .unwrap_or(NaiveDateTime::MAX)
}
