//! Exam pages: a doctor's exam list, the attempt page on a phone (countdown from the
//! server's deadline, autosave, works without scripts too), the result page; for the
//! bureaus the exam list, a new-exam form, results and the item-analysis page with its
//! chart.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::api::{self, ExamBody};
use super::{Attempt, Exam, ExamKind, PaperItem, store};
use crate::auth::{PageUser, Role};
use crate::bank::{Difficulty, QType};
use crate::error::{AppError, FieldError};
use crate::extract::{PageParams, Paging};
use crate::page::{
    FormErrors, Nav, PageResult, Pager, check_csrf, form_pairs, html, html_status, see_other,
};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/exams", web::get().to(list))
        .route("/exams/new", web::get().to(new_form))
        .route("/exams/new", web::post().to(create))
        .route("/exams/{id}/start", web::post().to(start))
        .route("/exams/{id}/results", web::get().to(results))
        .route("/exams/{id}/analysis", web::get().to(analysis))
        .route("/attempts/{id}", web::get().to(attempt))
        .route("/attempts/{id}/submit", web::post().to(submit));
}

/// An exam for a list.
pub struct ExamRow {
    pub e: Exam,
    pub kind_label: &'static str,
    pub window: String,
    pub questions: u32,
    /// For a doctor: where they stand.
    pub status: &'static str,
    pub status_label: &'static str,
    pub attempt_id: Option<i64>,
    pub best: Option<String>,
    pub attempts_left: i32,
}

fn exam_row(e: Exam, standing: Option<api::MyStanding>) -> ExamRow {
    let (status, status_label, attempt_id, best, left) = match standing {
        Some(s) => {
            let label = match s.status {
                "in_progress" => "答题中",
                "upcoming" => "未开始",
                "closed" => "已结束",
                "submitted" => "已交卷",
                _ => "可参加",
            };
            (
                s.status,
                label,
                s.open_attempt_id.or(s.last_attempt_id),
                s.best_score.map(|b| format!("{b}")),
                s.attempts_left,
            )
        }
        None => ("", "", None, None, 0),
    };
    ExamRow {
        kind_label: e.kind().label(),
        window: format!(
            "{} 至 {}",
            time::display_cst(e.opens_at),
            time::display_cst(e.closes_at)
        ),
        questions: e.blueprint().question_count(),
        status,
        status_label,
        attempt_id,
        best,
        attempts_left: left,
        e,
    }
}

#[derive(Template)]
#[template(path = "exams/list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    rows: Vec<ExamRow>,
    is_doctor: bool,
    can_create: bool,
    pager: Pager,
    notice: Option<String>,
}

/// `GET /exams`: a doctor's exams with what to do next; a bureau's exams.
async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    params: web::Query<PageParams>,
) -> PageResult {
    let mut problems = crate::error::Problems::new();
    let paging = Paging::parse(&params, &mut problems);
    problems.finish()?;
    let now = time::now();
    let mut notice = None;
    let (rows, total) = if user.role() == Role::Doctor {
        let d = match api::my_doctor(&state, &user).await {
            Ok(d) => d,
            Err(AppError::Forbidden(message)) => {
                notice = Some(message);
                return html(&ListPage {
                    nav: Nav::of(&user),
                    csrf: user.csrf.clone(),
                    rows: Vec::new(),
                    is_doctor: true,
                    can_create: false,
                    pager: Pager {
                        page: 1,
                        pages: 1,
                        total: 0,
                        base: String::new(),
                    },
                    notice,
                });
            }
            Err(e) => return Err(e.into()),
        };
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
        let total = exams.len() as i64;
        let rows = exams
            .into_iter()
            .skip(paging.offset() as usize)
            .take(paging.per_page as usize)
            .map(|e| {
                let of_exam: Vec<&store::AttemptSummary> =
                    mine.iter().filter(|a| a.0 == e.id).collect();
                let standing = api::standing(&e, &of_exam, now);
                exam_row(e, Some(standing))
            })
            .collect();
        (rows, total)
    } else {
        let (scope, limit, offset) = (user.scope(), paging.per_page, paging.offset());
        let (exams, total) = state
            .db(move |conn| store::list_for_region(conn, &scope, limit, offset))
            .await?;
        (
            exams.into_iter().map(|e| exam_row(e, None)).collect(),
            total,
        )
    };
    html(&ListPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        rows,
        is_doctor: user.role() == Role::Doctor,
        can_create: Role::ADMINS.contains(&user.role()),
        pager: Pager {
            page: paging.page,
            pages: paging.pages(total),
            total,
            base: String::new(),
        },
        notice,
    })
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// `POST /exams/{id}/start` → the attempt page (a new attempt, or the open one).
async fn start(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or(""))?;
    let (attempt, _) = api::start_attempt(&state, &user, path.into_inner()).await?;
    Ok(see_other(&format!("/attempts/{}", attempt.id)))
}

