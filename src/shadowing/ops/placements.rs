//! Placements and their rotations (admins), and the end-of-placement assessment.

use super::days::assessment;
use super::{date, find_in};
use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::shadowing::rules::{self, Relation};
use crate::shadowing::views::{PlacementAt, PlacementView};
use crate::shadowing::{AssessmentBody, PlacementBody, Rotation, RotationBody, store};
use crate::state::AppState;
use crate::time;

/// Place a doctor at a base of its program's city (admins).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, doctor = body.doctor_id))]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &PlacementBody,
) -> AppResult<PlacementView> {
    caller.require(Role::ADMINS)?;
    let mut p = Problems::new();
    let starts = date(&mut p, "starts_on", &body.starts_on);
    let ends = date(&mut p, "ends_on", &body.ends_on);
    if body.doctor_id.is_none() {
        p.add("doctor_id", "必填");
    }
    if body.base_org_id.is_none() {
        p.add("base_org_id", "必填：跟班学习的培训基地或医院");
    }
    p.finish()?;
    let (doctor_id, org_id) = (
        body.doctor_id.unwrap_or_default(),
        body.base_org_id.unwrap_or_default(),
    );
    let caller = caller.clone();
    state
        .db(move |conn| {
            let doctor = access::doctor(conn, &caller, doctor_id)?;
            let program_id = doctor.doctor.program_id;
            let program = crate::program::get(conn, program_id)?.ok_or(AppError::NotFound)?;
            let mut p = Problems::new();
            rules::check_range(&mut p, starts, ends, &program.years());
            let city = crate::program::region_of(conn, &program)?.scope();
            match crate::orgs::get(conn, org_id)? {
                Some((o, path))
                    if rules::base_allowed(
                        city.contains_path(&path),
                        crate::orgs::OrgKind::parse(&o.kind.to_string()),
                    ) => {}
                _ => p.add("base_org_id", "应为本市的培训基地、推广中心、卫生院或医院"),
            }
            p.finish()?;
            let (Some(starts), Some(ends)) = (starts, ends) else {
                return Err(AppError::field("starts_on", "请填写起止日期"));
            };
            crate::assessment::require_passed_previous_year(
                conn,
                doctor_id,
                program_id,
                chrono::Datelike::year(&starts),
            )?;
            let id = store::insert_placement(
                conn,
                doctor.doctor.id,
                program_id,
                org_id,
                (starts, ends),
                &caller.actor(),
                time::now(),
            )?;
            Ok(find_in(conn, &caller, id)?.view())
        })
        .await
}

/// A doctor's placements (a doctor: its own).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    doctor_id: Option<i64>,
) -> AppResult<Vec<PlacementAt>> {
    let doctor_id = match (caller.role(), doctor_id) {
        (Role::Doctor, _) => caller.doctor_id.ok_or(AppError::NotFound)?,
        (_, Some(id)) => id,
        (_, None) => return Err(AppError::field("doctor_id", "必填")),
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let doctor = access::doctor(conn, &caller, doctor_id)?;
            Ok::<_, AppError>(store::placements_of(conn, doctor.doctor.id)?)
        })
        .await
}

/// Add a department rotation to a placement (admins), within its dates, under a
/// supervisor of the program's city.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, placement = id))]
pub async fn add_rotation(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &RotationBody,
) -> AppResult<Rotation> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            if found.how != Relation::Admin {
                return Err(AppError::Forbidden("只有管理员可以安排科室轮转".into()));
            }
            let placement = &found.placement;
            let mut p = Problems::new();
            let department = body.department.as_deref().unwrap_or("").trim().to_owned();
            if department.is_empty() || department.chars().count() > 30 {
                p.add("department", "科室应为 1–30 个字符");
            }
            let starts = date(&mut p, "starts_on", &body.starts_on);
            let ends = date(&mut p, "ends_on", &body.ends_on);
            if let (Some(s), Some(e)) = (starts, ends)
                && (e < s || !rules::within((placement.starts_on, placement.ends_on), (s, e)))
            {
                p.add(
                    "starts_on",
                    format!(
                        "轮转应在跟班学习期间（{} 至 {}）内",
                        placement.starts_on, placement.ends_on
                    ),
                );
            }
            p.finish()?;
            if let Some(s) = body.supervisor_id {
                let program =
                    crate::program::get(conn, placement.program_id)?.ok_or(AppError::NotFound)?;
                let city = crate::program::region_of(conn, &program)?.scope();
                if !matches!(
                    crate::instructors::get_scoped(conn, s, &city)?,
                    access::Lookup::Found(_)
                ) {
                    return Err(AppError::field("supervisor_id", "带教老师不存在或不在本市"));
                }
            }
            let (Some(starts), Some(ends)) = (starts, ends) else {
                return Err(AppError::field("starts_on", "请填写起止日期"));
            };
            let rid = store::insert_rotation(
                conn,
                id,
                &department,
                (starts, ends),
                body.supervisor_id,
                time::now(),
            )?;
            store::rotation(conn, rid)?.ok_or(AppError::NotFound)
        })
        .await
}

/// The end-of-placement assessment (anyone who sees it but the doctor).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, placement = id))]
pub async fn assess(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &AssessmentBody,
) -> AppResult<PlacementView> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            if found.how == Relation::Doctor {
                return Err(AppError::Forbidden("学员不能给自己打分".into()));
            }
            let (score, summary) = assessment(&body)?;
            store::assess_placement(
                conn,
                id,
                score,
                summary.as_deref(),
                &caller.actor(),
                time::now(),
            )?;
            Ok(find_in(conn, &caller, id)?.view())
        })
        .await
}
