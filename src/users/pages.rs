//! Account management pages for county, city and system administrators.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::{CreateUserBody, ListQuery, UserView, ops};
use crate::auth::{PageUser, Role};
use crate::error::{AppError, FieldError};
use crate::page::{
    Nav, PageResult, Pager, check_csrf, encode_query_value, html, html_status, see_other,
};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(list))
        .route("/users/new", web::get().to(new_form))
        .route("/users/new", web::post().to(create))
        .route("/users/{id}", web::get().to(detail))
        .route("/users/{id}/disable", web::post().to(disable))
        .route("/users/{id}/enable", web::post().to(enable))
        .route("/users/{id}/password", web::post().to(reset_password))
        .route("/users/{id}/email", web::post().to(set_email));
}

/// A row of the list, formatted for the page.
pub struct Row {
    pub user: UserView,
    pub role_label: &'static str,
    pub last_login: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPageTpl {
    nav: Option<Nav>,
    rows: Vec<Row>,
    pager: Pager,
    q: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
}

/// `GET /users`.
async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<ListQuery>,
) -> PageResult {
    let query = query.into_inner();
    user.require(Role::ADMINS)?;
    let page = ops::list(&state, &user, &query).await?;
    let total = page.total;
    let rows = page
        .items
        .iter()
        .map(|(u, r)| Row {
            user: u.view(Some(r)),
            role_label: u.role.label(),
            last_login: u
                .last_login_at
                .map(time::display_cst)
                .unwrap_or_else(|| "从未登录".into()),
        })
        .collect();
    let q = query.q.unwrap_or_default();
    let role = query.role.unwrap_or_default();
    let base = format!(
        "q={}&role={}",
        encode_query_value(&q),
        encode_query_value(&role)
    );
    let page = ListPageTpl {
        nav: Nav::of(&user),
        rows,
        pager: Pager {
            page: page.page,
            pages: ((total + page.per_page - 1) / page.per_page).max(1),
            total,
            base,
        },
        q,
        role,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
    };
    html(&page)
}

#[derive(Template)]
#[template(path = "users/new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    roles: Vec<(&'static str, &'static str)>,
    form: UserForm,
    errors: crate::page::FormErrors,
    general_error: Option<String>,
}

/// The form's values, echoed back when it is shown again (never the password).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct UserForm {
    pub csrf: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub region_code: Option<String>,
    pub email: Option<String>,
}

impl UserForm {
    pub fn value(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
}

fn creatable_roles(user: &PageUser) -> Vec<(&'static str, &'static str)> {
    ops::creatable_roles(user)
        .into_iter()
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

fn new_page(
    user: &PageUser,
    form: UserForm,
    errors: Vec<FieldError>,
    general_error: Option<String>,
) -> NewPage {
    NewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        roles: creatable_roles(user),
        form: UserForm {
            password: None,
            ..form
        },
        errors: errors.into(),
        general_error,
    }
}

/// `GET /users/new`.
async fn new_form(user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    let form = UserForm {
        region_code: Some(user.region.code.clone()),
        ..UserForm::default()
    };
    html(&new_page(&user, form, Vec::new(), None))
}

/// `POST /users/new` → the new account's page, or the form with its errors.
async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<UserForm>,
) -> PageResult {
    let form = form.into_inner();
    check_csrf(&user, UserForm::value(&form.csrf))?;
    let body = CreateUserBody {
        username: form.username.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        region_code: form.region_code.clone(),
        email: form.email.clone(),
    };
    match ops::create(&state, &user, &body).await {
        Ok((created, _)) => Ok(see_other(&format!("/users/{}", created.id))),
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&user, form, errors, None),
        ),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            html_status(
                status,
                &new_page(&user, form, Vec::new(), Some(e.to_string())),
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct DetailPage {
    nav: Option<Nav>,
    csrf: String,
    user: UserView,
    role_label: &'static str,
    region_code: String,
    created_at: String,
    last_login: String,
    can_manage: bool,
    can_edit_email: bool,
    notice: Option<&'static str>,
    errors: crate::page::FormErrors,
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    done: Option<String>,
}

async fn detail_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
) -> Result<DetailPage, AppError> {
    let (target, region) = ops::find_visible(state, user, id).await?;
    let can_manage = ops::may_manage(user, &target);
    Ok(DetailPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        role_label: target.role.label(),
        region_code: region.code.clone(),
        created_at: time::display_cst(target.created_at),
        last_login: target
            .last_login_at
            .map(time::display_cst)
            .unwrap_or_else(|| "从未登录".into()),
        user: target.view(Some(&region)),
        can_edit_email: can_manage || target.id == user.user_id,
        can_manage,
        notice,
        errors: errors.into(),
    })
}

/// `GET /users/{id}`.
async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> PageResult {
    let notice = match query.done.as_deref() {
        Some("disabled") => Some("账号已停用，其所有登录已失效。"),
        Some("enabled") => Some("账号已启用。"),
        Some("password") => Some("密码已重置，其所有登录已失效。"),
        Some("email") => Some("电子邮箱已保存。"),
        _ => None,
    };
    html(&detail_page(&state, &user, path.into_inner(), notice, Vec::new()).await?)
}

#[derive(Debug, Deserialize)]
struct ActionForm {
    csrf: Option<String>,
    password: Option<String>,
}

async fn set_disabled(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: &ActionForm,
    disabled: bool,
) -> PageResult {
    check_csrf(user, form.csrf.as_deref().unwrap_or_default())?;
    let (target, _) = ops::set_disabled(state, user, id, disabled).await?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(see_other(&format!("/users/{}?done={done}", target.id)))
}

/// `POST /users/{id}/disable`.
async fn disable(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> PageResult {
    set_disabled(&state, &user, path.into_inner(), &form, true).await
}

/// `POST /users/{id}/enable`.
async fn enable(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> PageResult {
    set_disabled(&state, &user, path.into_inner(), &form, false).await
}

/// `POST /users/{id}/password`.
async fn reset_password(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let raw = form.password.as_deref().unwrap_or_default();
    match ops::reset_password(&state, &user, id, raw).await {
        Ok(()) => Ok(see_other(&format!("/users/{id}?done=password"))),
        Err(AppError::Validation(errors)) => {
            let page = detail_page(&state, &user, id, None, errors).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct EmailForm {
    csrf: Option<String>,
    email: Option<String>,
}

/// `POST /users/{id}/email`: the user itself or an admin over it.
async fn set_email(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<EmailForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id = path.into_inner();
    let body = super::EmailBody {
        email: form.email.clone(),
    };
    match ops::set_email(&state, &user, id, &body).await {
        Ok(_) => Ok(see_other(&format!("/users/{id}?done=email"))),
        Err(AppError::Validation(errors)) => {
            let page = detail_page(&state, &user, id, None, errors).await?;
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}
