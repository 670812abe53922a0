//! `GET /study/review`, `POST /study/review/{id}`, `POST /study/review/bulk`: the
//! reviewer's queue — newest first (or oldest), searchable by doctor or village, a
//! page of 50 with the true total, bulk approval of the ticked rows; after a decision
//! the reviewer comes back to the same page, at the row after the one decided.

use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::{Line, line};
use crate::auth::{CurrentUser, PageUser};
use crate::error::AppError;
use crate::extract::PageParams;
use crate::page::{
    Nav, PageResult, Pager, check_csrf, encode_query_value, form_pairs, html_status, see_other,
};
use crate::state::AppState;
use crate::study::ops::queue::{self, Asked, QueueQuery};
use crate::study::ops::records;
use crate::study::rules::queue as rules;

/// A pending record with its doctor, for reviewers.
pub struct Pending {
    pub line: Line,
    pub doctor: String,
    pub village: String,
    pub has_photo: bool,
    /// The row below it (where the page returns after deciding this one).
    pub next: Option<i64>,
}

#[derive(Template)]
#[template(path = "study/review.html")]
struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    items: Vec<Pending>,
    total: i64,
    pager: Pager,
    q: String,
    oldest: bool,
    page: i64,
    notice: Option<String>,
    error: Option<String>,
}

/// Where the reviewer was: search, order and page, as a query string.
fn back_query(q: Option<&str>, oldest: bool, page: i64) -> String {
    let mut out = format!("order={}", if oldest { "oldest" } else { "newest" });
    if let Some(q) = q.filter(|q| !q.is_empty()) {
        out.push_str("&q=");
        out.push_str(&encode_query_value(q));
    }
    if page > 1 {
        out.push_str(&format!("&page={page}"));
    }
    out
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    asked: Asked,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ReviewPage, AppError> {
    let q = asked.search.clone().unwrap_or_default();
    let oldest = asked.oldest_first;
    let paging = asked.paging;
    let found = queue::page(state, user, asked).await?;
    let ids: Vec<i64> = found.items.iter().map(|p| p.row.record.id).collect();
    let items = found
        .items
        .into_iter()
        .enumerate()
        .map(|(i, p)| Pending {
            has_photo: p.has_photo,
            doctor: p.row.doctor_name,
            village: p.row.village,
            line: line(p.row.record),
            next: ids.get(i + 1).copied(),
        })
        .collect();
    let mut base = format!("order={}", if oldest { "oldest" } else { "newest" });
    if !q.is_empty() {
        base.push_str("&q=");
        base.push_str(&encode_query_value(&q));
    }
    Ok(ReviewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        items,
        total: found.total,
        pager: Pager {
            page: paging.page,
            pages: paging.pages(found.total),
            total: found.total,
            base,
        },
        q,
        oldest,
        page: paging.page,
        notice,
        error,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct QueuePageQuery {
    q: Option<String>,
    order: Option<String>,
    page: Option<String>,
    /// After a redirect: what was decided, how many.
    done: Option<String>,
    n: Option<u32>,
}

/// `GET /study/review`.
pub async fn queue(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<QueuePageQuery>,
) -> PageResult {
    let query = query.into_inner();
    let asked = queue::ask(
        &QueueQuery {
            q: query.q,
            order: query.order,
            paging: PageParams {
                page: query.page,
                per_page: None,
            },
        },
        false,
    )?;
    let n = query.n.unwrap_or(1);
    let notice = match query.done.as_deref() {
        Some("approve") => Some(format!("已认定 {n} 条记录。")),
        Some("reject") => Some("已退回 1 条记录。".to_owned()),
        _ => None,
    };
    let shown = page(&state, &user, asked.clone(), notice.clone(), None).await?;
    // Past the last page (its rows were just decided): the last page that has rows.
    if shown.items.is_empty() && shown.page > 1 && shown.total > 0 {
        let last = shown.pager.pages;
        let to = format!(
            "/study/review?{}{}",
            back_query(Some(&shown.q), shown.oldest, last),
            query_done(query.done.as_deref(), n)
        );
        return Ok(see_other(&to));
    }
    html_status(actix_web::http::StatusCode::OK, &shown)
}

fn query_done(done: Option<&str>, n: u32) -> String {
    match done {
        Some(d @ ("approve" | "reject")) => format!("&done={d}&n={n}"),
        _ => String::new(),
    }
}

/// Where a decision came from: the queue's search, order, page and the next row.
struct Origin {
    asked: Asked,
    next: Option<i64>,
}

fn from_form(pairs: &[(String, String)]) -> Origin {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let search = rules::search(get("q")).ok().flatten();
    let oldest_first = rules::oldest_first(get("order"), false).unwrap_or(false);
    let page = get("page")
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    let next = get("next").and_then(|n| n.trim().parse::<i64>().ok());
    Origin {
        asked: Asked {
            search,
            oldest_first,
            paging: crate::extract::Paging { page, per_page: 50 },
        },
        next,
    }
}

fn back_to(from: &Origin, done: &str, n: usize) -> String {
    let anchor = from.next.map(|id| format!("#r-{id}")).unwrap_or_default();
    format!(
        "/study/review?{}&done={done}&n={n}{anchor}",
        back_query(
            from.asked.search.as_deref(),
            from.asked.oldest_first,
            from.asked.paging.page
        )
    )
}

fn field<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `POST /study/review/{id}` (fields `decision`, `note`, and where the reviewer was).
pub async fn decide(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf").unwrap_or_default())?;
    let from = from_form(&pairs);
    let id = path.into_inner();
    let approve = field(&pairs, "decision") == Some("approve");
    let note = field(&pairs, "note").map(str::to_owned);
    match records::review(&state, &user, id, approve, note).await {
        Ok(_) => Ok(see_other(&back_to(
            &from,
            if approve { "approve" } else { "reject" },
            1,
        ))),
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &page(&state, &user, from.asked, None, Some(super::message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// `POST /study/review/bulk` (`ids` repeated, an optional `note`): all or nothing.
pub async fn bulk(state: web::Data<AppState>, user: PageUser, body: web::Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf").unwrap_or_default())?;
    let from = from_form(&pairs);
    let picked = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.as_str());
    let result = match rules::bulk_ids(picked) {
        Ok(ids) => {
            let note = field(&pairs, "note").map(str::to_owned);
            queue::approve_many(&state, &user, ids, note).await
        }
        Err(m) => Err(AppError::field("ids", m)),
    };
    match result {
        Ok(n) => {
            let to = Origin { next: None, ..from };
            Ok(see_other(&back_to(&to, "approve", n)))
        }
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &page(&state, &user, from.asked, None, Some(super::message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
