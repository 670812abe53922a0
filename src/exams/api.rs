//! `/api/v1/exams…` and `/api/v1/attempts…` (API.md "Exams").

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDateTime};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::rules::{self, Candidate, Sitting};
use super::store::{self, NewExam, SaveRefused, Started};
use super::{Attempt, Blueprint, BlueprintLine, Exam, ExamKind, PaperItem, XScoring};
use crate::access::Lookup;
use crate::auth::{CurrentUser, Role};
use crate::bank::{Difficulty, QType};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging};
use crate::roster::DoctorRecord;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/exams", web::post().to(create))
        .route("/exams", web::get().to(list))
        .route("/exams/{id}", web::get().to(get))
        .route("/exams/{id}/attempts", web::post().to(start))
        .route("/exams/{id}/results", web::get().to(results))
        .route("/exams/{id}/results.xlsx", web::get().to(results_xlsx))
        .route("/exams/{id}/analysis", web::get().to(analysis))
        .route("/attempts/{id}", web::get().to(attempt))
        .route(
            "/attempts/{id}/answers/{question_id}",
            web::put().to(save_answer),
        )
        .route("/attempts/{id}/submit", web::post().to(submit));
}

// ---------------------------------------------------------------------------------
// Creating exams

/// `POST /api/v1/exams`, as sent.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ExamBody {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub program_id: Option<i64>,
    pub region_code: Option<String>,
    pub cohort_year: Option<i32>,
    pub year: Option<i32>,
    pub makeup_of: Option<i64>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub duration_minutes: Option<i64>,
    pub pass_score: Option<f64>,
    pub attempts_allowed: Option<i64>,
    pub x_scoring: Option<String>,
    pub shuffle_options: Option<bool>,
    pub blueprint: Option<Value>,
}

/// The blueprint as sent, each bad field named by its path (`blueprint.items[2].count`).
pub fn parse_blueprint(value: Option<&Value>, p: &mut Problems) -> Option<Blueprint> {
    let Some(items) = value.and_then(|v| v.get("items")).and_then(Value::as_array) else {
        p.add(
            "blueprint",
            "须为 {\"items\":[{area,type,difficulty,collection,count,points}]}",
        );
        return None;
    };
    if items.is_empty() || items.len() > 50 {
        p.add("blueprint.items", "组卷规则应有 1–50 行");
        return None;
    }
    let mut lines = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |f: &str| format!("blueprint.items[{i}].{f}");
        let text = |f: &str| item.get(f).and_then(Value::as_str).map(str::trim);
        let area = text("area").unwrap_or_default();
        if !crate::areas::is_area(area) {
            p.add(at("area"), "应为九个内容领域代码之一（如 public_health）");
        }
        let qtype = text("type").and_then(QType::parse);
        if qtype.is_none() {
            p.add(at("type"), "题型应为 A1、A2、A3、A4、B1、X 或 TF");
        }
        let difficulty = match item.get("difficulty") {
            None | Some(Value::Null) => Some(None),
            Some(v) => match v.as_str().and_then(Difficulty::parse) {
                Some(d) => Some(Some(d)),
                None => {
                    p.add(at("difficulty"), "难度应为 easy、medium、hard 或 null");
                    None
                }
            },
        };
        let collection = match item.get("collection") {
            None | Some(Value::Null) => Some(None),
            Some(v) => match v.as_str().map(str::trim).filter(|c| !c.is_empty()) {
                Some(c) => Some(Some(c.to_owned())),
                None => {
                    p.add(at("collection"), "题库名称应为字符串或 null");
                    None
                }
            },
        };
        let count = item
            .get("count")
            .and_then(Value::as_u64)
            .filter(|c| (1..=500).contains(c));
        if count.is_none() {
            p.add(at("count"), "题数应为 1–500 的整数");
        }
        let points = item
            .get("points")
            .and_then(Value::as_f64)
            .filter(|x| *x > 0.0 && *x <= 100.0);
        if points.is_none() {
            p.add(at("points"), "每题分值应大于 0、不超过 100");
        }
        if let (Some(qtype), Some(difficulty), Some(collection), Some(count), Some(points)) =
            (qtype, difficulty, collection, count, points)
        {
            lines.push(BlueprintLine {
                area: area.to_owned(),
                qtype,
                difficulty,
                collection,
                count: count as u32,
                points: rules::round2(points),
            });
        }
    }
    let blueprint = Blueprint { items: lines };
    if blueprint.question_count() > 500 {
        p.add("blueprint.items", "一张试卷最多 500 题");
    }
    (blueprint.items.len() == items.len()).then_some(blueprint)
}

