//! `GET /roster`: the list with its filters.

use actix_web::web;
use askama::Template;

use crate::auth::{PageUser, Role};
use crate::page::{Nav, PageResult, Pager, encode_query_value, html};
use crate::roster::{DoctorRecord, DoctorStatus, ListQuery, ops};
use crate::state::AppState;

/// A row of the list, with labels.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub place: String,
    pub cohort_year: i32,
    pub status: &'static str,
    pub active: bool,
}

fn row(r: &DoctorRecord) -> Row {
    Row {
        id: r.doctor.id,
        name: r.doctor.name.clone(),
        id_number: r.doctor.id_number_masked.clone(),
        phone: r.doctor.phone.clone(),
        place: r.region_name.clone(),
        cohort_year: r.doctor.cohort_year,
        status: r.doctor.status.label(),
        active: r.doctor.status.is_active(),
    }
}

#[derive(Template)]
#[template(path = "roster/list.html")]
struct ListPage {
    nav: Option<Nav>,
    rows: Vec<Row>,
    pager: Pager,
    q: String,
    region: String,
    status: String,
    cohort_year: String,
    regions: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    export_query: String,
}

/// `GET /roster`.
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    user.require(Role::ADMINS)?;
    let query = query.into_inner();
    let page = ops::list(&state, &user, &query).await?;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let base = format!(
        "q={}&region={}&status={}&cohort_year={}",
        encode_query_value(&value(&query.q)),
        encode_query_value(&value(&query.region)),
        encode_query_value(&value(&query.status)),
        encode_query_value(&value(&query.cohort_year)),
    );
    html(&ListPage {
        nav: Nav::of(&user),
        rows: page.items.iter().map(row).collect(),
        pager: Pager {
            page: page.page,
            pages: ((page.total + page.per_page - 1) / page.per_page).max(1),
            total: page.total,
            base: base.clone(),
        },
        q: value(&query.q),
        region: value(&query.region),
        status: value(&query.status),
        cohort_year: value(&query.cohort_year),
        regions: ops::sub_regions(&state, &user).await?,
        statuses: DoctorStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        export_query: base,
    })
}
