//! Setting up a skills exam, listing exams, one exam with its circuit.

use serde::Deserialize;

use super::{ExamAccess, find_in};
use crate::access::{self, Caller, Lookup, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::points::Points;
use crate::skills::rules::{bodies, circuit};
use crate::skills::store::exams::{self as store, Located, Visible};
use crate::skills::store::stations as station_store;
use crate::skills::views::{
    CandidateView, ExamRowView, ExamStationView, ExamView, PersonRef, VisitView,
};
use crate::skills::{ExamBody, SkillExamKind};
use crate::state::AppState;
use crate::time;

/// `POST /api/v1/skills/exams` (administrators of the exam's region): stations must be
/// active, examiners instructors in the caller's scope, candidates doctors of the program
/// in the region; the pass score at most the stations' total. All or nothing.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(state: &AppState, caller: &Caller, body: &ExamBody) -> AppResult<ExamView> {
    caller.require(Role::ADMINS)?;
    let new = bodies::exam(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let scope = caller.scope();
            let region = crate::regions::find(conn, &new.region_code)?
                .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
            if !scope.contains_path(&region.path) {
                return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
            }
            let mut p = Problems::new();
            match access::program(conn, &caller, new.program_id) {
                Ok(program)
                    if region
                        .path
                        .contains(&format!("/{}/", program.row.region_code)) => {}
                Ok(_) | Err(AppError::NotFound) => {
                    p.add("program_id", "未知的培训项目，或该项目不覆盖此地区")
                }
                Err(e) => return Err(e),
            }
            let ids: Vec<i64> = new.stations.iter().map(|(s, _)| *s).collect();
            let rows = station_store::many(conn, &ids)?;
            let mut max_score = Points::ZERO;
            for (i, (station, examiners)) in new.stations.iter().enumerate() {
                match rows.iter().find(|r| r.id == *station) {
                    Some(r) if r.active => max_score += r.max_points,
                    _ => p.add(format!("stations[{i}].station_id"), "未知或已停用的考站"),
                }
                for (j, examiner) in examiners.iter().enumerate() {
                    match crate::instructors::get_scoped(conn, *examiner, &scope)? {
                        Lookup::Found(x) if x.active => {}
                        _ => p.add(
                            format!("stations[{i}].examiner_ids[{j}]"),
                            "未知的师资，或不在您的管辖范围内",
                        ),
                    }
                }
            }
            if p.is_empty() && new.pass_score > max_score {
                p.add(
                    "pass_score",
                    format!("合格分不能超过各站满分之和 {max_score}"),
                );
            }
            for (i, doctor) in new.candidate_ids.iter().enumerate() {
                if store::eligible_doctor(conn, *doctor, new.program_id, &region.scope())?.is_none()
                {
                    p.add(
                        format!("candidate_ids[{i}]"),
                        "未知的学员，或不是该项目在此地区的学员",
                    );
                } else if let Some(m) = gated(conn, *doctor, new.program_id, new.held_on)? {
                    p.add(format!("candidate_ids[{i}]"), m);
                } else if new.kind == SkillExamKind::Makeup
                    && !super::makeup::needs_skills_makeup(conn, *doctor, new.program_id)?
                {
                    p.add(
                        format!("candidate_ids[{i}]"),
                        "补考只考不合格的一半：该学员没有不合格的结业技能考核",
                    );
                }
            }
            if new.kind == SkillExamKind::Makeup && p.is_empty() {
                super::makeup::check_window(conn, &new, &mut p)?;
            }
            p.finish()?;
            let id = store::insert(conn, &new, &caller.actor(), time::now())?;
            let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            view(conn, &found)
        })
        .await
}

