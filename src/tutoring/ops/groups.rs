//! Learning groups: forming, moving members, reading.

use std::collections::BTreeSet;

use crate::access::{self, Caller, GroupRelation, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;
use crate::time;
use crate::tutoring::rules;
use crate::tutoring::store::{self, GroupSet};
use crate::tutoring::views::{
    DoctorGroup, DoctorTutoring, EvaluationView, GroupListItem, GroupView,
};
use crate::tutoring::{Group, GroupBody, MembersBody};

use super::{group_set, group_view, region_named, team_view};

/// Check that the doctors exist, are in `scope` and in the program: each bad one named.
fn check_doctors(
    conn: &mut AnyConnection,
    scope: &crate::regions::Scope,
    program_id: i64,
    ids: &[i64],
) -> AppResult<()> {
    let found = store::doctor_facts(conn, ids)?;
    let mut bad = Vec::new();
    for id in ids {
        match found.iter().find(|d| d.id == *id) {
            Some(d) if scope.contains_path(&d.region_path) && d.program_id == program_id => {}
            Some(d) if scope.contains_path(&d.region_path) => {
                bad.push(format!("{}（不在该培训项目）", d.name))
            }
            _ => bad.push(format!("{id}（不存在或不在该区划）")),
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(AppError::field(
            "doctor_ids",
            format!("这些学员不能编入本小组：{}", bad.join("、")),
        ))
    }
}

/// Only those who pass go on (Weifang 五(二)): joining a group this training year asks the
/// assessment's gate for each joining doctor; those refused are named with the failed year.
fn gate_joining(conn: &mut AnyConnection, program_id: i64, ids: &[i64]) -> AppResult<()> {
    let year = chrono::Datelike::year(&time::today_cst());
    let mut refused = Vec::new();
    for d in store::doctor_facts(conn, ids)? {
        match crate::assessment::require_passed_previous_year(conn, d.id, program_id, year) {
            Ok(()) => {}
            Err(AppError::Conflict(why)) => refused.push(format!("{}（{why}）", d.name)),
            Err(e) => return Err(e),
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "这些学员不能编入学习小组：{}",
            refused.join("；")
        )))
    }
}

/// Form a group (admins): its region in the caller's subtree, its team's too, its
/// doctors in its region and program and in no other group of the program (409).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create_group(
    state: &AppState,
    caller: &Caller,
    body: &GroupBody,
) -> AppResult<GroupView> {
    let mut views = create_groups(state, caller, std::slice::from_ref(body)).await?;
    views.pop().ok_or(AppError::NotFound)
}

/// Form several groups at once (a saved proposal): all of them or, when any is refused,
/// none.
#[tracing::instrument(skip(state, caller, bodies), fields(caller = caller.user_id, groups = bodies.len()))]
pub async fn create_groups(
    state: &AppState,
    caller: &Caller,
    bodies: &[GroupBody],
) -> AppResult<Vec<GroupView>> {
    caller.require(Role::ADMINS)?;
    let news = bodies
        .iter()
        .map(rules::check_group)
        .collect::<AppResult<Vec<_>>>()?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            for new in &news {
                let region = region_named(conn, &caller, &new.region_code)?;
                let mut p = Problems::new();
                if access::program(conn, &caller, new.program_id).is_err() {
                    p.add("program_id", "培训项目不存在");
                }
                match store::team(conn, new.team_id)? {
                    Some((_, path)) if caller.scope().contains_path(&path) => {}
                    _ => p.add("team_id", "带教团队不存在或不在本辖区"),
                }
                p.finish()?;
                check_doctors(conn, &region.scope(), new.program_id, &new.doctor_ids)?;
                gate_joining(conn, new.program_id, &new.doctor_ids)?;
            }
            let mut all: Vec<i64> = news.iter().flat_map(|n| n.doctor_ids.iter().copied()).collect();
            all.sort_unstable();
            if all.windows(2).any(|w| w[0] == w[1]) {
                return Err(AppError::field("doctor_ids", "同一学员不能编入两个小组"));
            }
            crate::db::write(conn, |conn| {
                let now = time::now();
                let mut views = Vec::with_capacity(news.len());
                for new in &news {
                    let taken = store::open_of(conn, &new.doctor_ids, new.program_id)?;
                    if !taken.is_empty() {
                        let names: Vec<&str> = taken.iter().map(|m| m.doctor_name.as_str()).collect();
                        return Err(AppError::Conflict(format!(
                            "这些学员已在本项目的其他学习小组：{}（请用调整成员）",
                            names.join("、")
                        )));
                    }
                    let group = store::insert_group(conn, new, caller.user_id, now)?;
                    for d in &new.doctor_ids {
                        store::join(conn, &group, *d, now, caller.user_id)?;
                    }
                    crate::audit::record(
                        conn,
                        &caller.actor(),
                        &crate::audit::Entry::new("tutoring.group_created")
                            .target(format!("tutoring_group:{}", group.id))
                            .detail(serde_json::json!({ "doctor_ids": new.doctor_ids, "team_id": new.team_id })),
                        now,
                    )?;
                    views.push(group_view(conn, &group)?);
                }
                Ok(views)
            })
        })
        .await
}

