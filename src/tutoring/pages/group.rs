//! A group's pages: its archive (members and moves, team, activities, evaluations), the
//! activity log form, the evaluation form, and the printable 公示 notice.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::{field, ids, message};
use crate::access::GroupRelation;
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, html_status};
use crate::points::Points;
use crate::state::AppState;
use crate::time;
use crate::tutoring::views::GroupView;
use crate::tutoring::{ActivityBody, ActivityKind, EvaluationBody, Month, ops};

#[derive(Template)]
#[template(path = "tutoring/group.html")]
struct GroupPage {
    nav: Option<Nav>,
    csrf: String,
    g: GroupView,
    may_write: bool,
    is_admin: bool,
    this_month: String,
    notice: Option<String>,
    error: Option<String>,
}

async fn group_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<GroupPage, AppError> {
    let (g, how) = ops::find(state, user, id).await?;
    Ok(GroupPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        g,
        may_write: how != GroupRelation::Member,
        is_admin: how == GroupRelation::Admin,
        this_month: Month::of(time::today_cst()).to_string(),
        notice,
        error,
    })
}

/// `GET /tutoring/groups/{id}`: the group's archive.
pub async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    html(&group_page(&state, &user, path.into_inner(), None, None).await?)
}

#[derive(Template)]
#[template(path = "tutoring/log.html")]
struct LogPage {
    nav: Option<Nav>,
    csrf: String,
    g: GroupView,
    kinds: Vec<(&'static str, &'static str)>,
    date: String,
    start: String,
    end: String,
    error: Option<String>,
}

async fn log_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<String>,
) -> Result<LogPage, AppError> {
    let (g, how) = ops::find(state, user, id).await?;
    if how == GroupRelation::Member {
        return Err(AppError::Forbidden(
            "只有带教团队成员或管理员可以登记".into(),
        ));
    }
    // Defaults: the hour that just ended, Beijing time.
    let now = time::now() + chrono::Duration::hours(8);
    let start = now - chrono::Duration::hours(1);
    Ok(LogPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        g,
        kinds: ActivityKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        date: now.format("%Y-%m-%d").to_string(),
        start: start.format("%H:%M").to_string(),
        end: now.format("%H:%M").to_string(),
        error,
    })
}

/// `GET /tutoring/groups/{id}/log`: log an activity from a phone — the group chosen,
/// every member ticked.
pub async fn log_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    html(&log_page(&state, &user, path.into_inner(), None).await?)
}

/// `POST /tutoring/groups/{id}/log` (form: `doctor_id` repeated).
pub async fn log_post(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf").as_deref().unwrap_or(""))?;
    let date = field(&pairs, "date").unwrap_or_default();
    let at = |t: Option<String>| t.map(|t| format!("{date}T{t}"));
    let body = ActivityBody {
        kind: field(&pairs, "kind"),
        starts_at: at(field(&pairs, "start")),
        ends_at: at(field(&pairs, "end")),
        topic: field(&pairs, "topic"),
        doctor_ids: Some(ids(&pairs, "doctor_id")),
        note: field(&pairs, "note"),
    };
    match ops::log_activity(&state, &user, id, &body).await {
        Ok(a) => html(
            &group_page(
                &state,
                &user,
                id,
                Some(format!(
                    "已登记，{} 名学员各计入 {} 分钟辅导带教学时。",
                    a.attendees.len(),
                    a.minutes
                )),
                None,
            )
            .await?,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &log_page(&state, &user, id, Some(message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// `POST /tutoring/groups/{id}/evaluate`.
pub async fn evaluate_post(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf").as_deref().unwrap_or(""))?;
    let score = match field(&pairs, "score").map(|s| Points::parse(&s)) {
        Some(Ok(p)) => Some(p),
        _ => None,
    };
    let body = EvaluationBody {
        month: field(&pairs, "month"),
        score,
        progress: field(&pairs, "progress"),
        remarks: field(&pairs, "remarks"),
    };
    match ops::evaluate(&state, &user, id, &body).await {
        Ok(e) => html(
            &group_page(
                &state,
                &user,
                id,
                Some(format!("已登记 {} 的评估。", e.month)),
                None,
            )
            .await?,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &group_page(&state, &user, id, None, Some(message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "tutoring/notice.html")]
struct NoticePage {
    g: GroupView,
    posted_on: String,
    until: String,
}

/// `GET /tutoring/groups/{id}/notice`: the 公示 notice, A4, for printing and posting at
/// the township centre and the village clinics (7 days).
pub async fn notice(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    let (g, _) = ops::find(&state, &user, path.into_inner()).await?;
    let (posted, until) = crate::tutoring::rules::posting_period(time::today_cst());
    html(&NoticePage {
        g,
        posted_on: posted.format("%Y年%m月%d日").to_string(),
        until: until.format("%Y年%m月%d日").to_string(),
    })
}

#[derive(Template)]
#[template(path = "tutoring/notice_region.html")]
struct RegionNoticePage {
    region: String,
    code: String,
    groups: Vec<GroupView>,
    posted_on: String,
    until: String,
}

/// `GET /tutoring/notice?region=CODE`: the 公示 of a township — every group with
/// members there, its team and those members — A4, for printing.
pub async fn township_notice(
    state: web::Data<AppState>,
    user: PageUser,
    req: actix_web::HttpRequest,
) -> PageResult {
    let pairs = form_pairs(req.query_string().as_bytes());
    let code = super::field(&pairs, "region").ok_or(AppError::NotFound)?;
    let (region, groups) = ops::township_notice(&state, &user, code.clone()).await?;
    let (posted, until) = crate::tutoring::rules::posting_period(time::today_cst());
    html(&RegionNoticePage {
        region,
        code,
        groups,
        posted_on: posted.format("%Y年%m月%d日").to_string(),
        until: until.format("%Y年%m月%d日").to_string(),
    })
}
