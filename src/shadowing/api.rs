//! `/api/v1/placements` and `/api/v1/rotations`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use super::{
    AssessmentBody, LogBody, Placement, PlacementBody, Rotation, RotationBody, rules, store,
};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::Body;
use crate::state::AppState;
use crate::study::{NewRecord, RecordStatus, Source, StudyKind};
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/placements", web::post().to(create))
        .route("/placements", web::get().to(list))
        .route("/placements/{id}", web::get().to(get))
        .route("/placements/{id}/rotations", web::post().to(add_rotation))
        .route("/placements/{id}/assessment", web::post().to(assess))
        .route("/rotations/{id}/logs", web::post().to(add_log))
        .route("/rotations/{id}/sign-off", web::post().to(sign_off));
}

fn date(p: &mut Problems, field: &str, raw: &Option<String>) -> Option<NaiveDate> {
    p.take(
        field,
        crate::roster::rules::loose_date(raw.as_deref().unwrap_or("")),
    )
}

/// How the caller relates to a placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Admin,
    Doctor,
    Supervisor(i64),
}

/// A placement the caller may see, with its rotations; otherwise 404.
pub async fn find(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Placement, Vec<Rotation>, (String, String), Relation)> {
    let teacher = user.instructor_id;
    let scope = user.scope();
    let (role, user_id) = (user.role(), user.id());
    state
        .db(move |conn| {
            let p = store::placement(conn, id)?.ok_or(AppError::NotFound)?;
            let rotations = store::rotations_of(conn, id)?;
            let (base, doctor, path, doctor_user) = store::context(conn, &p)?;
            let how = match role {
                Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin
                    if scope.contains_path(&path) =>
                {
                    Some(Relation::Admin)
                }
                Role::Doctor if doctor_user == Some(user_id) => Some(Relation::Doctor),
                Role::Instructor => teacher
                    .filter(|t| rotations.iter().any(|r| r.supervisor_id == Some(*t)))
                    .map(Relation::Supervisor),
                _ => None,
            };
            match how {
                Some(how) => Ok((p, rotations, (base, doctor), how)),
                None => Err(AppError::NotFound),
            }
        })
        .await
}

/// `POST /api/v1/placements` `{doctor_id, base_org_id, starts_on, ends_on}` → 201.
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<PlacementBody>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
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
    let doctor =
        crate::access::load_doctor(&state, &user, body.doctor_id.unwrap_or_default()).await?;
    let (org_id, doctor_id, program_id) = (
        body.base_org_id.unwrap_or_default(),
        doctor.doctor.id,
        doctor.doctor.program_id,
    );
    let actor = user.actor();
    let id = state
        .db(move |conn| {
            let program =
                crate::program::store::get(conn, program_id)?.ok_or(AppError::NotFound)?;
            let mut p = Problems::new();
            rules::check_range(&mut p, starts, ends, &program.years());
            let base = crate::orgs::store::get(conn, org_id)?;
            let city = crate::regions::Scope::new(
                &program.row.region_code,
                &crate::program::store::region_of(conn, &program)?.path,
            );
            match &base {
                Some((o, path))
                    if city.contains_path(path)
                        && o.kind != crate::orgs::OrgKind::VillageClinic => {}
                _ => p.add("base_org_id", "应为本市的培训基地、推广中心、卫生院或医院"),
            }
            p.finish()?;
            let range = (starts.unwrap_or_default(), ends.unwrap_or_default());
            store::insert_placement(
                conn,
                doctor_id,
                program_id,
                org_id,
                range,
                &actor,
                time::now(),
            )
        })
        .await?;
    let (placement, rotations, names, _) = find(&state, &user, id).await?;
    Ok(HttpResponse::Created().json(view(&placement, &rotations, &names)))
}

pub fn view(p: &Placement, rotations: &[Rotation], names: &(String, String)) -> serde_json::Value {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    v["base_name"] = names.0.clone().into();
    v["doctor_name"] = names.1.clone().into();
    v["rotations"] = serde_json::to_value(rotations).unwrap_or_default();
    v
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    doctor_id: Option<i64>,
}