/// Set a group's members from now on (admins): those left out leave, those added join
/// — moving out of another group of the program when they were in one. History rows
/// are closed, never rewritten.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, group = id))]
pub async fn set_members(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &MembersBody,
) -> AppResult<GroupView> {
    let mut wanted = body.doctor_ids.clone().unwrap_or_default();
    wanted.sort_unstable();
    wanted.dedup();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (group, how) = access::tutoring_group(conn, &caller, id)?;
            if how != GroupRelation::Admin {
                return Err(AppError::Forbidden("只有管理员可以调整小组成员".into()));
            }
            if wanted.len() > rules::MAX_GROUP_SIZE as usize {
                return Err(AppError::field(
                    "doctor_ids",
                    format!("每组最多 {} 人", rules::MAX_GROUP_SIZE),
                ));
            }
            let (_, path) = store::group(conn, id)?.ok_or(AppError::NotFound)?;
            check_doctors(
                conn,
                &crate::regions::Scope::new(&group.region_code, &path),
                group.program_id,
                &wanted,
            )?;
            crate::db::write(conn, |conn| {
                let now = time::now();
                let open = store::open_of(conn, &wanted, group.program_id)?;
                let current: Vec<_> = store::history(conn, id)?
                    .into_iter()
                    .filter(|m| m.left_at.is_none())
                    .collect();
                let keep: BTreeSet<i64> = wanted.iter().copied().collect();
                let mut closing: Vec<i64> = current
                    .iter()
                    .filter(|m| !keep.contains(&m.doctor_id))
                    .map(|m| m.id)
                    .collect();
                let mut joining = Vec::new();
                for d in &wanted {
                    if current.iter().any(|m| m.doctor_id == *d) {
                        continue;
                    }
                    closing.extend(open.iter().filter(|m| m.doctor_id == *d).map(|m| m.id));
                    joining.push(*d);
                }
                gate_joining(conn, group.program_id, &joining)?;
                store::close(conn, &closing, now, caller.user_id)?;
                for d in &joining {
                    store::join(conn, &group, *d, now, caller.user_id)?;
                }
                crate::audit::record(
                    conn,
                    &caller.actor(),
                    &crate::audit::Entry::new("tutoring.members_changed")
                        .target(format!("tutoring_group:{id}"))
                        .detail(serde_json::json!({ "joined": joining, "closed": closing })),
                    now,
                )?;
                group_view(conn, &group)
            })
        })
        .await
}

/// A group the caller may see, whole.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, group = id))]
pub async fn find(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(GroupView, GroupRelation)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (group, how) = access::tutoring_group(conn, &caller, id)?;
            Ok::<_, AppError>((group_view(conn, &group)?, how))
        })
        .await
}

