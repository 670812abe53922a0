//! The county's pages: the year's annual scores with its rating and confirmation, and
//! the make-up lists.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::doctor::need_label;
use super::message;
use crate::access::Role;
use crate::assessment::ops::{annual, makeup};
use crate::assessment::views::{AnnualItem, MakeupItem, MakeupLists};
use crate::assessment::{ConfirmBody, RatingBody, YearQuery};
use crate::auth::PageUser;
use crate::page::{Nav, PageResult, Pager, check_csrf, encode_query_value, html, html_status};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "assessment/annual.html")]
struct AnnualPage {
    nav: Option<Nav>,
    csrf: String,
    region: String,
    year: i32,
    total: i64,
    items: Vec<AnnualItem>,
    can_confirm: bool,
    pager: Option<Pager>,
    message: Option<String>,
    error: Option<String>,
}

async fn annual_page(
    state: &AppState,
    user: &PageUser,
    q: &YearQuery,
    message: Option<String>,
    error: Option<String>,
) -> PageResult {
    let list = annual::list(state, user, q).await?;
    let region = q
        .region
        .clone()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| user.region.code.clone());
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or_else(|| chrono::Datelike::year(&crate::time::today_cst()));
    let pages = (list.total + list.per_page - 1) / list.per_page;
    let page = AnnualPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        pager: (pages > 1).then(|| Pager {
            page: list.page,
            pages,
            total: list.total,
            base: format!("region={}&year={year}", encode_query_value(&region)),
        }),
        region,
        year,
        total: list.total,
        items: list.items,
        can_confirm: user.role() == Role::CountyAdmin,
        message,
        error: error.clone(),
    };
    if error.is_some() {
        html_status(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        html(&page)
    }
}

/// `GET /assessment/annual?region=&year=` (admins).
pub async fn annual(
    state: web::Data<AppState>,
    user: PageUser,
    q: web::Query<YearQuery>,
) -> PageResult {
    user.require(Role::ADMINS)?;
    annual_page(&state, &user, &q, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct RatingForm {
    csrf: Option<String>,
    doctor_id: Option<i64>,
    region: Option<String>,
    year: Option<String>,
    rating: Option<String>,
}

/// `POST /assessment/annual/rating` (county admins).
pub async fn rate(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<RatingForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let q = YearQuery {
        year: form.year.clone(),
        region: form.region.clone(),
        ..YearQuery::default()
    };
    let body = RatingBody {
        year: form.year.clone().map(serde_json::Value::String),
        rating: form.rating.clone().map(serde_json::Value::String),
    };
    let id = form.doctor_id.unwrap_or_default();
    match annual::rate(&state, &user, id, &body).await {
        Ok(_) => annual_page(&state, &user, &q, Some("评定已保存".into()), None).await,
        Err(e @ (crate::error::AppError::Validation(_) | crate::error::AppError::Conflict(_))) => {
            annual_page(&state, &user, &q, None, Some(message(&e))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    csrf: Option<String>,
    region_code: Option<String>,
    year: Option<String>,
}

/// `POST /assessment/annual/confirm` (county admins).
pub async fn confirm(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let q = YearQuery {
        year: form.year.clone(),
        region: form.region_code.clone(),
        ..YearQuery::default()
    };
    let body = ConfirmBody {
        region_code: form.region_code.clone(),
        year: form.year.clone().map(serde_json::Value::String),
    };
    match annual::confirm(&state, &user, &body).await {
        Ok(c) => {
            let done = format!(
                "已确认 {} 人（合格 {} 人，不合格 {} 人）；此前已确认 {} 人",
                c.confirmed, c.passed, c.failed, c.already
            );
            annual_page(&state, &user, &q, Some(done), None).await
        }
        Err(e @ crate::error::AppError::Validation(_)) => {
            annual_page(&state, &user, &q, None, Some(message(&e))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A make-up list's row with its needs in Chinese.
struct Row {
    item: MakeupItem,
    needs: String,
}

struct Group {
    title: &'static str,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "assessment/makeup.html")]
struct MakeupPage {
    nav: Option<Nav>,
    lists: MakeupLists,
    groups: Vec<Group>,
}

/// `GET /assessment/makeup?region=&year=` (admins).
pub async fn makeup(
    state: web::Data<AppState>,
    user: PageUser,
    q: web::Query<YearQuery>,
) -> PageResult {
    let lists = makeup::lists(&state, &user, &q).await?;
    let rows = |items: &[MakeupItem]| -> Vec<Row> {
        items
            .iter()
            .map(|i| Row {
                item: i.clone(),
                needs: i
                    .needs
                    .iter()
                    .map(|n| need_label(n))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect()
    };
    let groups = vec![
        Group {
            title: "需补修学时",
            rows: rows(&lists.makeup_study),
        },
        Group {
            title: "需补考",
            rows: rows(&lists.makeup_exam),
        },
        Group {
            title: "已结业",
            rows: rows(&lists.passed),
        },
        Group {
            title: "未结业",
            rows: rows(&lists.failed),
        },
    ];
    html(&MakeupPage {
        nav: Nav::of(&user),
        lists,
        groups,
    })
}