/// `GET /api/v1/placements?doctor_id=` → a doctor's placements (a doctor: its own).
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let doctor_id = match (user.role(), query.doctor_id) {
        (Role::Doctor, _) => {
            let id = user.id();
            state
                .db(move |conn| crate::roster::store::by_user(conn, id))
                .await?
                .ok_or(AppError::NotFound)?
                .doctor
                .id
        }
        (_, Some(id)) => {
            crate::access::load_doctor(&state, &user, id)
                .await?
                .doctor
                .id
        }
        (_, None) => return Err(AppError::field("doctor_id", "必填")),
    };
    let rows = state
        .db(move |conn| store::of_doctor(conn, doctor_id))
        .await?;
    let items: Vec<_> = rows
        .iter()
        .map(|(p, base)| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            v["base_name"] = base.clone().into();
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (p, rotations, names, _) = find(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view(&p, &rotations, &names)))
}

/// `POST /api/v1/placements/{id}/rotations` `{department, starts_on, ends_on,
/// supervisor_id}` → 201 the rotation (admins).
async fn add_rotation(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<RotationBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (placement, _, _, how) = find(&state, &user, id).await?;
    if how != Relation::Admin {
        return Err(AppError::Forbidden("只有管理员可以安排科室轮转".into()));
    }
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
    let supervisor = body.supervisor_id;
    let program_id = placement.program_id;
    let rotation = state
        .db(move |conn| {
            if let Some(s) = supervisor {
                let program =
                    crate::program::store::get(conn, program_id)?.ok_or(AppError::NotFound)?;
                let city = crate::program::store::region_of(conn, &program)?.scope();
                if !matches!(
                    crate::instructors::store::get_scoped(conn, s, &city)?,
                    crate::access::Lookup::Found(_)
                ) {
                    return Err(AppError::field("supervisor_id", "带教老师不存在或不在本市"));
                }
            }
            let rid = store::insert_rotation(
                conn,
                id,
                &department,
                (starts.unwrap_or_default(), ends.unwrap_or_default()),
                supervisor,
                time::now(),
            )?;
            store::rotation(conn, rid)?.ok_or(AppError::NotFound)
        })
        .await?;
    Ok(HttpResponse::Created().json(rotation))
}