/// The groups the caller may see in a region, optionally of one program.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list_groups(
    state: &AppState,
    caller: &Caller,
    region: Option<String>,
    program_id: Option<i64>,
) -> AppResult<Vec<GroupListItem>> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let set: GroupSet = group_set(conn, &caller, region.as_deref())?;
            let rows = store::groups_in(conn, &set, program_id)?;
            Ok::<_, AppError>(
                rows.into_iter()
                    .map(|r| GroupListItem {
                        id: r.group.id,
                        name: r.group.name,
                        region_code: r.group.region_code,
                        program_id: r.group.program_id,
                        team_id: r.group.team_id,
                        team_name: r.team_name,
                        members: r.members,
                    })
                    .collect(),
            )
        })
        .await
}

/// A doctor's groups now, each with its team and evaluations (whoever may see the
/// doctor).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, doctor = doctor_id))]
pub async fn doctor_groups(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
) -> AppResult<DoctorTutoring> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            access::doctor(conn, &caller, doctor_id)?;
            let groups = groups_in(conn, doctor_id)?;
            Ok::<_, AppError>(DoctorTutoring { doctor_id, groups })
        })
        .await
}

/// A doctor's groups, each with its team and evaluations; the caller has checked scope
/// (the dossier reads it here).
pub fn groups_in(conn: &mut AnyConnection, doctor_id: i64) -> AppResult<Vec<DoctorGroup>> {
    let mut groups = Vec::new();
    for gid in store::groups_of_doctor(conn, doctor_id)? {
        let Some((group, _)) = store::group(conn, gid)? else {
            continue;
        };
        let Group {
            id,
            name,
            program_id,
            team_id,
            ..
        } = group;
        groups.push(DoctorGroup {
            id,
            name,
            program_id,
            team: team_view(conn, team_id)?,
            evaluations: store::evaluations_of(conn, id)?
                .iter()
                .map(EvaluationView::from)
                .collect(),
        });
    }
    Ok(groups)
}

/// A group's members and the doctors who could join it (the program's active doctors of
/// its region in no group), for the admins' editing page.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, group = id))]
pub async fn editable(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(GroupView, Vec<(i64, String)>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (group, how) = access::tutoring_group(conn, &caller, id)?;
            if how != GroupRelation::Admin {
                return Err(AppError::Forbidden("只有管理员可以调整小组成员".into()));
            }
            let (_, path) = store::group(conn, id)?.ok_or(AppError::NotFound)?;
            let scope = crate::regions::Scope::new(&group.region_code, &path);
            let free = store::ungrouped(conn, &scope, group.program_id)?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect();
            Ok((group_view(conn, &group)?, free))
        })
        .await
}

/// The groups with members living in a region (a township), each showing its team and
/// only those members: the 公示 posted at that township's centre and clinics.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn township_notice(
    state: &AppState,
    caller: &Caller,
    code: String,
) -> AppResult<(String, Vec<GroupView>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let region = crate::regions::resolve(conn, &code)?.ok_or(AppError::NotFound)?;
            if caller.is_admin() && !caller.scope().contains_path(&region.path) {
                return Err(caller.denied("tutoring.notice", format!("region:{code}")));
            }
            let scope = region.scope();
            let set = group_set(conn, &caller, None)?;
            let mut out = Vec::new();
            for row in store::groups_in(conn, &set, None)? {
                let mut view = group_view(conn, &row.group)?;
                let ids: Vec<i64> = view.members.iter().map(|m| m.doctor_id).collect();
                let here: Vec<i64> = store::doctor_facts(conn, &ids)?
                    .into_iter()
                    .filter(|d| scope.contains_path(&d.region_path))
                    .map(|d| d.id)
                    .collect();
                view.members.retain(|m| here.contains(&m.doctor_id));
                if !view.members.is_empty() {
                    out.push(view);
                }
            }
            Ok::<_, AppError>((region.name, out))
        })
        .await
}