/// The body's own checks, before anything is looked up.
struct Checked {
    title: String,
    kind: ExamKind,
    program_id: i64,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    duration_minutes: i32,
    pass_score: f64,
    attempts_allowed: i32,
    x_scoring: XScoring,
    blueprint: Blueprint,
}

fn check_body(body: &ExamBody) -> AppResult<Checked> {
    let mut p = Problems::new();
    let title = body.title.as_deref().unwrap_or("").trim().to_owned();
    if title.is_empty() || title.chars().count() > 100 {
        p.add("title", "考试名称为必填，不超过 100 字");
    }
    let kind = p.take(
        "kind",
        ExamKind::parse(body.kind.as_deref().unwrap_or(""))
            .ok_or_else(|| "考试类型应为 unit、annual、completion 或 makeup".to_owned()),
    );
    if body.program_id.is_none() {
        p.add("program_id", "必填");
    }
    let opens_at = p.take(
        "opens_at",
        time::parse_instant(body.opens_at.as_deref().unwrap_or("")),
    );
    let closes_at = p.take(
        "closes_at",
        time::parse_instant(body.closes_at.as_deref().unwrap_or("")),
    );
    if let (Some(o), Some(c)) = (opens_at, closes_at)
        && c <= o
    {
        p.add("closes_at", "结束时间应晚于开始时间");
    }
    let duration = body.duration_minutes.filter(|d| (1..=600).contains(d));
    if duration.is_none() {
        p.add("duration_minutes", "考试时长应为 1–600 分钟");
    }
    let attempts_allowed = body.attempts_allowed.unwrap_or(1);
    if !(1..=10).contains(&attempts_allowed) {
        p.add("attempts_allowed", "允许作答次数应为 1–10");
    }
    let x_scoring = p.take(
        "x_scoring",
        XScoring::parse(body.x_scoring.as_deref().unwrap_or("all_or_nothing"))
            .ok_or_else(|| "多选题计分应为 all_or_nothing 或 partial".to_owned()),
    );
    let blueprint = parse_blueprint(body.blueprint.as_ref(), &mut p);
    let pass_score = body.pass_score.filter(|s| s.is_finite() && *s >= 0.0);
    match (pass_score, &blueprint) {
        (None, _) => p.add("pass_score", "及格分为必填，不小于 0"),
        (Some(s), Some(b)) if s > b.max_score() + 1e-9 => p.add(
            "pass_score",
            format!("及格分 {s} 超过试卷总分 {}", b.max_score()),
        ),
        _ => {}
    }
    if body.makeup_of.is_some() && kind != Some(ExamKind::Makeup) {
        p.add("makeup_of", "只有补考（makeup）指定所补的结业考核");
    }
    if kind == Some(ExamKind::Makeup) && body.makeup_of.is_none() {
        p.add("makeup_of", "补考须指定所补的结业考核（makeup_of）");
    }
    p.finish()?;
    match (
        kind,
        body.program_id,
        opens_at,
        closes_at,
        duration,
        pass_score,
        x_scoring,
        blueprint,
    ) {
        (
            Some(kind),
            Some(program_id),
            Some(opens_at),
            Some(closes_at),
            Some(d),
            Some(pass),
            Some(x),
            Some(bp),
        ) => Ok(Checked {
            title,
            kind,
            program_id,
            opens_at,
            closes_at,
            duration_minutes: d as i32,
            pass_score: rules::round2(pass),
            attempts_allowed: attempts_allowed as i32,
            x_scoring: x,
            blueprint: bp,
        }),
        _ => Err(AppError::internal("checked exam lost a field")),
    }
}

/// `POST /api/v1/exams` → 201 the exam. The blueprint is drawn once against the bank:
/// a line the bank cannot fill is a 422 naming it.
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ExamBody>,
) -> AppResult<HttpResponse> {
    let exam = create_exam(&state, &user, body).await?;
    Ok(HttpResponse::Created().json(exam.view()))
}