/// One option on the page.
pub struct OptionView {
    pub key: String,
    pub text: String,
    pub checked: bool,
    /// On the result page: part of the key.
    pub right: bool,
}

/// One question on the page.
pub struct ItemView {
    pub n: usize,
    pub qid: String,
    pub type_label: &'static str,
    /// The shared case, shown above the first item of its group.
    pub case_text: Option<String>,
    pub case_span: String,
    pub stem: String,
    pub options: Vec<OptionView>,
    pub multi: bool,
    pub points: f64,
    pub answered: bool,
    /// Result page: what was given, the points, the key and explanation (if shown).
    pub given: String,
    pub earned: Option<f64>,
    pub key: Option<String>,
    pub explanation: Option<String>,
}

fn type_label(t: QType) -> &'static str {
    match t {
        QType::A1 => "单选",
        QType::A2 => "病例单选",
        QType::A3 => "病例组",
        QType::A4 => "病例串",
        QType::B1 => "配伍",
        QType::X => "多选",
        QType::TF => "判断",
    }
}

fn items_view(paper: &[PaperItem], answers: &HashMap<String, String>) -> Vec<ItemView> {
    let mut out = Vec::with_capacity(paper.len());
    let mut previous_group: Option<&str> = None;
    for (i, item) in paper.iter().enumerate() {
        let given = answers.get(&item.question_id).cloned().unwrap_or_default();
        let first_of_group = item.group_id.as_deref() != previous_group || item.group_id.is_none();
        previous_group = item.group_id.as_deref();
        let group_len = paper[i..]
            .iter()
            .take_while(|p| p.group_id.is_some() && p.group_id == item.group_id)
            .count();
        out.push(ItemView {
            n: i + 1,
            qid: item.question_id.clone(),
            type_label: type_label(item.qtype),
            case_text: if first_of_group {
                item.case_text.clone()
            } else {
                None
            },
            case_span: if group_len > 1 {
                format!("（第 {}–{} 题共用）", i + 1, i + group_len)
            } else {
                String::new()
            },
            stem: item.stem.clone(),
            options: item
                .options
                .iter()
                .map(|o| OptionView {
                    key: o.key.clone(),
                    text: o.text.clone(),
                    checked: given.contains(o.key.as_str()) && !o.key.is_empty(),
                    right: false,
                })
                .collect(),
            multi: item.qtype == QType::X,
            points: item.points,
            answered: !given.is_empty(),
            given,
            earned: None,
            key: None,
            explanation: None,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "exams/attempt.html")]
struct AttemptPage {
    nav: Option<Nav>,
    csrf: String,
    a: Attempt,
    exam: Exam,
    items: Vec<ItemView>,
    remaining_seconds: i64,
    deadline: String,
    answered: usize,
}

#[derive(Template)]
#[template(path = "exams/result.html")]
struct ResultPage {
    nav: Option<Nav>,
    a: Attempt,
    exam: Exam,
    items: Vec<ItemView>,
    review: bool,
    own: bool,
    submitted_at: String,
    by_deadline: bool,
}

/// `GET /attempts/{id}`: the paper while open (the doctor's own), the result after.
async fn attempt(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    let (a, exam, own) = api::readable_attempt(&state, &user, path.into_inner()).await?;
    let id = a.id;
    let now = time::now();
    if a.is_open() {
        if !own {
            return Err(AppError::Conflict("考生仍在答题，交卷后可查看成绩".into()).into());
        }
        let saved = state.db(move |conn| store::answers_of(conn, id)).await?;
        let items = items_view(&a.paper(), &saved);
        return html(&AttemptPage {
            nav: Nav::of(&user),
            csrf: user.csrf.clone(),
            remaining_seconds: (a.deadline - now).num_seconds().max(0),
            deadline: time::display_cst(a.deadline),
            answered: items.iter().filter(|i| i.answered).count(),
            items,
            a,
            exam,
        });
    }
    let (exam_id, doctor_id) = (a.exam_id, a.doctor_id);
    let (graded, used) = state
        .db(move |conn| {
            Ok::<_, AppError>((
                store::items_of(conn, id)?,
                store::attempts_of(conn, exam_id, doctor_id)?.len() as i32,
            ))
        })
        .await?;
    let review = !own || api::review_open(&exam, &a, used, now);
    let given: HashMap<String, String> = graded
        .iter()
        .map(|g| (g.question_id.clone(), g.answer.clone().unwrap_or_default()))
        .collect();
    let paper = a.paper();
    let mut items = items_view(&paper, &given);
    for (view, item) in items.iter_mut().zip(&paper) {
        view.earned = graded
            .iter()
            .find(|g| g.question_id == item.question_id)
            .map(|g| g.points);
        if review {
            for o in &mut view.options {
                o.right = item.answer.contains(o.key.as_str());
            }
            view.key = Some(item.answer.clone());
            view.explanation = Some(item.explanation.clone()).filter(|e| !e.is_empty());
        }
    }
    html(&ResultPage {
        nav: Nav::of(&user),
        submitted_at: a.submitted_at.map(time::display_cst).unwrap_or_default(),
        by_deadline: a.submitted_by.as_deref() == Some("deadline"),
        a,
        exam,
        items,
        review,
        own,
    })
}

/// `POST /attempts/{id}/submit`: the paper's answers as a form (so the page works
/// without scripts), saved, then the attempt submitted.
async fn submit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs = form_pairs(&body);
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    check_csrf(&user, csrf)?;
    let mut answers: HashMap<String, String> = HashMap::new();
    for (k, v) in &pairs {
        if let Some(qid) = k.strip_prefix("q:") {
            answers.entry(qid.to_owned()).or_default().push_str(v);
        }
    }
    let (a, _) = api::my_attempt(&state, &user, id).await?;
    if a.is_open() && a.deadline > time::now() {
        let saved = {
            let id = a.id;
            state.db(move |conn| store::answers_of(conn, id)).await?
        };
        for (qid, answer) in &answers {
            if saved.get(qid) == Some(answer) {
                continue;
            }
            match api::save(&state, &user, id, qid, Some(answer)).await {
                // Past the deadline the saved answers stand; a bad value is skipped.
                Ok(())
                | Err(AppError::Conflict(_))
                | Err(AppError::Validation(_))
                | Err(AppError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    api::submit_attempt(&state, &user, id).await?;
    Ok(see_other(&format!("/attempts/{id}")))
}

// ---------------------------------------------------------------------------------
// Bureau pages

#[derive(Template)]
#[template(path = "exams/results.html")]
struct ResultsPage {
    nav: Option<Nav>,
    path: String,
    exam: Exam,
    rows: Vec<store::ResultRow>,
    pager: Pager,
    submitted: usize,
    passed: usize,
}

/// `GET /exams/{id}/results`: the attempts of the caller's doctors.
async fn results(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> PageResult {
    user.require(Role::ADMINS)?;
    let mut problems = crate::error::Problems::new();
    let paging = Paging::parse(&params, &mut problems);
    problems.finish()?;
    let exam = api::find_exam(&state, &user, path.into_inner(), None).await?;
    let (scope, id, limit, offset) = (user.scope(), exam.id, paging.per_page, paging.offset());
    let (rows, total) = state
        .db(move |conn| store::results(conn, id, &scope, limit, offset))
        .await?;
    html(&ResultsPage {
        nav: Nav::of(&user),
        path: format!("/exams/{}/results", exam.id),
        submitted: rows.iter().filter(|r| r.status == super::SUBMITTED).count(),
        passed: rows.iter().filter(|r| r.passed == Some(true)).count(),
        exam,
        rows,
        pager: Pager {
            page: paging.page,
            pages: paging.pages(total),
            total,
            base: String::new(),
        },
    })
}

/// One item of the analysis page.
pub struct AnalysisRow {
    pub qid: String,
    pub n: i64,
    pub type_label: String,
    pub stem: String,
    pub facility: String,
    pub discrimination: String,
    pub point_biserial: String,
    pub flagged: bool,
    /// For ordering: the discrimination index (items without one last).
    pub d: f64,
    /// The point on the chart.
    pub x: f64,
    pub y: f64,
}

/// The test statistics, formatted.
pub struct TestView {
    pub n: i64,
    pub mean: String,
    pub median: String,
    pub sd: String,
    pub reliability: String,
    pub sem: String,
}

#[derive(Template)]
#[template(path = "exams/analysis.html")]
struct AnalysisPage {
    nav: Option<Nav>,
    exam: Exam,
    test: TestView,
    rows: Vec<AnalysisRow>,
    flagged: usize,
}

fn fmt(v: &Value, digits: usize) -> String {
    v.as_f64()
        .map_or_else(|| "—".to_owned(), |x| format!("{x:.digits$}"))
}

/// Chart geometry: facility 0–1 across 40–400, discrimination −1–1 down 200–20.
pub fn chart_point(facility: f64, discrimination: f64) -> (f64, f64) {
    (
        40.0 + facility.clamp(0.0, 1.0) * 360.0,
        110.0 - discrimination.clamp(-1.0, 1.0) * 90.0,
    )
}

/// `GET /exams/{id}/analysis`: item statistics, a facility × discrimination chart, the
/// flagged items first.
async fn analysis(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    let (exam, body) = api::analysis_of(&state, &user, path.into_inner()).await?;
    let mut rows: Vec<AnalysisRow> = body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let (x, y) = chart_point(
                        i["facility"].as_f64().unwrap_or(0.0),
                        i["discrimination_index"].as_f64().unwrap_or(0.0),
                    );
                    let stem: String = i["stem"].as_str().unwrap_or("").chars().take(40).collect();
                    AnalysisRow {
                        qid: i["question_id"].as_str().unwrap_or("").to_owned(),
                        n: i["n"].as_i64().unwrap_or(0),
                        type_label: QType::parse(i["type"].as_str().unwrap_or(""))
                            .map_or("", type_label)
                            .to_owned(),
                        stem,
                        facility: fmt(&i["facility"], 2),
                        discrimination: fmt(&i["discrimination_index"], 2),
                        point_biserial: fmt(&i["point_biserial"], 2),
                        flagged: i["negative_discrimination"].as_bool().unwrap_or(false),
                        d: i["discrimination_index"].as_f64().unwrap_or(f64::INFINITY),
                        x,
                        y,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by(|a, b| {
        b.flagged
            .cmp(&a.flagged)
            .then(a.discrimination.cmp(&b.discrimination))
    });
    let t = &body["test"];
    let test = TestView {
        n: t["n"].as_i64().unwrap_or(0),
        mean: fmt(&t["mean"], 2),
        median: fmt(&t["median"], 2),
        sd: fmt(&t["sd"], 2),
        reliability: fmt(&t["reliability"], 3),
        sem: fmt(&t["sem"], 2),
    };
    html(&AnalysisPage {
        nav: Nav::of(&user),
        flagged: rows.iter().filter(|r| r.flagged).count(),
        exam,
        test,
        rows,
    })
}

/// The new-exam form, as typed.
#[derive(Debug, Default, Clone)]
pub struct ExamForm {
    pub title: String,
    pub kind: String,
    pub program_id: String,
    pub opens_at: String,
    pub closes_at: String,
    pub duration_minutes: String,
    pub pass_score: String,
    pub attempts_allowed: String,
    pub x_scoring: String,
    pub makeup_of: String,
    /// Blueprint rows: (area, type, difficulty, count, points).
    pub lines: Vec<(String, String, String, String, String)>,
}

/// Rows the form offers.
const FORM_LINES: usize = 8;

impl ExamForm {
    fn from_pairs(pairs: &[(String, String)]) -> ExamForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map_or(String::new(), |(_, v)| v.trim().to_owned())
        };
        let mut lines = Vec::new();
        for i in 0..FORM_LINES {
            let f = |name: &str| get(&format!("{name}_{i}"));
            lines.push((
                f("area"),
                f("type"),
                f("difficulty"),
                f("count"),
                f("points"),
            ));
        }
        ExamForm {
            title: get("title"),
            kind: get("kind"),
            program_id: get("program_id"),
            opens_at: get("opens_at"),
            closes_at: get("closes_at"),
            duration_minutes: get("duration_minutes"),
            pass_score: get("pass_score"),
            attempts_allowed: get("attempts_allowed"),
            x_scoring: get("x_scoring"),
            makeup_of: get("makeup_of"),
            lines,
        }
    }

    fn defaults() -> ExamForm {
        let mut lines = vec![
            (
                "public_health".into(),
                "A1".into(),
                String::new(),
                "20".into(),
                "1".into(),
            ),
            (
                "general_practice".into(),
                "A2".into(),
                String::new(),
                "10".into(),
                "2".into(),
            ),
            (
                "public_health".into(),
                "B1".into(),
                String::new(),
                "3".into(),
                "1".into(),
            ),
            (
                "emergency".into(),
                "X".into(),
                String::new(),
                "2".into(),
                "2".into(),
            ),
        ];
        lines.resize(FORM_LINES, Default::default());
        ExamForm {
            kind: "unit".into(),
            duration_minutes: "60".into(),
            pass_score: "36".into(),
            attempts_allowed: "1".into(),
            x_scoring: "all_or_nothing".into(),
            lines,
            ..Default::default()
        }
    }

    /// The API body this form stands for; rows left without a count are ignored.
    fn body(&self) -> Result<ExamBody, Vec<FieldError>> {
        let mut errors = Vec::new();
        let number = |field: &str, v: &str, errors: &mut Vec<FieldError>| -> Option<f64> {
            if v.is_empty() {
                return None;
            }
            let parsed = v.parse::<f64>().ok();
            if parsed.is_none() {
                errors.push(FieldError {
                    field: field.into(),
                    message: "应为数字".into(),
                });
            }
            parsed
        };
        let mut items = Vec::new();
        for (area, qtype, difficulty, count, points) in &self.lines {
            if count.is_empty() || count == "0" {
                continue;
            }
            let i = items.len();
            let count = number(&format!("blueprint.items[{i}].count"), count, &mut errors);
            let points = number(&format!("blueprint.items[{i}].points"), points, &mut errors);
            items.push(serde_json::json!({
                "area": area, "type": qtype,
                "difficulty": if difficulty.is_empty() { Value::Null } else { Value::from(difficulty.as_str()) },
                "collection": null, "count": count.map(|c| c as u64), "points": points,
            }));
        }
        let body = ExamBody {
            title: Some(self.title.clone()),
            kind: Some(self.kind.clone()),
            program_id: self.program_id.parse().ok(),
            region_code: None,
            cohort_year: None,
            year: None,
            makeup_of: self.makeup_of.parse().ok(),
            opens_at: Some(self.opens_at.replace('T', " ")),
            closes_at: Some(self.closes_at.replace('T', " ")),
            duration_minutes: number("duration_minutes", &self.duration_minutes, &mut errors)
                .map(|d| d as i64),
            pass_score: number("pass_score", &self.pass_score, &mut errors),
            attempts_allowed: number("attempts_allowed", &self.attempts_allowed, &mut errors)
                .map(|d| d as i64),
            x_scoring: Some(self.x_scoring.clone()),
            shuffle_options: Some(true),
            blueprint: Some(serde_json::json!({ "items": items })),
        };
        if errors.is_empty() {
            Ok(body)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "exams/new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    form: ExamForm,
    errors: FormErrors,
    programs: Vec<(i64, String)>,
    completions: Vec<(i64, String)>,
    areas: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    difficulties: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    bank: Vec<(String, i64)>,
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: ExamForm,
    errors: Vec<FieldError>,
) -> Result<NewPage, AppError> {
    let region = user.region.clone();
    let scope = user.scope();
    let (programs, completions, bank) = state
        .db(move |conn| {
            let programs: Vec<(i64, String)> = crate::program::store::list_visible(conn, &region)?
                .into_iter()
                .map(|p| (p.row.id, p.row.name.clone()))
                .collect();
            let (exams, _) = store::list_for_region(conn, &scope, 200, 0)?;
            let completions = exams
                .into_iter()
                .filter(|e| e.kind() == ExamKind::Completion)
                .map(|e| {
                    (
                        e.id,
                        format!("{}（{}）", e.title, time::display_cst(e.closes_at)),
                    )
                })
                .collect();
            let summary = crate::bank::store::summary(conn)?;
            Ok::<_, AppError>((programs, completions, summary.by_area.into_iter().collect()))
        })
        .await?;
    Ok(NewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        form,
        errors: errors.into(),
        programs,
        completions,
        areas: crate::areas::AREAS.to_vec(),
        types: QType::ALL
            .iter()
            .map(|t| (t.as_str(), type_label(*t)))
            .collect(),
        difficulties: [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard]
            .iter()
            .map(|d| {
                (
                    d.as_str(),
                    match d {
                        Difficulty::Easy => "易",
                        Difficulty::Medium => "中",
                        Difficulty::Hard => "难",
                    },
                )
            })
            .collect(),
        kinds: ExamKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        bank,
    })
}

/// `GET /exams/new`.
async fn new_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    html(&new_page(&state, &user, ExamForm::defaults(), Vec::new()).await?)
}

/// `POST /exams/new`: the exam, or the form again with every problem named.
async fn create(state: web::Data<AppState>, user: PageUser, body: web::Bytes) -> PageResult {
    user.require(Role::ADMINS)?;
    let pairs = form_pairs(&body);
    check_csrf(
        &user,
        pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str()),
    )?;
    let form = ExamForm::from_pairs(&pairs);
    let outcome = match form.body() {
        Ok(body) => api::create_exam(&state, &user, body)
            .await
            .map_err(|e| match e {
                AppError::Validation(errors) => Ok(errors),
                other => Err(other),
            }),
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok(exam) => Ok(see_other(&format!("/exams?created={}", exam.id))),
        Err(Ok(errors)) => {
            // Blueprint problems are named by rule number, as the form shows them.
            let errors = errors
                .into_iter()
                .map(|e| {
                    match e
                        .field
                        .strip_prefix("blueprint.items[")
                        .and_then(|r| r.split_once(']'))
                    {
                        Some((i, _)) => FieldError {
                            message: format!(
                                "组卷规则第 {} 条：{}",
                                i.parse::<usize>().unwrap_or(0) + 1,
                                e.message
                            ),
                            field: e.field,
                        },
                        None => e,
                    }
                })
                .collect();
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(&state, &user, form, errors).await?,
            )
        }
        Err(Err(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_maps_the_plane() {
        assert_eq!(chart_point(0.0, 1.0), (40.0, 20.0));
        assert_eq!(chart_point(1.0, -1.0), (400.0, 200.0));
        assert_eq!(chart_point(0.5, 0.0), (220.0, 110.0));
    }

    #[test]
    fn empty_blueprint_rows_are_ignored_and_bad_numbers_named() {
        let mut form = ExamForm::defaults();
        form.lines[1].3 = "十".into();
        let errors = form.body().unwrap_err();
        assert_eq!(errors[0].field, "blueprint.items[1].count");
        let form = ExamForm::defaults();
        let body = form.body().unwrap();
        assert_eq!(
            body.blueprint.unwrap()["items"].as_array().unwrap().len(),
            4
        );
    }
}
