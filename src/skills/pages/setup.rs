//! `GET/POST /skills/exams/new`: the county sets up a skills exam — stations with their
//! examiners, candidates, date, first round and pass score.

use actix_web::web;
use askama::Template;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{
    FormErrors, Nav, PageResult, check_csrf, form_pairs, html, html_status, see_other,
};
use crate::skills::ops::{exams, setup};
use crate::skills::views::{PersonRef, StationView};
use crate::skills::{ExamBody, ExamStationBody, SkillExamKind};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "skills/new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    stations: Vec<StationView>,
    instructors: Vec<PersonRef>,
    doctors: Vec<PersonRef>,
    program: Option<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    region_code: String,
    errors: FormErrors,
    /// What was sent, to fill the form again.
    sent: Vec<(String, String)>,
}

impl NewPage {
    fn value(&self, name: &str) -> &str {
        self.sent
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn checked(&self, name: &str, value: &i64) -> bool {
        let v = value.to_string();
        self.sent.iter().any(|(k, x)| k == name && *x == v)
    }
}

async fn page(
    state: &AppState,
    user: &PageUser,
    errors: FormErrors,
    sent: Vec<(String, String)>,
) -> Result<NewPage, AppError> {
    let year = chrono::Datelike::year(&crate::time::today_cst());
    let c = setup::choices(state, user, year).await?;
    Ok(NewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        stations: c.stations,
        instructors: c.instructors,
        doctors: c.doctors,
        program: c.program,
        kinds: SkillExamKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        region_code: user.region.code.clone(),
        errors,
        sent,
    })
}

pub async fn form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    html(&page(&state, &user, FormErrors::default(), Vec::new()).await?)
}

pub async fn create(state: web::Data<AppState>, user: PageUser, body: web::Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let all = |name: &str| -> Vec<i64> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect()
    };
    check_csrf(&user, &get("csrf").unwrap_or_default())?;
    let stations = all("station")
        .into_iter()
        .map(|s| ExamStationBody {
            station_id: Some(s),
            examiner_ids: Some(all(&format!("examiners_{s}"))),
        })
        .collect();
    let body = ExamBody {
        title: get("title"),
        kind: get("kind"),
        program_id: get("program_id").and_then(|p| p.parse().ok()),
        region_code: get("region_code"),
        held_on: get("held_on"),
        starts_at: get("starts_at"),
        stations: Some(stations),
        pass_score: get("pass_score").and_then(|p| p.parse().ok()),
        candidate_ids: Some(all("candidate")),
        review_threshold: get("review_threshold")
            .filter(|t| !t.is_empty())
            .and_then(|t| t.parse().ok()),
    };
    match exams::create(&state, &user, &body).await {
        Ok(view) => Ok(see_other(&format!("/skills/exams/{}", view.id))),
        Err(AppError::Validation(fields)) => html_status(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &user, FormErrors(fields), pairs.clone()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