/// Check and store a new exam (shared with the page).
pub async fn create_exam(state: &AppState, user: &CurrentUser, body: ExamBody) -> AppResult<Exam> {
    user.require(Role::ADMINS)?;
    let c = check_body(&body)?;
    let program = crate::access::load_program(state, user, c.program_id)
        .await
        .map_err(|_| AppError::field("program_id", "培训项目不存在或不在您的管辖范围"))?;
    let region_code = body
        .region_code
        .clone()
        .unwrap_or_else(|| user.region.code.clone());
    let scope = user.scope();
    let actor = user.actor();
    let created_by = user.id();
    state
        .db(move |conn| {
            let mut p = Problems::new();
            let region = crate::regions::store::find(conn, &region_code)?;
            let program_region = crate::program::store::region_of(conn, &program)?;
            match &region {
                Some(r)
                    if scope.contains_path(&r.path)
                        && program_region.scope().contains_path(&r.path) => {}
                Some(_) => p.add(
                    "region_code",
                    "地区应在您的管辖范围内，且属于该培训项目的地区",
                ),
                None => p.add("region_code", format!("未知的地区代码 {region_code}")),
            }
            if let Some(original) = body.makeup_of {
                match store::get_exam(conn, original)? {
                    Some((o, _))
                        if o.kind() == ExamKind::Completion && o.program_id == program.row.id =>
                    {
                        let months =
                            u32::try_from(program.policy.requirements.makeup_window_months)
                                .unwrap_or(3);
                        let limit = rules::makeup_limit(o.closes_at, months);
                        if c.closes_at > limit {
                            p.add(
                                "closes_at",
                                format!(
                                    "补考须在结业考核结束后 {months} 个月内完成（最晚 {}）",
                                    time::display_cst(limit)
                                ),
                            );
                        }
                        if c.opens_at < o.closes_at {
                            p.add("opens_at", "补考应在结业考核结束之后开始");
                        }
                    }
                    _ => p.add("makeup_of", "应为同一培训项目的结业考核（completion）"),
                }
            }
            for (i, line) in c.blueprint.items.iter().enumerate() {
                if let Some(name) = &line.collection
                    && !crate::bank::store::collection_exists(conn, name)?
                {
                    p.add(
                        format!("blueprint.items[{i}].collection"),
                        format!("题库 {name} 不存在"),
                    );
                }
            }
            p.finish()?;
            let pool = store::pool(conn, &c.blueprint)?;
            if let Err(short) = rules::draw(&c.blueprint, &pool, 0, false) {
                return Err(AppError::field(
                    format!("blueprint.items[{}].count", short.line),
                    short.message,
                ));
            }
            let year = body
                .year
                .unwrap_or_else(|| (c.opens_at + chrono::Duration::hours(8)).year());
            let new = NewExam {
                title: c.title,
                kind: c.kind.as_str().to_owned(),
                program_id: program.row.id,
                region_code,
                cohort_year: body.cohort_year,
                year,
                makeup_of: body.makeup_of,
                opens_at: c.opens_at,
                closes_at: c.closes_at,
                duration_minutes: c.duration_minutes,
                pass_score: c.pass_score,
                max_score: c.blueprint.max_score(),
                attempts_allowed: c.attempts_allowed,
                x_scoring: c.x_scoring.as_str().to_owned(),
                shuffle_options: body.shuffle_options.unwrap_or(true),
                blueprint: serde_json::to_string(&c.blueprint).map_err(AppError::internal)?,
                created_by: Some(created_by),
                created_at: time::now(),
            };
            Ok::<_, AppError>(store::insert_exam(conn, &new, &actor)?)
        })
        .await
}

// ---------------------------------------------------------------------------------
// Finding exams and doctors

/// The doctor record of a doctor's account (403 when the account has none).
pub async fn my_doctor(state: &AppState, user: &CurrentUser) -> AppResult<DoctorRecord> {
    user.require(&[Role::Doctor])?;
    let id = user.id();
    state
        .db(move |conn| crate::roster::store::by_user(conn, id))
        .await?
        .ok_or_else(|| AppError::Forbidden("您的账号尚未关联学员档案，请联系县卫健局".into()))
}

/// Is the exam within the caller's reach? Doctors: of their program, set for their
/// region or above. Others: set in their subtree or above it.
pub fn exam_visible(
    user: &CurrentUser,
    exam: &Exam,
    exam_path: &str,
    doctor: Option<&DoctorRecord>,
) -> bool {
    match doctor {
        Some(d) => {
            d.doctor.program_id == exam.program_id
                && d.region_path.starts_with(exam_path)
                && exam.cohort_year.is_none_or(|y| y == d.doctor.cohort_year)
        }
        None => user.scope().contains_path(exam_path) || user.region.path.starts_with(exam_path),
    }
}