/// The gate (only those who pass go on): why the doctor may not sit a skills exam held
/// on `held_on` — its previous year's annual assessment confirmed and not passed — or
/// `None`.
pub fn gated(
    conn: &mut crate::db::AnyConnection,
    doctor_id: i64,
    program_id: i64,
    held_on: chrono::NaiveDate,
) -> AppResult<Option<String>> {
    use chrono::Datelike;
    match crate::assessment::require_passed_previous_year(
        conn,
        doctor_id,
        program_id,
        held_on.year(),
    ) {
        Ok(()) => Ok(None),
        Err(AppError::Conflict(m)) => Ok(Some(m)),
        Err(e) => Err(e),
    }
}

/// An exam with its stations, examiners and the candidates' circuit.
pub fn view(conn: &mut crate::db::AnyConnection, found: &Located) -> AppResult<ExamView> {
    let e = &found.exam;
    let stations = store::stations(conn, e.id)?;
    let candidates = store::candidates(conn, e.id)?;
    let minutes: Vec<i32> = stations.iter().map(|s| s.minutes).collect();
    let round = circuit::round_minutes(&minutes);
    Ok(ExamView {
        id: e.id,
        title: e.title.clone(),
        kind: e.kind,
        kind_label: e.kind.label(),
        program_id: e.program_id,
        region_code: e.region_code.clone(),
        region_name: found.region_name.clone(),
        held_on: e.held_on,
        starts_at: e.starts_at,
        pass_score: e.pass_score,
        max_score: stations.iter().map(|s| s.max_points).sum(),
        review_threshold: e.review_threshold,
        candidates: candidates
            .iter()
            .map(|c| CandidateView {
                doctor_id: c.doctor_id,
                name: c.name.clone(),
                position: c.position,
                schedule: circuit::circuit(
                    usize::try_from(c.position).unwrap_or(0),
                    stations.len(),
                    round,
                )
                .into_iter()
                .filter_map(|v| {
                    let at = e.starts_at + chrono::Duration::minutes(v.starts_after);
                    Some(VisitView {
                        station_id: stations.get(v.station)?.station_id,
                        starts_at: at,
                        starts_at_cst: time::display_cst(at).chars().skip(11).collect(),
                    })
                })
                .collect(),
            })
            .collect(),
        stations: stations
            .into_iter()
            .map(|s| ExamStationView {
                station_id: s.station_id,
                code: s.code,
                title: s.title,
                minutes: s.minutes,
                max_points: s.max_points,
                pass_points: s.pass_points,
                examiner_ids: s.examiners.iter().map(|(id, _)| *id).collect(),
                examiners: s
                    .examiners
                    .into_iter()
                    .map(|(id, name)| PersonRef { id, name })
                    .collect(),
            })
            .collect(),
    })
}

/// `GET /api/v1/skills/exams/{id}`.
pub async fn detail(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(ExamView, ExamAccess)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            Ok::<_, AppError>((view(conn, &found)?, how))
        })
        .await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: PageParams,
}

/// `GET /api/v1/skills/exams`: admins their region's, examiners those they examine,
/// doctors those they sit; newest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<ExamRowView>> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    p.finish()?;
    let visible = match (caller.role(), caller.instructor_id, caller.doctor_id) {
        (Role::Instructor, Some(i), _) => Visible::Examiner(i),
        (Role::Instructor, None, _) => Visible::Examiner(-1),
        (Role::Doctor, _, d) => Visible::Candidate(d.unwrap_or(-1)),
        _ => Visible::Region(caller.scope()),
    };
    state
        .db(move |conn| {
            let (rows, total) = store::list(conn, &visible, paging.offset(), paging.per_page)?;
            let items = rows
                .into_iter()
                .map(|l| ExamRowView {
                    id: l.exam.id,
                    title: l.exam.title,
                    kind: l.exam.kind,
                    kind_label: l.exam.kind.label(),
                    program_id: l.exam.program_id,
                    region_code: l.exam.region_code,
                    region_name: l.region_name,
                    held_on: l.exam.held_on,
                    pass_score: l.exam.pass_score,
                })
                .collect();
            Ok::<_, AppError>(ListPage::new(items, total, paging))
        })
        .await
}
