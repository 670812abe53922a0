//! The examiner's phone page: `GET/POST /skills/exams/{id}/score/{doctor_id}/{station_id}`.
//! With `static/js/skills.js` every tap is saved through the API (kept locally while
//! the connection is down); without it the form is sent whole.

use actix_web::web;
use askama::Template;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, html_status, see_other};
use crate::skills::ops::exams;
use crate::skills::ops::sheets::{self, SheetPath};
use crate::skills::views::SheetView;
use crate::skills::{MarkBody, SheetBody, SheetStatus};
use crate::state::AppState;

struct ItemRow {
    code: String,
    text: String,
    max: String,
    half: String,
    critical: bool,
    /// When the item applies: the page offers 不适用.
    applicable_if: Option<String>,
    given: String,
}

/// What the score box holds for an item scored not applicable.
pub const NOT_APPLICABLE: &str = "不适用";

#[derive(Template)]
#[template(path = "skills/score.html")]
struct ScorePage {
    nav: Option<Nav>,
    csrf: String,
    at: SheetPath,
    exam_title: String,
    candidate: String,
    station: String,
    max_points: String,
    pass_points: String,
    items: Vec<ItemRow>,
    ratings: Vec<(i32, String)>,
    rating: i32,
    notes: String,
    sheet: Option<SheetView>,
    locked: bool,
    status_label: &'static str,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    at: SheetPath,
    error: Option<String>,
) -> Result<ScorePage, AppError> {
    let (sheet, station) = sheets::mine(state, user, at).await?;
    let (exam, _) = exams::detail(state, user, at.exam_id).await?;
    let candidate = exam
        .candidates
        .iter()
        .find(|c| c.doctor_id == at.doctor_id)
        .map_or_else(
            || format!("学员（编号 {}）", at.doctor_id),
            |c| c.name.clone(),
        );
    let given = |code: &str| {
        sheet
            .as_ref()
            .and_then(|s| s.items.iter().find(|m| m.code == code))
            .map_or_else(String::new, |m| {
                if m.not_applicable {
                    NOT_APPLICABLE.to_owned()
                } else {
                    m.points.to_string()
                }
            })
    };
    let items = station
        .items
        .iter()
        .map(|i| ItemRow {
            code: i.code.clone(),
            text: i.text.clone(),
            max: i.points.to_string(),
            half: crate::points::Points::tenths((i.points.as_tenths() / 10) * 5).to_string(),
            critical: i.critical,
            applicable_if: i.applicable_if.clone(),
            given: given(&i.code),
        })
        .collect();
    let labels = if station.rating.len() == 5 {
        station.rating.clone()
    } else {
        crate::skills::DEFAULT_RATING
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    };
    let locked = sheet
        .as_ref()
        .is_some_and(|s| s.status == SheetStatus::Submitted);
    Ok(ScorePage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        at,
        exam_title: exam.title,
        candidate,
        station: station.title.clone(),
        max_points: station.max_points.to_string(),
        pass_points: station.pass_points.to_string(),
        items,
        ratings: (1..=5).zip(labels).collect(),
        rating: sheet.as_ref().and_then(|s| s.global_rating).unwrap_or(0),
        notes: sheet.as_ref().map(|s| s.notes.clone()).unwrap_or_default(),
        status_label: sheet.as_ref().map_or("未评分", |s| s.status.label()),
        locked,
        sheet,
        error,
    })
}

fn path_of(p: (i64, i64, i64)) -> SheetPath {
    SheetPath {
        exam_id: p.0,
        doctor_id: p.1,
        station_id: p.2,
    }
}

pub async fn form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(i64, i64, i64)>,
) -> PageResult {
    html(&page(&state, &user, path_of(path.into_inner()), None).await?)
}

/// The whole form, sent without the script.
pub async fn save(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(i64, i64, i64)>,
    body: web::Bytes,
) -> PageResult {
    let at = path_of(path.into_inner());
    let pairs = form_pairs(&body);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    check_csrf(&user, &get("csrf").unwrap_or_default())?;
    let mut bad = Vec::new();
    let items = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("item_")?, v.trim())))
        .filter(|(_, v)| !v.is_empty())
        .map(|(code, v)| {
            if v == NOT_APPLICABLE || v.eq_ignore_ascii_case("n/a") {
                return MarkBody {
                    code: Some(code.to_owned()),
                    points: None,
                    not_applicable: Some(true),
                };
            }
            MarkBody {
                code: Some(code.to_owned()),
                points: v.parse().map_err(|_| bad.push(code.to_owned())).ok(),
                not_applicable: None,
            }
        })
        .collect();
    let body = SheetBody {
        items: Some(items),
        global_rating: get("global_rating").and_then(|r| r.parse().ok()),
        notes: get("notes"),
        submit: Some(get("submit").is_some()),
        reason: get("reason").filter(|r| !r.is_empty()),
    };
    if !bad.is_empty() {
        let msg = "得分应为数字（适用条件不符的项目可填“不适用”）".to_owned();
        return html_status(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &user, at, Some(msg)).await?,
        );
    }
    match sheets::put(&state, &user, at, &body).await {
        Ok(_) => Ok(see_other(&format!(
            "/skills/exams/{}/score/{}/{}",
            at.exam_id, at.doctor_id, at.station_id
        ))),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let message = match &e {
                AppError::Validation(f) => f
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            html_status(status, &page(&state, &user, at, Some(message)).await?)
        }
        Err(e) => Err(e.into()),
    }
}