/// An exam the caller may see, else 404.
pub async fn find_exam(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    doctor: Option<&DoctorRecord>,
) -> AppResult<Exam> {
    let (exam, path) = state
        .db(move |conn| store::get_exam(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if exam_visible(user, &exam, &path, doctor) {
        Ok(exam)
    } else {
        Err(AppError::NotFound)
    }
}

/// Where a doctor stands with one exam.
#[derive(Debug, Clone, Serialize)]
pub struct MyStanding {
    /// `upcoming`, `open`, `in_progress`, `submitted`, `closed`.
    pub status: &'static str,
    pub attempts_used: i32,
    pub attempts_left: i32,
    pub open_attempt_id: Option<i64>,
    pub best_score: Option<f64>,
    pub passed: Option<bool>,
    pub last_attempt_id: Option<i64>,
}

pub fn standing(exam: &Exam, mine: &[&store::AttemptSummary], now: NaiveDateTime) -> MyStanding {
    let open = mine.iter().find(|a| a.3 == super::IN_PROGRESS && a.6 > now);
    let used = mine.len() as i32;
    let best = mine
        .iter()
        .filter_map(|a| a.4)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let passed = mine.iter().any(|a| a.5 == Some(true));
    let status = if open.is_some() {
        "in_progress"
    } else if now < exam.opens_at {
        "upcoming"
    } else if now >= exam.closes_at {
        "closed"
    } else if used >= exam.attempts_allowed || passed {
        "submitted"
    } else {
        "open"
    };
    MyStanding {
        status,
        attempts_used: used,
        attempts_left: (exam.attempts_allowed - used).max(0),
        open_attempt_id: open.map(|a| a.1),
        best_score: best,
        passed: (!mine.is_empty() && mine.iter().any(|a| a.5.is_some())).then_some(passed),
        last_attempt_id: mine.last().map(|a| a.1),
    }
}

/// `GET /api/v1/exams` → a doctor's exams with `my` standing; an admin's exams.
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    params: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&params, &mut p);
    p.finish()?;
    if user.role() == Role::Doctor {
        let d = my_doctor(&state, &user).await?;
        let (program, path, cohort, id) = (
            d.doctor.program_id,
            d.region_path.clone(),
            d.doctor.cohort_year,
            d.doctor.id,
        );
        let (exams, mine) = state
            .db(move |conn| {
                Ok::<_, AppError>((
                    store::list_for_doctor(conn, program, &path, cohort)?,
                    store::summaries_of(conn, id)?,
                ))
            })
            .await?;
        let now = time::now();
        let total = exams.len() as i64;
        let items: Vec<Value> = exams
            .iter()
            .skip(paging.offset() as usize)
            .take(paging.per_page as usize)
            .map(|e| {
                let of_exam: Vec<&store::AttemptSummary> =
                    mine.iter().filter(|a| a.0 == e.id).collect();
                let mut v = serde_json::to_value(e.view()).unwrap_or_default();
                v["my"] = serde_json::to_value(standing(e, &of_exam, now)).unwrap_or_default();
                v
            })
            .collect();
        return Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)));
    }
    let scope = user.scope();
    let (limit, offset) = (paging.per_page, paging.offset());
    let (exams, total) = state
        .db(move |conn| store::list_for_region(conn, &scope, limit, offset))
        .await?;
    let items: Vec<_> = exams.iter().map(Exam::view).collect();
    Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)))
}

/// `GET /api/v1/exams/{id}`.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let doctor = if user.role() == Role::Doctor {
        Some(my_doctor(&state, &user).await?)
    } else {
        None
    };
    let exam = find_exam(&state, &user, id, doctor.as_ref()).await?;
    let mut v = serde_json::to_value(exam.view()).map_err(AppError::internal)?;
    if let Some(d) = doctor {
        let doctor_id = d.doctor.id;
        let mine = state
            .db(move |conn| store::summaries_of(conn, doctor_id))
            .await?;
        let of_exam: Vec<&store::AttemptSummary> = mine.iter().filter(|a| a.0 == exam.id).collect();
        v["my"] = serde_json::to_value(standing(&exam, &of_exam, time::now()))
            .map_err(AppError::internal)?;
    }
    Ok(HttpResponse::Ok().json(v))
}

// ---------------------------------------------------------------------------------
// Sitting

/// Everything a candidate sees of an open attempt: the questions without answers, the
/// answers saved so far, and the server's deadline with the seconds left.
pub fn candidate_view(
    attempt: &Attempt,
    paper: &[PaperItem],
    saved: &HashMap<String, String>,
    now: NaiveDateTime,
) -> Value {
    let questions: Vec<_> = paper.iter().map(PaperItem::candidate).collect();
    json!({
        "id": attempt.id,
        "exam_id": attempt.exam_id,
        "attempt_no": attempt.attempt_no,
        "status": attempt.status,
        "started_at": time::rfc3339(attempt.started_at),
        "deadline": time::rfc3339(attempt.deadline),
        "server_time": time::rfc3339(now),
        "remaining_seconds": (attempt.deadline - now).num_seconds().max(0),
        "max_score": attempt.max_score,
        "questions": questions,
        "answers": saved,
    })
}

