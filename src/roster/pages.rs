//! Roster pages: the county's list (search, filters, pages), import (upload → check →
//! confirm), and a doctor's page (masked ID with an audited reveal, status, account).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::api::{
    AccountBody, ListQuery, StatusBody, change_status, import_bytes, import_county, list_for,
    open_account, reveal_id, upload_limits,
};
use super::{DoctorRecord, DoctorStatus, Education, ImportReport, Qualification};
use crate::auth::{PageUser, Role};
use crate::error::{AppError, FieldError};
use crate::extract::read_form;
use crate::page::{
    FormErrors, Nav, PageResult, Pager, check_csrf, encode_query_value, html, html_status,
    see_other,
};
use crate::regions::{Level, Region};
use crate::stash::{self, Stashed};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/roster", web::get().to(list))
        .route("/roster/import", web::get().to(import_form))
        .route("/roster/import", web::post().to(import_check))
        .route("/roster/import/confirm", web::post().to(import_confirm))
        .route("/roster/{id}", web::get().to(detail))
        .route("/roster/{id}/reveal", web::post().to(reveal))
        .route("/roster/{id}/status", web::post().to(status))
        .route("/roster/{id}/account", web::post().to(account));
}

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
    let status = DoctorStatus::parse(&r.doctor.status).unwrap_or(DoctorStatus::Active);
    Row {
        id: r.doctor.id,
        name: r.doctor.name.clone(),
        id_number: r.doctor.id_number_masked.clone(),
        phone: r.doctor.phone.clone(),
        place: r.region_name.clone(),
        cohort_year: r.doctor.cohort_year,
        status: status.label(),
        active: status == DoctorStatus::Active,
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

/// The regions one level below the caller's: districts for a city, townships for a
/// county (the list's place filter).
async fn sub_regions(state: &AppState, user: &PageUser) -> Result<Vec<(String, String)>, AppError> {
    let code = user.region.code.clone();
    let children = state
        .db(move |conn| crate::regions::store::children(conn, Some(&code)))
        .await?;
    Ok(children.into_iter().map(|r| (r.code, r.name)).collect())
}

/// `GET /roster`.
async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    user.require(Role::ADMINS)?;
    let query = query.into_inner();
    let page = list_for(&state, &user, &query).await?;
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
        regions: sub_regions(&state, &user).await?,
        statuses: DoctorStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        export_query: base,
    })
}

#[derive(Template)]
#[template(path = "roster/import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    counties: Vec<(String, String)>,
    county: String,
    report: Option<ImportReport>,
    token: Option<String>,
    filename: String,
    error: Option<String>,
    done: bool,
}

async fn counties_for(
    state: &AppState,
    user: &PageUser,
) -> Result<Vec<(String, String)>, AppError> {
    if user.role() == Role::CountyAdmin {
        return Ok(vec![(user.region.code.clone(), user.region.name.clone())]);
    }
    let scope = user.scope();
    let regions: Vec<Region> = state
        .db(move |conn| {
            use crate::db::schema::regions;
            use diesel::prelude::*;
            regions::table
                .filter(crate::regions::store::in_scope(&scope))
                .filter(regions::level.eq(Level::County.as_str()))
                .order(regions::code)
                .select(Region::as_select())
                .load(conn)
        })
        .await?;
    Ok(regions.into_iter().map(|r| (r.code, r.name)).collect())
}

async fn import_page(state: &AppState, user: &PageUser) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        counties: counties_for(state, user).await?,
        county: String::new(),
        report: None,
        token: None,
        filename: String::new(),
        error: None,
        done: false,
    })
}

/// `GET /roster/import`.
async fn import_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    html(&import_page(&state, &user).await?)
}

