//! `GET /study`, `POST /study`: the doctor's own page and logging study on it.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::{Line, line};
use crate::auth::PageUser;
use crate::error::{AppError, FieldError};
use crate::extract::Paging;
use crate::extract::read_form;
use crate::page::{FormErrors, Nav, PageResult, Pager, check_csrf, html_status, see_other};
use crate::state::AppState;
use crate::study::ops::{mine, records};
use crate::study::rules::records::{MAX_EVIDENCE, image_type};
use crate::study::rules::{HoursStatus, Progress};
use crate::study::{RecordBody, StudyKind};
use crate::time;

/// One bar of the doctor's page.
pub struct Bar {
    pub label: &'static str,
    pub done: i32,
    pub required: i32,
    pub pending: i32,
    pub met: bool,
}

impl Bar {
    /// Hours with one decimal, for people.
    pub fn hours(minutes: &i32) -> String {
        let h = f64::from(*minutes) / 60.0;
        if (h - h.round()).abs() < 0.05 {
            format!("{h:.0}")
        } else {
            format!("{h:.1}")
        }
    }
}

pub(super) fn bars(p: &Progress) -> Vec<Bar> {
    let mut out = vec![Bar {
        label: "线上自学",
        done: p.online.hours.credited_minutes,
        required: p.online.hours.required_minutes,
        pending: p.online.hours.pending_minutes,
        met: p.online.hours.met,
    }];
    for (label, k) in [("集中培训", &p.centralized), ("脱产跟班", &p.shadowing)] {
        if k.required_minutes > 0 || k.credited_minutes > 0 {
            out.push(Bar {
                label,
                done: k.credited_minutes,
                required: k.required_minutes,
                pending: k.pending_minutes,
                met: k.met,
            });
        }
    }
    if let Some(c) = &p.combined {
        out.push(Bar {
            label: "带教+跟班+技能",
            done: c.credited_minutes,
            required: c.required_minutes,
            pending: 0,
            met: c.met,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "study/mine.html")]
struct MinePage {
    nav: Option<Nav>,
    csrf: String,
    name: String,
    bars: Vec<Bar>,
    status: &'static str,
    behind: bool,
    makeup_deadline: Option<String>,
    recent: Vec<Line>,
    sessions: Vec<crate::sessions::SessionRow>,
    courses: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    notice: Option<&'static str>,
    today: String,
    placements: Vec<(i64, String, String)>,
    /// What the form shows: what was typed, after an error; else the defaults.
    draft: Draft,
    /// Sessions already checked in to: no second check-in offered.
    attended: Vec<i64>,
    pager: Pager,
}

impl MinePage {
    /// Whether the doctor has already checked in to this session.
    fn checked_in(&self, session_id: &i64) -> bool {
        self.attended.contains(session_id)
    }
}

/// The logging form's values as typed (kept when the form comes back with an error).
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub kind: String,
    pub course_code: String,
    pub occurred_on: String,
    pub minutes: String,
    pub note: String,
}

/// Records shown per page of the doctor's list.
const RECORDS_PER_PAGE: i64 = 10;

/// The page, or what to do when the account has no roster record.
async fn render(
    state: &AppState,
    user: &PageUser,
    status: StatusCode,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    draft: Option<Draft>,
    page: i64,
) -> PageResult {
    let paging = Paging {
        page,
        per_page: RECORDS_PER_PAGE,
    };
    let Some(m) = mine::mine(state, user, paging).await? else {
        return crate::page::unlinked(Nav::of(user), "我的学习", "学时和登记学习");
    };
    let p = &m.progress;
    let today = time::today_cst().to_string();
    let draft = draft.unwrap_or_else(|| Draft {
        occurred_on: today.clone(),
        ..Draft::default()
    });
    let page = MinePage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        name: m.doctor.doctor.name.clone(),
        bars: bars(p),
        status: match p.completion.status {
            HoursStatus::InProgress => "学习中",
            other => other.label(),
        },
        behind: p.completion.behind_schedule,
        makeup_deadline: p.completion.makeup_deadline.map(|d| d.to_string()),
        recent: m.recent.into_iter().map(line).collect(),
        sessions: m
            .sessions
            .into_iter()
            .map(crate::sessions::SessionRow::of)
            .collect(),
        courses: m.courses.into_iter().map(|c| (c.code, c.title)).collect(),
        kinds: StudyKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        errors: errors.into(),
        notice,
        today,
        draft,
        attended: m.attended,
        pager: Pager {
            page,
            pages: paging.pages(m.total_records),
            total: m.total_records,
            base: String::from("r=1"),
        },
        placements: m
            .placements
            .into_iter()
            .map(|p| {
                let when = format!("{} 至 {}", p.placement.starts_on, p.placement.ends_on);
                (p.placement.id, p.base_name, when)
            })
            .collect(),
    };
    html_status(status, &page)
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
    page: Option<String>,
}

/// `GET /study[?page=N]` (N: the page of the record list).
pub async fn mine(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<NoticeQuery>,
) -> PageResult {
    let notice = query.done.as_deref().map(|_| "已提交，待审核后计入学时。");
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    render(
        &state,
        &user,
        StatusCode::OK,
        Vec::new(),
        notice,
        None,
        page,
    )
    .await
}

/// `POST /study` (multipart: the record, and an optional photo as evidence).
pub async fn log(state: web::Data<AppState>, user: PageUser, multipart: Multipart) -> PageResult {
    let form = read_form(multipart, MAX_EVIDENCE)
        .await
        .map_err(crate::page::PageError::from)?;
    check_csrf(&user, form.field("csrf"))?;
    let doctor_id = user.doctor_id.ok_or(AppError::NotFound)?;
    let body = RecordBody {
        doctor_id: Some(doctor_id),
        kind: Some(form.field("kind").to_owned()),
        minutes: form.field("minutes").trim().parse().ok(),
        occurred_on: Some(form.field("occurred_on").to_owned()),
        course_code: Some(form.field("course_code").to_owned()),
        note: Some(form.field("note").to_owned()),
    };
    let draft = Draft {
        kind: form.field("kind").to_owned(),
        course_code: form.field("course_code").to_owned(),
        occurred_on: form.field("occurred_on").to_owned(),
        minutes: form.field("minutes").to_owned(),
        note: form.field("note").to_owned(),
    };
    let photo = form.file.filter(|f| !f.bytes.is_empty());
    if let Some(p) = &photo
        && image_type(&p.bytes).is_none()
    {
        let errors = vec![FieldError {
            field: "file".into(),
            message: "请上传 JPG、PNG 或 WebP 图片".into(),
        }];
        return render(
            &state,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            None,
            Some(draft),
            1,
        )
        .await;
    }
    match records::record(&state, &user, &body).await {
        Ok(r) => {
            if let Some(p) = photo {
                records::attach(&state, &user, r.id, p.bytes).await?;
            }
            Ok(see_other("/study?done=1"))
        }
        Err(AppError::Validation(errors)) => {
            render(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                Some(draft),
                1,
            )
            .await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let errors = vec![FieldError {
                field: "form".into(),
                message: e.to_string(),
            }];
            let status = actix_web::ResponseError::status_code(&e);
            render(&state, &user, status, errors, None, Some(draft), 1).await
        }
        Err(e) => Err(e.into()),
    }
}