/// Start or resume the doctor's attempt: (attempt, created?).
pub async fn start_attempt(
    state: &AppState,
    user: &CurrentUser,
    exam_id: i64,
) -> AppResult<(Attempt, bool)> {
    let doctor = my_doctor(state, user).await?;
    let exam = find_exam(state, user, exam_id, Some(&doctor)).await?;
    let now = time::now();
    let doctor_id = doctor.doctor.id;
    let (program_id, kind, makeup_of) = (doctor.doctor.program_id, exam.kind(), exam.makeup_of);
    let code = exam.region_code.clone();
    // One hop for what deciding needs: the doctor's attempts so far, the exam's region,
    // the hours (completion and make-up only) and the original exam's result (make-up).
    let (existing, region_path, hours_met, passed_original) = state
        .db(move |conn| {
            let existing = store::attempts_of(conn, exam_id, doctor_id)?;
            let region_path = crate::regions::store::find(conn, &code)?
                .map(|r| r.path)
                .unwrap_or_default();
            let hours_met = match kind {
                ExamKind::Completion | ExamKind::Makeup => {
                    crate::study::api::compute_progress(conn, doctor_id, program_id)?
                        .completion
                        .hours_met
                }
                _ => true,
            };
            let passed = match makeup_of {
                Some(original) => store::has_passed(conn, original, doctor_id)?,
                None => false,
            };
            Ok::<_, AppError>((existing, region_path, hours_met, passed))
        })
        .await?;
    // A reload or a second device: the open attempt, without drawing anything.
    if let Some(open) = existing.iter().find(|a| a.is_open() && a.deadline > now) {
        return Ok((open.clone(), false));
    }
    if let Some(problem) = rules::window_problem(exam.opens_at, exam.closes_at, now) {
        return Err(AppError::Conflict(problem.into()));
    }
    if existing.len() as i32 >= exam.attempts_allowed && existing.iter().all(|a| !a.is_open()) {
        return Err(AppError::Conflict(format!(
            "您已用完本考试的 {} 次作答机会",
            exam.attempts_allowed
        )));
    }
    let sitting = Sitting {
        kind,
        program_id: exam.program_id,
        region_path,
        cohort_year: exam.cohort_year,
    };
    let candidate = Candidate {
        program_id,
        region_path: doctor.region_path.clone(),
        cohort_year: doctor.doctor.cohort_year,
        active: doctor.doctor.status.is_active(),
        hours_met,
        passed_original,
    };
    if let Err(why) = rules::eligibility(&sitting, &candidate) {
        return Err(AppError::Forbidden(why.message().into()));
    }
    let seed = rand::rng().next_u64();
    let actor = user.actor();
    let caches = state.exams.clone();
    let started = state
        .db(move |conn| {
            let blueprint = exam.blueprint();
            let pool = caches.pool(conn, exam.id, &blueprint)?;
            let paper =
                rules::draw(&blueprint, &pool, seed, exam.shuffle_options).map_err(|s| {
                    AppError::Conflict(format!(
                        "题库中的题目已不足以组卷（第 {} 行：{}），请联系出题单位",
                        s.line + 1,
                        s.message
                    ))
                })?;
            Ok::<_, AppError>(store::start(
                conn,
                &exam,
                doctor_id,
                seed,
                &paper,
                &actor,
                time::now(),
            )?)
        })
        .await?;
    match started {
        Started::New(a) => {
            // The first save will find the paper's shape in memory.
            state
                .exams
                .keep_shape(store::Shape::of(&a, Some(user.id())));
            Ok((a, true))
        }
        Started::Resumed(a) => Ok((a, false)),
        Started::Exhausted(n) => Err(AppError::Conflict(format!(
            "您已用完本考试的 {n} 次作答机会"
        ))),
    }
}

