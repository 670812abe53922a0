//! `GET /sessions/{id}`, `POST /sessions/{id}/attendance`: the instructor's page with
//! the live code, or the doctor's view of a session.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::sessions::SessionRow;
use crate::sessions::ops::{attendance, code, detail};
use crate::sessions::rules::Access;
use crate::sessions::views::{CheckinCode, base_url};
use crate::state::AppState;
use crate::study::Source;

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
    s: SessionRow,
    runs: bool,
    code: Option<CheckinCode>,
    qr_data: String,
    attendance: Vec<(String, String, String)>,
    candidates: Vec<Candidate>,
    notice: Option<String>,
    errors: Vec<String>,
    started: bool,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    req: &HttpRequest,
    id: i64,
    notice: Option<String>,
    errors: Vec<String>,
) -> Result<DetailPage, AppError> {
    let facts = detail::page(state, user, id).await?;
    let runs = facts.how == Access::Runs;
    let code = if runs {
        Some(code::current(state, user, base_url(req), id).await?)
    } else {
        None
    };
    let qr_data = code
        .as_ref()
        .and_then(|c| c.qr_svg.as_deref())
        .map(|svg| {
            format!(
                "data:image/svg+xml;charset=utf-8,{}",
                crate::page::encode_query_value(svg)
            )
        })
        .unwrap_or_default();
    let present: Vec<i64> = facts
        .attendance
        .iter()
        .map(|a| a.record.doctor_id)
        .collect();
    Ok(DetailPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        s: SessionRow::of(facts.session),
        runs,
        code,
        qr_data,
        candidates: facts
            .candidates
            .into_iter()
            .map(|d| Candidate {
                present: present.contains(&d.id),
                id: d.id,
                name: d.name,
                place: d.region_name,
            })
            .collect(),
        attendance: facts
            .attendance
            .into_iter()
            .map(|a| {
                let how = if a.record.source == Source::Attendance && a.record.created_by.is_some()
                {
                    "已签到".to_owned()
                } else {
                    a.record.source.as_str().to_owned()
                };
                (a.name, a.id_number_masked, how)
            })
            .collect(),
        notice,
        errors,
        started: facts.started,
    })
}

/// `GET /sessions/{id}`.
pub async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    req: HttpRequest,
    path: web::Path<i64>,
) -> PageResult {
    html(&page(&state, &user, &req, path.into_inner(), None, Vec::new()).await?)
}

/// `POST /sessions/{id}/attendance` (form: `doctor_id` repeated).
pub async fn mark(
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
    match attendance::mark(&state, &user, id, ids).await {
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
            html(&page(&state, &user, &req, id, Some(notice), Vec::new()).await?)
        }
        Err(AppError::Validation(errors)) => {
            let messages = errors.into_iter().map(|e| e.message).collect();
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &user, &req, id, None, messages).await?,
            )
        }
        Err(e @ AppError::Conflict(_)) => html_status(
            StatusCode::CONFLICT,
            &page(&state, &user, &req, id, None, vec![e.to_string()]).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