/// The rotation and its placement, for a caller who may see them.
async fn rotation_for(
    state: &AppState,
    user: &CurrentUser,
    rotation_id: i64,
) -> AppResult<(Rotation, Placement, Relation)> {
    let rotation = state
        .db(move |conn| store::rotation(conn, rotation_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let (placement, _, _, how) = find(state, user, rotation.placement_id).await?;
    Ok((rotation, placement, how))
}

/// Log a day (shared with the page): the doctor itself, pending until sign-off.
pub async fn log_day(
    state: &AppState,
    user: &CurrentUser,
    rotation_id: i64,
    body: &LogBody,
) -> AppResult<crate::study::StudyRecord> {
    let (rotation, placement, how) = rotation_for(state, user, rotation_id).await?;
    if how != Relation::Doctor {
        return Err(AppError::Forbidden("跟班日志由学员本人填写".into()));
    }
    if rotation.signed_off_at.is_some() {
        return Err(AppError::Conflict(
            "该科室轮转已签字确认，不能再添加日志".into(),
        ));
    }
    let mut p = Problems::new();
    let day = date(&mut p, "occurred_on", &body.occurred_on);
    let start = p.take(
        "start_time",
        rules::parse_time(body.start_time.as_deref().unwrap_or("")),
    );
    let end = p.take(
        "end_time",
        rules::parse_time(body.end_time.as_deref().unwrap_or("")),
    );
    let content = body.content.as_deref().unwrap_or("").trim().to_owned();
    if content.is_empty() || content.chars().count() > 500 {
        p.add("content", "请填写当天跟班学习内容（500 字以内）");
    }
    if let Some(d) = day
        && !rules::within((rotation.starts_on, rotation.ends_on), (d, d))
    {
        p.add(
            "occurred_on",
            format!(
                "日期应在轮转期间（{} 至 {}）内",
                rotation.starts_on, rotation.ends_on
            ),
        );
    }
    let interval = match (day, start, end) {
        (Some(d), Some(s), Some(e)) => p.take("end_time", rules::log_interval(d, s, e)),
        _ => None,
    };
    p.finish()?;
    let Some((from, to, minutes)) = interval else {
        return Err(AppError::internal("checked log lost its times"));
    };
    let day = day.unwrap_or_default();
    let new = NewRecord {
        doctor_id: placement.doctor_id,
        program_id: placement.program_id,
        kind: StudyKind::Shadowing,
        minutes,
        occurred_on: day,
        interval: Some((from, to)),
        course_id: None,
        session_id: None,
        rotation_id: Some(rotation_id),
        source: Source::ShadowingLog,
        source_ref: format!(
            "rotation:{rotation_id}:{day}:{}",
            body.start_time.as_deref().unwrap_or("").trim()
        ),
        status: RecordStatus::Pending,
        evidence: Some(format!("{}：{}", rotation.department, content)),
        unit_score: None,
        created_by: Some(user.id()),
    };
    let program_id = placement.program_id;
    state
        .db(move |conn| {
            let program =
                crate::program::store::get(conn, program_id)?.ok_or(AppError::NotFound)?;
            crate::study::store::insert(
                conn,
                &new,
                program.years(),
                None,
                time::today_cst(),
                time::now(),
            )
        })
        .await
}

/// `POST /api/v1/rotations/{id}/logs` `{occurred_on, start_time, end_time, content}` →
/// 201 the pending record.
async fn add_log(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<LogBody>,
) -> AppResult<HttpResponse> {
    let r = log_day(&state, &user, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(r.view()))
}

fn assessment(body: &AssessmentBody) -> AppResult<(Option<i32>, Option<String>)> {
    let mut p = Problems::new();
    let score = match body.assessment_score {
        None => None,
        Some(s) => p.take("assessment_score", rules::score_tenths(s)),
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

/// Sign a rotation off (shared with the page): its supervisor, or an admin.
pub async fn sign(
    state: &AppState,
    user: &CurrentUser,
    rotation_id: i64,
    body: &AssessmentBody,
) -> AppResult<usize> {
    let (rotation, _, how) = rotation_for(state, user, rotation_id).await?;
    let allowed = match how {
        Relation::Admin => true,
        Relation::Supervisor(t) => rotation.supervisor_id == Some(t),
        Relation::Doctor => false,
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "只有该科室的带教老师或管理员可以签字确认".into(),
        ));
    }
    let (score, summary) = assessment(body)?;
    let actor = user.actor();
    state
        .db(move |conn| {
            store::sign_off(
                conn,
                rotation_id,
                score,
                summary.as_deref(),
                &actor,
                time::now(),
            )
        })
        .await
}

/// `POST /api/v1/rotations/{id}/sign-off` `{assessment_score?, summary?}` →
/// `{days_credited}`.
async fn sign_off(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AssessmentBody>,
) -> AppResult<HttpResponse> {
    let n = sign(&state, &user, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "days_credited": n })))
}

/// `POST /api/v1/placements/{id}/assessment` `{assessment_score, summary}` → the
/// placement (its end-of-placement assessment).
async fn assess(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AssessmentBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (_, _, _, how) = find(&state, &user, id).await?;
    if how == Relation::Doctor {
        return Err(AppError::Forbidden("学员不能给自己打分".into()));
    }
    let (score, summary) = assessment(&body)?;
    let actor = user.actor();
    state
        .db(move |conn| {
            store::assess_placement(conn, id, score, summary.as_deref(), &actor, time::now())
        })
        .await?;
    let (p, rotations, names, _) = find(&state, &user, id).await?;
    Ok(HttpResponse::Ok().json(view(&p, &rotations, &names)))
}
