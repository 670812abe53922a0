//! Shadowing's use cases: placements and rotations, the doctor's days (recorded through
//! `crate::study::credit`, pending), and the supervisor's sign-off (credited through it).

use chrono::NaiveDate;

use super::rules::{self, Relation};
use super::views::{PlacementAt, PlacementView};
use super::{AssessmentBody, LogBody, Placement, PlacementBody, Rotation, RotationBody, store};
use crate::access::{self, Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::points::Points;
use crate::state::AppState;
use crate::study::{Credit, NewRecord, RecordStatus, Source, StudyKind, StudyRecord};
use crate::time;

fn date(p: &mut Problems, field: &str, raw: &Option<String>) -> Option<NaiveDate> {
    p.take(
        field,
        crate::roster::rules::loose_date(raw.as_deref().unwrap_or("")),
    )
}

/// A placement the caller may see, with its rotations, names and relation; else 404.
pub struct Found {
    pub placement: Placement,
    pub rotations: Vec<Rotation>,
    pub context: store::Context,
    pub how: Relation,
}

impl Found {
    pub fn view(self) -> PlacementView {
        PlacementView {
            placement: self.placement,
            base_name: self.context.base_name,
            doctor_name: self.context.doctor_name,
            rotations: self.rotations,
        }
    }
}

fn find_in(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<Found> {
    let placement = store::placement(conn, id)?.ok_or(AppError::NotFound)?;
    let rotations = store::rotations_of(conn, id)?;
    let context = store::context(conn, &placement)?;
    let supervises = caller
        .instructor_id
        .filter(|t| rotations.iter().any(|r| r.supervisor_id == Some(*t)));
    let how = rules::relation(
        caller.role(),
        caller.scope().contains_path(&context.doctor_path),
        context.doctor_user == Some(caller.user_id),
        supervises,
    )
    .ok_or(AppError::NotFound)?;
    Ok(Found {
        placement,
        rotations,
        context,
        how,
    })
}

/// A placement the caller may see.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, placement = id))]
pub async fn find(state: &AppState, caller: &Caller, id: i64) -> AppResult<Found> {
    let caller = caller.clone();
    state.db(move |conn| find_in(conn, &caller, id)).await
}

/// Place a doctor at a base of its program's city (admins).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, doctor = body.doctor_id))]
pub async fn create(state: &AppState, caller: &Caller, body: &PlacementBody) -> AppResult<PlacementView> {
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
    let (doctor_id, org_id) = (body.doctor_id.unwrap_or_default(), body.base_org_id.unwrap_or_default());
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
                Some((o, path)) if city.contains_path(&path) && o.kind != "village_clinic" => {}
                _ => p.add("base_org_id", "应为本市的培训基地、推广中心、卫生院或医院"),
            }
            p.finish()?;
            let (Some(starts), Some(ends)) = (starts, ends) else {
                return Err(AppError::field("starts_on", "请填写起止日期"));
            };
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
pub async fn list(state: &AppState, caller: &Caller, doctor_id: Option<i64>) -> AppResult<Vec<PlacementAt>> {
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
pub async fn add_rotation(state: &AppState, caller: &Caller, id: i64, body: &RotationBody) -> AppResult<Rotation> {
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
                let program = crate::program::get(conn, placement.program_id)?.ok_or(AppError::NotFound)?;
                let city = crate::program::region_of(conn, &program)?.scope();
                if !matches!(crate::instructors::get_scoped(conn, s, &city)?, access::Lookup::Found(_)) {
                    return Err(AppError::field("supervisor_id", "带教老师不存在或不在本市"));
                }
            }
            let (Some(starts), Some(ends)) = (starts, ends) else {
                return Err(AppError::field("starts_on", "请填写起止日期"));
            };
            let rid = store::insert_rotation(conn, id, &department, (starts, ends), body.supervisor_id, time::now())?;
            store::rotation(conn, rid)?.ok_or(AppError::NotFound)
        })
        .await
}

/// The rotation, and the placement it belongs to as the caller sees it.
fn rotation_in(conn: &mut AnyConnection, caller: &Caller, rotation_id: i64) -> AppResult<(Rotation, Found)> {
    let rotation = store::rotation(conn, rotation_id)?.ok_or(AppError::NotFound)?;
    let found = find_in(conn, caller, rotation.placement_id)?;
    Ok((rotation, found))
}

