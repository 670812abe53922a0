//! Session pages: the list, creating one, the instructor's page (rotating code with its
//! QR, attendance, marking), the doctor's check-in page, and the sign-in sheet.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::api::{self, Access, ListQuery};
use super::{Session, SessionBody, SessionView, store};
use crate::auth::{PageUser, Role};
use crate::error::{AppError, FieldError};
use crate::page::{FormErrors, Nav, PageResult, check_csrf, html, html_status, see_other};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sessions", web::get().to(list))
        .route("/sessions/new", web::get().to(new_form))
        .route("/sessions/new", web::post().to(create))
        .route("/sessions/{id}", web::get().to(detail))
        .route("/sessions/{id}/attendance", web::post().to(mark))
        .route("/checkin/{id}", web::get().to(checkin_form))
        .route("/checkin/{id}", web::post().to(checkin));
}

/// A session for a page, with Beijing times.
pub struct Row {
    pub s: SessionView,
    pub when: String,
}

pub fn row(s: SessionView) -> Row {
    let end = time::display_cst(s.ends_at);
    let when = format!(
        "{} – {}",
        time::display_cst(s.starts_at),
        end.get(11..).unwrap_or(&end)
    );
    Row { s, when }
}

#[derive(Template)]
#[template(path = "sessions/list.html")]
struct ListPage {
    nav: Option<Nav>,
    upcoming: Vec<Row>,
    past: Vec<Row>,
    can_create: bool,
    is_doctor: bool,
}

/// `GET /sessions`.
async fn list(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let upcoming = api::list_for(
        &state,
        &user,
        &ListQuery {
            when: Some("upcoming".into()),
            ..Default::default()
        },
    )
    .await?;
    let past = api::list_for(
        &state,
        &user,
        &ListQuery {
            when: Some("past".into()),
            ..Default::default()
        },
    )
    .await?;
    html(&ListPage {
        nav: Nav::of(&user),
        upcoming: upcoming.items.into_iter().map(row).collect(),
        past: past.items.into_iter().take(20).map(row).collect(),
        can_create: user.role().is_admin(),
        is_doctor: user.role() == Role::Doctor,
    })
}

#[derive(Template)]
#[template(path = "sessions/new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    form: SessionForm,
    areas: Vec<(&'static str, &'static str)>,
    instructors: Vec<(i64, String)>,
    errors: FormErrors,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SessionForm {
    pub csrf: Option<String>,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub minutes: Option<String>,
    pub location: Option<String>,
    pub region_code: Option<String>,
    pub capacity: Option<String>,
    pub instructor_id: Option<String>,
}

impl SessionForm {
    pub fn value(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: SessionForm,
    errors: Vec<FieldError>,
) -> Result<NewPage, AppError> {
    let scope = user.scope();
    let (instructors, _) = state
        .db(move |conn| crate::instructors::store::list(conn, &scope, 0, 500))
        .await?;
    Ok(NewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        form,
        areas: crate::areas::AREAS.to_vec(),
        instructors: instructors.into_iter().map(|i| (i.id, i.name)).collect(),
        errors: errors.into(),
    })
}

/// `GET /sessions/new`.
async fn new_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    let form = SessionForm {
        region_code: Some(user.region.code.clone()),
        ..SessionForm::default()
    };
    html(&new_page(&state, &user, form, Vec::new()).await?)
}

/// `POST /sessions/new`.
async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<SessionForm>,
) -> PageResult {
    let form = form.into_inner();
    check_csrf(&user, SessionForm::value(&form.csrf))?;
    let mut errors = Vec::new();
    let number = |v: &Option<String>, field: &str, errors: &mut Vec<FieldError>| -> Option<i32> {
        let t = v.as_deref().unwrap_or("").trim();
        if t.is_empty() {
            return None;
        }
        t.parse()
            .map_err(|_| {
                errors.push(FieldError {
                    field: field.into(),
                    message: "应为整数".into(),
                })
            })
            .ok()
    };
    let minutes = number(&form.minutes, "minutes", &mut errors);
    let capacity = number(&form.capacity, "capacity", &mut errors);
    let instructor = form
        .instructor_id
        .as_deref()
        .and_then(|i| i.parse::<i64>().ok());
    let body = SessionBody {
        title: form.title.clone(),
        topic: form.topic.clone(),
        starts_at: form.starts_at.clone(),
        ends_at: form.ends_at.clone(),
        minutes,
        location: form.location.clone(),
        region_code: form.region_code.clone(),
        capacity,
        instructor_ids: instructor.map(|i| vec![i]),
        program_id: None,
    };
    if !errors.is_empty() {
        return html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&state, &user, form, errors).await?,
        );
    }
    match api::create_session(&state, &user, &body).await {
        Ok(view) => Ok(see_other(&format!("/sessions/{}", view.id))),
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&state, &user, form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// An eligible doctor on the marking list.
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub present: bool,
}

#[derive(Template)]
#[template(path = "sessions/detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    s: Row,
    runs: bool,
    code: Option<serde_json::Value>,
    qr_data: String,
    attendance: Vec<(String, String, String)>,
    candidates: Vec<Candidate>,
    notice: Option<String>,
    errors: Vec<String>,
    started: bool,
}