fn message(e: &AppError) -> String {
    match e {
        AppError::Validation(errors) => errors
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// `POST /roster/import`: check the file (a dry run); if it is clean, keep it and ask
/// for confirmation.
async fn import_check(
    state: web::Data<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> PageResult {
    user.require(Role::ADMINS)?;
    let mut page = import_page(&state, &user).await?;
    let form = match read_form(multipart, upload_limits().max_bytes).await {
        Ok(f) => f,
        Err(e @ (AppError::PayloadTooLarge(_) | AppError::Validation(_))) => {
            page.error = Some(message(&e));
            return html_status(actix_web::ResponseError::status_code(&e), &page);
        }
        Err(e) => return Err(e.into()),
    };
    check_csrf(&user, form.field("csrf"))?;
    page.county = form.field("county").to_owned();
    let county = import_county(
        &state,
        &user,
        Some(form.field("county")).filter(|c| !c.is_empty()),
    )
    .await?;
    let file = match form.require_file() {
        Ok(f) => f,
        Err(e) => {
            page.error = Some(message(&e));
            return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    page.filename = file.filename.clone().unwrap_or_default();
    match import_bytes(
        &state,
        &user,
        county.clone(),
        None,
        true,
        file.bytes.clone(),
    )
    .await
    {
        Ok(report) if report.errors.is_empty() => {
            let stashed = Stashed {
                filename: file.filename,
                params: serde_json::json!({ "county": county.code }),
                content: file.bytes,
            };
            let user_id = user.id();
            let token = state
                .db(move |conn| stash::put(conn, user_id, "roster_import", &stashed, time::now()))
                .await?;
            page.token = Some(token);
            page.report = Some(report);
            html(&page)
        }
        Ok(report) => {
            page.report = Some(report);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e @ AppError::Validation(_)) => {
            page.error = Some(message(&e));
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct ConfirmForm {
    csrf: Option<String>,
    token: Option<String>,
}

/// `POST /roster/import/confirm`: import the file checked a moment ago.
async fn import_confirm(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    user.require(Role::ADMINS)?;
    let mut page = import_page(&state, &user).await?;
    let token = form.token.clone().unwrap_or_default();
    let user_id = user.id();
    let stashed = state
        .db(move |conn| stash::take(conn, &token, user_id, "roster_import", time::now()))
        .await?;
    let Some(stashed) = stashed else {
        page.error = Some("检查结果已过期（超过 1 小时）或已导入，请重新上传文件".into());
        return html_status(StatusCode::CONFLICT, &page);
    };
    let county_code = stashed.params["county"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let county = import_county(&state, &user, Some(&county_code)).await?;
    page.filename = stashed.filename.clone().unwrap_or_default();
    let report = import_bytes(&state, &user, county, None, false, stashed.content).await?;
    let clean = report.errors.is_empty();
    page.done = clean;
    page.report = Some(report);
    if clean {
        html(&page)
    } else {
        html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

#[derive(Template)]
#[template(path = "roster/detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    d: super::DoctorView,
    gender: &'static str,
    education: &'static str,
    qualification: &'static str,
    status: &'static str,
    revealed: Option<String>,
    can_reveal: bool,
    can_manage: bool,
    statuses: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    notice: Option<&'static str>,
}

async fn detail_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    revealed: Option<String>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<DetailPage, AppError> {
    let record = crate::access::load_doctor(state, user, id).await?;
    let d = record.view();
    Ok(DetailPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        gender: super::Gender::parse(&d.gender).map_or("", |g| g.label()),
        education: Education::parse(&d.education).map_or("", |e| e.label()),
        qualification: Qualification::parse(&d.qualification).map_or("", |q| q.label()),
        status: DoctorStatus::parse(&d.status).map_or("", |s| s.label()),
        d,
        revealed,
        can_reveal: Role::REVEALERS.contains(&user.role()),
        can_manage: user.role().is_admin(),
        statuses: DoctorStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        errors: errors.into(),
        notice,
    })
}

#[derive(Debug, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// `GET /roster/{id}`.
async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> PageResult {
    let notice = match query.done.as_deref() {
        Some("status") => Some("状态已更新。"),
        Some("account") => Some("登录账号已建立，请将用户名和初始密码告知本人。"),
        _ => None,
    };
    html(&detail_page(&state, &user, path.into_inner(), None, Vec::new(), notice).await?)
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /roster/{id}/reveal`: the page again, with the full ID number (audited).
async fn reveal(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let full = reveal_id(&state, &user, id).await?;
    html(&detail_page(&state, &user, id, Some(full), Vec::new(), None).await?)
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    csrf: Option<String>,
    status: Option<String>,
    effective_on: Option<String>,
    note: Option<String>,
}

/// `POST /roster/{id}/status`.
async fn status(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<StatusForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let body = StatusBody {
        status: form.status.clone(),
        effective_on: form.effective_on.clone(),
        note: form.note.clone(),
    };
    match change_status(&state, &user, id, &body).await {
        Ok(()) => Ok(see_other(&format!("/roster/{id}?done=status"))),
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &detail_page(&state, &user, id, None, errors, None).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct AccountForm {
    csrf: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// `POST /roster/{id}/account`.
async fn account(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<AccountForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let body = AccountBody {
        username: form.username.clone(),
        password: form.password.clone(),
    };
    match open_account(&state, &user, id, &body).await {
        Ok(_) => Ok(see_other(&format!("/roster/{id}?done=account"))),
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &detail_page(&state, &user, id, None, errors, None).await?,
        ),
        Err(e @ AppError::Conflict(_)) => {
            let errors = vec![FieldError {
                field: "username".into(),
                message: e.to_string(),
            }];
            html_status(
                StatusCode::CONFLICT,
                &detail_page(&state, &user, id, None, errors, None).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}