/// Log a day (the doctor itself): pending until the rotation is signed off.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, rotation = rotation_id))]
pub async fn log_day(state: &AppState, caller: &Caller, rotation_id: i64, body: &LogBody) -> AppResult<StudyRecord> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (rotation, found) = rotation_in(conn, &caller, rotation_id)?;
            if found.how != Relation::Doctor {
                return Err(AppError::Forbidden("跟班日志由学员本人填写".into()));
            }
            if rotation.signed_off_at.is_some() {
                return Err(AppError::Conflict("该科室轮转已签字确认，不能再添加日志".into()));
            }
            let mut p = Problems::new();
            let day = date(&mut p, "occurred_on", &body.occurred_on);
            let start = p.take("start_time", rules::parse_time(body.start_time.as_deref().unwrap_or("")));
            let end = p.take("end_time", rules::parse_time(body.end_time.as_deref().unwrap_or("")));
            let content = body.content.as_deref().unwrap_or("").trim().to_owned();
            if content.is_empty() || content.chars().count() > 500 {
                p.add("content", "请填写当天跟班学习内容（500 字以内）");
            }
            if let Some(d) = day
                && !rules::within((rotation.starts_on, rotation.ends_on), (d, d))
            {
                p.add(
                    "occurred_on",
                    format!("日期应在轮转期间（{} 至 {}）内", rotation.starts_on, rotation.ends_on),
                );
            }
            let logged = match (day, start, end) {
                (Some(d), Some(s), Some(e)) => p.take("end_time", rules::log_interval(d, s, e)).map(|i| (d, s, i)),
                _ => None,
            };
            p.finish()?;
            let Some((day, start, (from, to, minutes))) = logged else {
                return Err(AppError::field("occurred_on", "请填写日期和起止时间"));
            };
            let new = NewRecord {
                doctor_id: found.placement.doctor_id,
                kind: StudyKind::Shadowing,
                minutes,
                occurred_on: day,
                interval: Some((from, to)),
                course_id: None,
                session_id: None,
                rotation_id: Some(rotation_id),
                source: Source::ShadowingLog,
                source_ref: format!("rotation:{rotation_id}:{day}:{}", start.format("%H:%M")),
                status: RecordStatus::Pending,
                evidence: Some(format!("{}：{}", rotation.department, content)),
                unit_score: None,
                created_by: Some(caller.user_id),
            };
            let done = crate::study::credit(conn, &Credit::lines(vec![new]), time::today_cst(), time::now())?;
            let id = done
                .created()
                .first()
                .copied()
                .ok_or_else(|| AppError::Conflict("该学习记录已登记，不能重复".into()))?;
            crate::study::record(conn, id)?.ok_or(AppError::NotFound)
        })
        .await
}

/// An assessment's score (0–100 points) and summary (≤ 1000 characters).
fn assessment(body: &AssessmentBody) -> AppResult<(Option<Points>, Option<String>)> {
    let mut p = Problems::new();
    let score = match body.assessment_score {
        None => None,
        Some(s) => p.take("assessment_score", rules::check_score(s)),
    };
    let summary = body
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if summary.as_ref().is_some_and(|s| s.chars().count() > 1000) {
        p.add("summary", "总结不能超过 1000 字");
    }
    p.finish()?;
    Ok((score, summary))
}

/// Sign a rotation off (its supervisor, or an admin): its pending days are credited
/// through `crate::study::credit`, its assessment recorded, in one transaction.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, rotation = rotation_id))]
pub async fn sign(state: &AppState, caller: &Caller, rotation_id: i64, body: &AssessmentBody) -> AppResult<usize> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (rotation, found) = rotation_in(conn, &caller, rotation_id)?;
            if !rules::may_sign(found.how, rotation.supervisor_id, false) {
                return Err(AppError::Forbidden("只有该科室的带教老师或管理员可以签字确认".into()));
            }
            let (score, summary) = assessment(&body)?;
            let actor = caller.actor();
            let now = time::now();
            crate::db::write(conn, |conn| {
                let pending: Vec<i64> = crate::study::records_of_rotation(conn, rotation_id)?
                    .into_iter()
                    .filter(|r| r.status == RecordStatus::Pending)
                    .map(|r| r.id)
                    .collect();
                let credit = Credit::approvals(pending, actor.id, None);
                let done = crate::study::credit(conn, &credit, time::today_cst(), now)?;
                let n = store::mark_signed(conn, rotation_id, score, summary.as_deref(), done.approved, &actor, now)?;
                if n == 0 {
                    return Err(AppError::Conflict("该科室轮转已签字确认".into()));
                }
                Ok(done.approved)
            })
        })
        .await
}

/// The end-of-placement assessment (anyone who sees it but the doctor).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, placement = id))]
pub async fn assess(state: &AppState, caller: &Caller, id: i64, body: &AssessmentBody) -> AppResult<PlacementView> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            if found.how == Relation::Doctor {
                return Err(AppError::Forbidden("学员不能给自己打分".into()));
            }
            let (score, summary) = assessment(&body)?;
            store::assess_placement(conn, id, score, summary.as_deref(), &caller.actor(), time::now())?;
            Ok(find_in(conn, &caller, id)?.view())
        })
        .await
}

/// A rotation with its days, for the placement's page.
pub struct RotationDays {
    pub rotation: Rotation,
    pub logs: Vec<StudyRecord>,
    pub may_sign: bool,
}

/// A placement's page: the placement and each rotation's days, in one hop.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, placement = id))]
pub async fn page(state: &AppState, caller: &Caller, id: i64) -> AppResult<(Found, Vec<RotationDays>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            let mut days = Vec::with_capacity(found.rotations.len());
            for r in &found.rotations {
                days.push(RotationDays {
                    logs: crate::study::records_of_rotation(conn, r.id)?,
                    may_sign: rules::may_sign(found.how, r.supervisor_id, r.signed_off_at.is_some()),
                    rotation: r.clone(),
                });
            }
            Ok::<_, AppError>((found, days))
        })
        .await
}
