//! `/roster/{id}`: a doctor's page — the masked ID with an audited reveal, the status
//! form, the account form.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use crate::auth::{PageUser, Role};
use crate::error::{AppError, FieldError};
use crate::page::{FormErrors, Nav, PageResult, check_csrf, html, html_status, see_other};
use crate::roster::{AccountBody, DoctorStatus, DoctorView, StatusBody, ops};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "roster/detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    d: DoctorView,
    gender: &'static str,
    education: &'static str,
    qualification: &'static str,
    status: &'static str,
    active: bool,
    revealed: Option<String>,
    can_reveal: bool,
    can_manage: bool,
    /// (code, label, selected)
    statuses: Vec<(&'static str, &'static str, bool)>,
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
    let d = ops::get(state, user, id).await?.view();
    Ok(DetailPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        gender: d.gender.label(),
        education: d.education.label(),
        qualification: d.qualification.label(),
        status: d.status.label(),
        active: d.status.is_active(),
        statuses: DoctorStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), *s == d.status))
            .collect(),
        d,
        revealed,
        can_reveal: Role::REVEALERS.contains(&user.role()),
        can_manage: user.role().is_admin(),
        errors: errors.into(),
        notice,
    })
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /roster/{id}`.
pub async fn detail(
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
pub struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /roster/{id}/reveal`: the page again, with the full ID number (audited).
pub async fn reveal(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let full = ops::reveal_id(&state, &user, id).await?;
    html(&detail_page(&state, &user, id, Some(full), Vec::new(), None).await?)
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: Option<String>,
    #[serde(flatten)]
    body: StatusBody,
}

/// `POST /roster/{id}/status`.
pub async fn status(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<StatusForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    match ops::change_status(&state, &user, id, &form.body).await {
        Ok(_) => Ok(see_other(&format!("/roster/{id}?done=status"))),
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &detail_page(&state, &user, id, None, errors, None).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct AccountForm {
    csrf: Option<String>,
    #[serde(flatten)]
    body: AccountBody,
}

/// `POST /roster/{id}/account`.
pub async fn account(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<AccountForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    match ops::open_account(&state, &user, id, &form.body).await {
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
