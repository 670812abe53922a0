//! `GET /sessions`, `GET/POST /sessions/new`.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use crate::auth::{PageUser, Role};
use crate::error::{AppError, FieldError};
use crate::page::{FormErrors, Nav, PageResult, check_csrf, html, html_status, see_other};
use crate::sessions::ops::{self, ListQuery};
use crate::sessions::{SessionBody, SessionRow};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "sessions/list.html")]
struct ListPage {
    nav: Option<Nav>,
    upcoming: Vec<SessionRow>,
    past: Vec<SessionRow>,
    can_create: bool,
    is_doctor: bool,
}

/// `GET /sessions`.
pub async fn list(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let upcoming = ops::list(
        &state,
        &user,
        &ListQuery {
            when: Some("upcoming".into()),
            ..Default::default()
        },
    )
    .await?;
    let past = ops::list(
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
        upcoming: upcoming.items.into_iter().map(SessionRow::of).collect(),
        past: past
            .items
            .into_iter()
            .take(20)
            .map(SessionRow::of)
            .collect(),
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
    let instructors = ops::instructor_choices(state, user).await?;
    Ok(NewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        form,
        areas: crate::areas::AREAS.to_vec(),
        instructors,
        errors: errors.into(),
    })
}

/// `GET /sessions/new`.
pub async fn new_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    let form = SessionForm {
        region_code: Some(user.region.code.clone()),
        ..SessionForm::default()
    };
    html(&new_page(&state, &user, form, Vec::new()).await?)
}

/// `POST /sessions/new`.
pub async fn create(
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
    match ops::create(&state, &user, &body).await {
        Ok(view) => Ok(see_other(&format!("/sessions/{}", view.id))),
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&state, &user, form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