async fn detail_page(
    state: &AppState,
    user: &PageUser,
    req: &HttpRequest,
    id: i64,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<DetailPage, AppError> {
    let (session, path, name, access) = api::find(state, user, id).await?;
    let runs = access == Access::Runs;
    let started = session.starts_at <= time::now();
    let code = if runs {
        Some(api::current_code(state, user, req, id).await?)
    } else {
        None
    };
    let qr_data = code
        .as_ref()
        .and_then(|c| c["qr_svg"].as_str())
        .map(|svg| {
            format!(
                "data:image/svg+xml;charset=utf-8,{}",
                crate::page::encode_query_value(svg)
            )
        })
        .unwrap_or_default();
    let s2 = session.clone();
    let (view, attendance, candidates) = state
        .db(move |conn| {
            let view = store::views(conn, vec![(s2.clone(), name)])?.remove(0);
            if !runs {
                return Ok::<_, diesel::result::Error>((view, Vec::new(), Vec::new()));
            }
            let attendance = store::attendance(conn, id)?;
            let present: Vec<i64> = attendance.iter().map(|(r, ..)| r.doctor_id).collect();
            let scope = crate::regions::Scope::new(&s2.region_code, &path);
            let filter = crate::roster::DoctorFilter {
                status: Some(crate::roster::DoctorStatus::Active),
                program_id: Some(s2.program_id),
                ..Default::default()
            };
            let (doctors, _) = crate::roster::store::list(conn, &scope, &filter, 0, 500)?;
            let candidates = doctors
                .into_iter()
                .map(|d| Candidate {
                    present: present.contains(&d.doctor.id),
                    id: d.doctor.id,
                    name: d.doctor.name,
                    place: d.region_name,
                })
                .collect();
            let attendance = attendance
                .into_iter()
                .map(|(r, name, id)| {
                    (
                        name,
                        id,
                        if r.source == "attendance" && r.created_by.is_some() {
                            "已签到".to_owned()
                        } else {
                            r.source
                        },
                    )
                })
                .collect();
            Ok((view, attendance, candidates))
        })
        .await?;
    Ok(DetailPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        s: row(view),
        runs,
        code,
        qr_data,
        attendance,
        candidates,
        notice,
        errors,
        started,
    })
}

/// `GET /sessions/{id}`.
async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    req: HttpRequest,
    path: web::Path<i64>,
) -> PageResult {
    html(&detail_page(&state, &user, &req, path.into_inner(), None, Vec::new()).await?)
}

/// `POST /sessions/{id}/attendance` (form: `doctor_id` repeated).
async fn mark(
    state: web::Data<AppState>,
    user: PageUser,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs: Vec<(String, String)> = crate::page::form_pairs(&body);
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    check_csrf(&user, csrf)?;
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "doctor_id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match api::mark_attendance(&state, &user, id, ids).await {
        Ok(m) => {
            let notice = format!(
                "已登记 {} 人出勤{}。",
                m.credited,
                if m.already > 0 {
                    format!("（{} 人此前已登记）", m.already)
                } else {
                    String::new()
                }
            );
            html(&detail_page(&state, &user, &req, id, Some(notice), Vec::new()).await?)
        }
        Err(AppError::Validation(errors)) => {
            let messages = errors.into_iter().map(|e| e.message).collect();
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &detail_page(&state, &user, &req, id, None, messages).await?,
            )
        }
        Err(e @ AppError::Conflict(_)) => html_status(
            StatusCode::CONFLICT,
            &detail_page(&state, &user, &req, id, None, vec![e.to_string()]).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "sessions/checkin.html")]
struct CheckinPage {
    nav: Option<Nav>,
    csrf: String,
    s: Row,
    code: String,
    done: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

async fn checkin_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    code: String,
    done: bool,
    error: Option<String>,
) -> Result<CheckinPage, AppError> {
    let (session, _, name, _) = api::find(state, user, id).await?;
    let view = state
        .db(move |conn| store::views(conn, vec![(session, name)]))
        .await?
        .remove(0);
    Ok(CheckinPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        s: row(view),
        code,
        done,
        error,
    })
}

/// `GET /checkin/{id}?code=` — where the QR code leads.
async fn checkin_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    query: web::Query<CodeQuery>,
) -> PageResult {
    let code = query.code.clone().unwrap_or_default();
    html(&checkin_page(&state, &user, path.into_inner(), code, false, None).await?)
}

#[derive(Debug, Deserialize)]
struct CheckinForm {
    csrf: Option<String>,
    code: Option<String>,
}

/// `POST /checkin/{id}`.
async fn checkin(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CheckinForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let code = form.code.clone().unwrap_or_default();
    match api::check_in(&state, &user, id, &code).await {
        Ok(_) => html(&checkin_page(&state, &user, id, code, true, None).await?),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let message = match &e {
                AppError::Validation(f) => f
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            html_status(
                status,
                &checkin_page(&state, &user, id, code, false, Some(message)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// 签到表: the session, then one row per attendee with a column to sign.
pub fn sign_in_xlsx(
    session: &Session,
    region_name: &str,
    rows: &[(crate::study::StudyRecord, String, String)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::sheet::{Column, XlsxBook};
    let columns = [
        Column::new("序号", 6.0),
        Column::new("姓名", 12.0),
        Column::new("身份证号", 22.0).text(),
        Column::new("签到方式", 12.0),
        Column::new("签到时间", 18.0),
        Column::new("本人签名", 16.0),
    ];
    let values: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, (r, name, id))| {
            vec![
                (i + 1).to_string(),
                name.clone(),
                id.clone(),
                if r.created_by.is_some() {
                    "签到/登记".into()
                } else {
                    String::new()
                },
                time::display_cst(r.created_at),
                String::new(),
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("签到表", &columns, &values)?;
    let when: NaiveDateTime = session.starts_at;
    book.notes(
        "培训信息",
        &[
            &format!("培训：{}", session.title),
            &format!("地点：{}（{}）", session.location, region_name),
            &format!(
                "时间：{} 至 {}",
                time::display_cst(when),
                time::display_cst(session.ends_at)
            ),
            &format!("认定学时：{} 分钟", session.minutes),
            &format!("出勤人数：{}", rows.len()),
        ],
    )?;
    book.into_bytes()
}