/// `POST /api/v1/exams/{id}/attempts` (a doctor) → 201 `{id, deadline, questions}`;
/// an attempt already open is returned with 200.
async fn start(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let exam_id = path.into_inner();
    let (attempt, created) = start_attempt(&state, &user, exam_id).await?;
    let id = attempt.id;
    let saved = if created {
        HashMap::new()
    } else {
        state.db(move |conn| store::answers_of(conn, id)).await?
    };
    let body = candidate_view(&attempt, &attempt.paper(), &saved, time::now());
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// The doctor's own attempt, else 404.
pub async fn my_attempt(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Attempt, DoctorRecord)> {
    let doctor = my_doctor(state, user).await?;
    let attempt = state
        .db(move |conn| store::get_attempt(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if attempt.doctor_id != doctor.doctor.id {
        return Err(AppError::NotFound);
    }
    Ok((attempt, doctor))
}

#[derive(Debug, Deserialize)]
pub struct AnswerBody {
    pub answer: Option<String>,
}

/// The shape of the caller's own attempt (kept in memory after the first look), else
/// 404.
pub async fn my_shape(
    state: &AppState,
    user: &CurrentUser,
    attempt_id: i64,
) -> AppResult<std::sync::Arc<store::Shape>> {
    user.require(&[Role::Doctor])?;
    let shape = match state.exams.shape(attempt_id) {
        Some(shape) => shape,
        None => {
            let (attempt, doctor) = my_attempt(state, user, attempt_id).await?;
            state
                .exams
                .keep_shape(store::Shape::of(&attempt, doctor.doctor.user_id))
        }
    };
    if shape.owner != Some(user.id()) {
        return Err(AppError::NotFound);
    }
    Ok(shape)
}

/// Save one answer (shared with the pages): 204, 404, 409 after the deadline, 422.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    attempt_id: i64,
    question_id: &str,
    raw: Option<&str>,
) -> AppResult<()> {
    let shape = my_shape(state, user, attempt_id).await?;
    let (qtype, keys) = shape.items.get(question_id).ok_or(AppError::NotFound)?;
    let Some(raw) = raw else {
        return Err(AppError::field("answer", "必填（清除答案请传空字符串）"));
    };
    let answer = rules::normalize(*qtype, keys, raw).map_err(|m| AppError::field("answer", m))?;
    let qid = question_id.to_owned();
    let now = time::now();
    let outcome = state
        .db(move |conn| store::save_answer(conn, attempt_id, &qid, &answer, now))
        .await?;
    match outcome {
        Ok(()) => Ok(()),
        Err(SaveRefused::Missing) => Err(AppError::NotFound),
        Err(SaveRefused::Submitted) => Err(AppError::Conflict("已交卷，答案不能再修改".into())),
        Err(SaveRefused::PastDeadline) => {
            Err(AppError::Conflict("考试时间已到，此答案未保存".into()))
        }
    }
}

/// `PUT /api/v1/attempts/{id}/answers/{question_id}` `{answer}` → 204.
async fn save_answer(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    Body(body): Body<AnswerBody>,
) -> AppResult<HttpResponse> {
    let (id, question_id) = path.into_inner();
    save(&state, &user, id, &question_id, body.answer.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Submit (shared with the pages). Idempotent.
pub async fn submit_attempt(
    state: &AppState,
    user: &CurrentUser,
    attempt_id: i64,
) -> AppResult<Attempt> {
    let (attempt, _) = my_attempt(state, user, attempt_id).await?;
    let exam_id = attempt.exam_id;
    let actor = user.actor();
    state
        .db(move |conn| {
            let (exam, _) = store::get_exam(conn, exam_id)?.ok_or(AppError::NotFound)?;
            let now = time::now();
            let by = if now >= attempt.deadline {
                "deadline"
            } else {
                "candidate"
            };
            Ok::<_, AppError>(store::submit(conn, &exam, attempt_id, by, &actor, now)?)
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// `POST /api/v1/attempts/{id}/submit` → `{score, max_score, passed}`.
async fn submit(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let a = submit_attempt(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": a.id, "status": a.status, "score": a.score, "max_score": a.max_score, "passed": a.passed,
        "submitted_at": a.submitted_at.map(time::rfc3339), "submitted_by": a.submitted_by,
    })))
}

/// An attempt the caller may read: the doctor's own, or an admin's doctor's. An open
/// attempt past its deadline is graded first.
pub async fn readable_attempt(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Attempt, Exam, bool)> {
    let attempt = state
        .db(move |conn| store::get_attempt(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let own = if user.role() == Role::Doctor {
        let d = my_doctor(state, user).await?;
        if d.doctor.id != attempt.doctor_id {
            return Err(AppError::NotFound);
        }
        true
    } else {
        user.require(Role::ADMINS)?;
        let (scope, doctor_id) = (user.scope(), attempt.doctor_id);
        match state
            .db(move |conn| crate::roster::store::get_scoped(conn, doctor_id, &scope))
            .await?
        {
            Lookup::Found(_) => false,
            _ => return Err(AppError::NotFound),
        }
    };
    let (exam_id, attempt_id, now) = (attempt.exam_id, attempt.id, time::now());
    let needs_grading = attempt.is_open() && attempt.deadline <= now;
    let actor = crate::audit::Actor::job("deadline-job");
    let (exam, attempt) = state
        .db(move |conn| {
            let (exam, _) = store::get_exam(conn, exam_id)?.ok_or(AppError::NotFound)?;
            let attempt = if needs_grading {
                store::submit(conn, &exam, attempt_id, "deadline", &actor, now)?
            } else {
                Some(attempt)
            };
            Ok::<_, AppError>((exam, attempt.ok_or(AppError::NotFound)?))
        })
        .await?;
    Ok((attempt, exam, own))
}

/// May the candidate see the key and explanations? Once no attempt is left to use
/// it on, or the window has closed.
pub fn review_open(exam: &Exam, attempt: &Attempt, attempts_used: i32, now: NaiveDateTime) -> bool {
    !attempt.is_open()
        && (attempts_used >= exam.attempts_allowed
            || now >= exam.closes_at
            || attempt.passed == Some(true))
}

/// `GET /api/v1/attempts/{id}` → `{id, status, deadline, score, max_score, passed,
/// items}`; items only after submission, with the key and explanations once review is
/// open (or for staff).
async fn attempt(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (attempt, exam, own) = readable_attempt(&state, &user, path.into_inner()).await?;
    let now = time::now();
    let mut body = json!({
        "id": attempt.id,
        "exam_id": attempt.exam_id,
        "doctor_id": attempt.doctor_id,
        "attempt_no": attempt.attempt_no,
        "status": attempt.status,
        "started_at": time::rfc3339(attempt.started_at),
        "deadline": time::rfc3339(attempt.deadline),
        "submitted_at": attempt.submitted_at.map(time::rfc3339),
        "submitted_by": attempt.submitted_by,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "passed": attempt.passed,
    });
    let id = attempt.id;
    if attempt.is_open() {
        if own {
            let saved = state.db(move |conn| store::answers_of(conn, id)).await?;
            let view = candidate_view(&attempt, &attempt.paper(), &saved, now);
            body["questions"] = view["questions"].clone();
            body["answers"] = view["answers"].clone();
            body["remaining_seconds"] = view["remaining_seconds"].clone();
            body["server_time"] = view["server_time"].clone();
        }
        return Ok(HttpResponse::Ok().json(body));
    }
    let (exam_id, doctor_id) = (attempt.exam_id, attempt.doctor_id);
    let (items, used) = state
        .db(move |conn| {
            Ok::<_, AppError>((
                store::items_of(conn, id)?,
                store::attempts_of(conn, exam_id, doctor_id)?.len() as i32,
            ))
        })
        .await?;
    let review = !own || review_open(&exam, &attempt, used, now);
    let paper = attempt.paper();
    let items: Vec<Value> = items
        .iter()
        .map(|g| {
            let mut v = json!({ "question_id": g.question_id, "answer_given": g.answer, "points": g.points, "max_points": g.max_points });
            if let Some(item) = paper.get(g.position as usize).filter(|i| i.question_id == g.question_id) {
                v["type"] = json!(item.qtype);
                v["stem"] = json!(item.stem);
                v["case"] = json!(item.case_text);
                v["options"] = json!(item.options);
                if review {
                    v["correct_answer"] = json!(item.answer);
                    v["explanation"] = json!(item.explanation);
                }
            }
            v
        })
        .collect();
    body["items"] = json!(items);
    body["review"] = json!(review);
    Ok(HttpResponse::Ok().json(body))
}

// ---------------------------------------------------------------------------------
// Results and analysis

/// An exam a manager may read results of, else 403/404.
async fn managed_exam(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Exam> {
    user.require(Role::ADMINS)?;
    find_exam(state, user, id, None).await
}

/// `GET /api/v1/exams/{id}/results?page=&per_page=` → the attempts of the caller's
/// doctors (a county sees its own).
async fn results(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&params, &mut p);
    p.finish()?;
    let exam = managed_exam(&state, &user, path.into_inner()).await?;
    let (scope, id, limit, offset) = (user.scope(), exam.id, paging.per_page, paging.offset());
    let (rows, total) = state
        .db(move |conn| store::results(conn, id, &scope, limit, offset))
        .await?;
    let mut body =
        serde_json::to_value(ListPage::new(rows, total, paging)).map_err(AppError::internal)?;
    body["exam"] = serde_json::to_value(exam.view()).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().json(body))
}

/// The results as a spreadsheet: every attempt of the caller's doctors.
pub fn results_sheet(
    exam: &Exam,
    rows: &[store::ResultRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::sheet::{Column, XlsxBook};
    let columns = [
        Column::new("学员", 10.0),
        Column::new("所在地", 24.0),
        Column::new("作答次数", 8.0),
        Column::new("状态", 10.0),
        Column::new("开始时间", 17.0),
        Column::new("交卷时间", 17.0),
        Column::new("成绩", 8.0),
        Column::new("满分", 8.0),
        Column::new("结果", 8.0),
    ];
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.doctor_name.clone(),
                r.region_name.clone(),
                r.attempt_no.to_string(),
                match (r.status.as_str(), r.submitted_by.as_deref()) {
                    (super::SUBMITTED, Some("deadline")) => "到时交卷".to_owned(),
                    (super::SUBMITTED, _) => "已交卷".to_owned(),
                    _ => "答题中".to_owned(),
                },
                time::display_cst(r.started_at),
                r.submitted_at.map(time::display_cst).unwrap_or_default(),
                r.score.map(|s| s.to_string()).unwrap_or_default(),
                r.max_score.to_string(),
                match r.passed {
                    Some(true) => "合格".to_owned(),
                    Some(false) => "不合格".to_owned(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("成绩", &columns, &values)?;
    book.notes(
        "说明",
        &[
            &format!("考试：{}（{}）", exam.title, exam.kind().label()),
            &format!(
                "时间：{} 至 {}",
                time::display_cst(exam.opens_at),
                time::display_cst(exam.closes_at)
            ),
            &format!("满分 {}，及格 {}", exam.max_score, exam.pass_score),
        ],
    )?;
    book.into_bytes()
}

/// `GET /api/v1/exams/{id}/results.xlsx` → every attempt of the caller's doctors.
async fn results_xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let exam = managed_exam(&state, &user, path.into_inner()).await?;
    let (scope, id) = (user.scope(), exam.id);
    let (rows, _) = state
        .db(move |conn| store::results(conn, id, &scope, i64::MAX, 0))
        .await?;
    let bytes = results_sheet(&exam, &rows).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"exam-{id}-results.xlsx\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

fn round4(x: Option<f64>) -> Option<f64> {
    x.map(|x| (x * 10_000.0).round() / 10_000.0)
}

/// The analysis as the API shows it: numbers to 4 decimals, items with their text.
pub async fn analysis_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Exam, Value)> {
    let exam = managed_exam(state, user, id).await?;
    let (scope, exam_id) = (user.scope(), exam.id);
    let (analysis, texts) = state
        .db(move |conn| {
            let responses = store::responses(conn, exam_id, &scope)?;
            let analysis = rules::analyze(&responses);
            let qids: Vec<String> = analysis
                .items
                .iter()
                .map(|i| i.question_id.clone())
                .collect();
            Ok::<_, AppError>((analysis, store::question_texts(conn, &qids)?))
        })
        .await?;
    let t = &analysis.test;
    let items: Vec<Value> = analysis
        .items
        .iter()
        .map(|i| {
            let (qtype, area, stem) = texts.get(&i.question_id).cloned().unwrap_or_default();
            json!({
                "question_id": i.question_id, "n": i.n,
                "facility": round4(i.facility), "sd": round4(i.sd),
                "discrimination_index": round4(i.discrimination_index),
                "point_biserial": round4(i.point_biserial),
                "negative_discrimination": i.negative_discrimination,
                "type": qtype, "area": area, "stem": stem,
            })
        })
        .collect();
    let body = json!({
        "exam_id": exam.id,
        "test": {
            "n": t.n, "mean": round4(t.mean), "median": round4(t.median), "sd": round4(t.sd),
            "reliability": round4(t.reliability), "sem": round4(t.sem),
            "reliability_basis": t.reliability_basis, "max_score": exam.max_score,
        },
        "items": items,
        "flagged": analysis.items.iter().filter(|i| i.negative_discrimination).map(|i| i.question_id.clone()).collect::<Vec<_>>(),
    });
    Ok((exam, body))
}

/// `GET /api/v1/exams/{id}/analysis` → `{test:{n,mean,median,sd,reliability,sem},
/// items:[{question_id,n,facility,sd,discrimination_index,point_biserial}]}`.
async fn analysis(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (_, body) = analysis_of(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(body))
}
