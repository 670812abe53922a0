//! Tutoring teams (带教团队).

use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;
use crate::time;
use crate::tutoring::TeamBody;
use crate::tutoring::rules;
use crate::tutoring::store;
use crate::tutoring::views::TeamView;

use super::{region_in, region_named, team_view};

/// Form a team (admins, in their subtree): its members are instructors of the caller's
/// subtree, each with a profession; home organizations likewise.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create_team(
    state: &AppState,
    caller: &Caller,
    body: &TeamBody,
) -> AppResult<TeamView> {
    caller.require(Role::ADMINS)?;
    let new = rules::check_team(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            region_named(conn, &caller, &new.region_code)?;
            let mut p = Problems::new();
            if let Some(program) = new.program_id
                && access::program(conn, &caller, program).is_err()
            {
                p.add("program_id", "培训项目不存在");
            }
            let ids: Vec<i64> = new.members.iter().map(|m| m.instructor_id).collect();
            let found = store::instructor_paths(conn, &ids)?;
            let orgs: Vec<i64> = new.members.iter().filter_map(|m| m.home_org_id).collect();
            let org_found = store::org_paths(conn, &orgs)?;
            let scope = caller.scope();
            for (i, m) in new.members.iter().enumerate() {
                if !found
                    .iter()
                    .any(|(id, path)| *id == m.instructor_id && scope.contains_path(path))
                {
                    p.add(
                        format!("members[{i}].instructor_id"),
                        format!("带教老师 {} 不存在或不在本辖区", m.instructor_id),
                    );
                }
                if let Some(o) = m.home_org_id
                    && !org_found
                        .iter()
                        .any(|(id, path)| *id == o && scope.contains_path(path))
                {
                    p.add(
                        format!("members[{i}].home_org_id"),
                        "派出单位不存在或不在本辖区",
                    );
                }
            }
            p.finish()?;
            crate::db::write(conn, |conn| {
                if store::team_name_taken(conn, &new.region_code, &new.name)? {
                    return Err(AppError::Conflict(format!(
                        "本区划已有名为“{}”的带教团队",
                        new.name
                    )));
                }
                let id = store::insert_team(conn, &new, caller.user_id, time::now())?;
                team_view(conn, id)
            })
        })
        .await
}

/// The teams of a region (admins: their subtree; an instructor: its own teams).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list_teams(
    state: &AppState,
    caller: &Caller,
    region: Option<String>,
) -> AppResult<Vec<TeamView>> {
    caller.require(&[
        Role::Instructor,
        Role::CountyAdmin,
        Role::CityAdmin,
        Role::Sysadmin,
    ])?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            // An instructor sees its own teams, wherever they are.
            let teams = match (caller.role(), caller.instructor_id) {
                (Role::Instructor, Some(i)) => {
                    let mut out = Vec::new();
                    for id in store::teams_of(conn, i)? {
                        out.extend(store::team(conn, id)?.map(|(t, _)| t));
                    }
                    out
                }
                (Role::Instructor, None) => Vec::new(),
                _ => {
                    let scope = region_in(conn, &caller, region.as_deref())?;
                    store::teams_in(conn, &scope)?
                }
            };
            let mut views = Vec::with_capacity(teams.len());
            for t in &teams {
                views.push(team_view(conn, t.id)?);
            }
            Ok::<_, AppError>(views)
        })
        .await
}
