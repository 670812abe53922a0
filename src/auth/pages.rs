//! Login, logout, the landing page of each role, and the account page.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rand::RngCore;
use serde::Deserialize;

use super::rules::PasswordChange;
use super::token::TokenKeys;
use super::views::{Area, areas_for};
use super::{PageUser, ops, optional_page_user};
use crate::error::AppError;
use crate::extract::client_addr;
use crate::page::{
    Nav, PageError, PageResult, check_csrf, html, html_status, safe_next, see_other, session_cookie,
};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login_submit))
        .route("/logout", web::post().to(logout))
        .route("/home", web::get().to(home))
        .route("/account", web::get().to(account))
        .route("/account/password", web::post().to(change_password));
}

/// The nonce cookie the login form's CSRF token is bound to.
const LOGIN_NONCE: &str = "cunyi_login";

/// `/` → the landing page, or the login page.
async fn index(req: HttpRequest) -> HttpResponse {
    match optional_page_user(&req).await {
        Some(_) => see_other("/home"),
        None => see_other("/login"),
    }
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<String>,
) -> PageResult {
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let nonce = hex::encode(nonce);
    let page = LoginPage {
        nav: None,
        csrf: state.tokens.csrf_for_login(&nonce),
        next: next.to_owned(),
        username: username.to_owned(),
        error,
    };
    let mut response = html_status(status, &page)?;
    let cookie = Cookie::build(LOGIN_NONCE, nonce)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.cookie_secure)
        .finish();
    response.add_cookie(&cookie).map_err(AppError::internal)?;
    Ok(response)
}

/// `GET /login`.
async fn login_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> PageResult {
    let next = safe_next(query.next.as_deref());
    if optional_page_user(&req).await.is_some() {
        return Ok(see_other(&next));
    }
    login_page(&state, StatusCode::OK, &next, "", None)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

/// `POST /login`: on success the session cookie and a redirect to `next`; otherwise the
/// form again, with the reason.
async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> PageResult {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    let username = form.username.unwrap_or_default();
    let nonce = req
        .cookie(LOGIN_NONCE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let csrf_ok = !nonce.is_empty()
        && TokenKeys::csrf_matches(
            &state.tokens.csrf_for_login(&nonce),
            form.csrf.as_deref().unwrap_or_default(),
        );
    if !csrf_ok {
        let message = "页面已过期，请重新输入后登录".to_owned();
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            &next,
            &username,
            Some(message),
        );
    }
    let password = form.password.unwrap_or_default();
    if username.trim().is_empty() || password.is_empty() {
        let message = "请输入用户名和密码".to_owned();
        return login_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &next,
            &username,
            Some(message),
        );
    }
    let client = client_addr(&req, &state.config);
    match ops::attempt(&state, &username, password, client).await {
        Ok(logged_in) => {
            let mut response = see_other(&next);
            response
                .add_cookie(&session_cookie(&state, &logged_in.issued.token))
                .map_err(AppError::internal)?;
            response
                .add_removal_cookie(&Cookie::build(LOGIN_NONCE, "").path("/login").finish())
                .map_err(AppError::internal)?;
            Ok(response)
        }
        Err(e @ (AppError::Unauthorized(_) | AppError::TooManyRequests { .. })) => {
            let status = actix_web::ResponseError::status_code(&e);
            login_page(&state, status, &next, &username, Some(e.to_string()))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /logout`: revoke every token of the account and clear the cookie.
async fn logout(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    ops::logout(&state, &user).await?;
    let mut response = see_other("/login");
    response
        .add_cookie(&session_cookie(&state, ""))
        .map_err(AppError::internal)?;
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/home.html")]
struct HomePage {
    nav: Option<Nav>,
    display_name: String,
    role_label: &'static str,
    lineage: Vec<String>,
    last_login: Option<String>,
    areas: Vec<Area>,
}

/// `GET /home`: who you are, where, and where you can go.
async fn home(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let page = HomePage {
        nav: Nav::of(&user),
        display_name: user.user.display_name.clone(),
        role_label: user.role().label(),
        lineage: ops::lineage(&state, &user).await?,
        last_login: user.user.previous_login_at.map(time::display_cst),
        areas: areas_for(user.role(), &user.region.code),
    };
    html(&page)
}

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    nav: Option<Nav>,
    username: String,
    display_name: String,
    role_label: &'static str,
    region: String,
    csrf: String,
    errors: crate::page::FormErrors,
    changed: bool,
}

fn account_page(
    user: &PageUser,
    errors: Vec<crate::error::FieldError>,
    changed: bool,
) -> AccountPage {
    let errors = errors.into();
    AccountPage {
        nav: Nav::of(user),
        username: user.user.username.clone(),
        display_name: user.user.display_name.clone(),
        role_label: user.role().label(),
        region: format!("{}（{}）", user.region.name, user.region.code),
        csrf: user.csrf.clone(),
        errors,
        changed,
    }
}

#[derive(Debug, Deserialize)]
struct ChangedQuery {
    changed: Option<String>,
}

/// `GET /account`.
async fn account(user: PageUser, query: web::Query<ChangedQuery>) -> PageResult {
    html(&account_page(&user, Vec::new(), query.changed.is_some()))
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    csrf: Option<String>,
    current_password: Option<String>,
    new_password: Option<String>,
    confirm_password: Option<String>,
}

/// `POST /account/password`: a new password, a fresh session (the old ones end).
async fn change_password(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<PasswordForm>,
) -> PageResult {
    let form = form.into_inner();
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let change = PasswordChange::check(
        form.current_password,
        form.new_password,
        Some(form.confirm_password.as_deref().unwrap_or_default()),
        &user.user.username,
    );
    let logged_in = match change {
        Ok(change) => ops::change_password(&state, &user, change).await,
        Err(e) => Err(e),
    };
    let logged_in = match logged_in {
        Ok(logged_in) => logged_in,
        Err(AppError::Validation(errors)) => {
            return html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &account_page(&user, errors, false),
            );
        }
        Err(e) => return Err(e.into()),
    };
    let mut response = see_other("/account?changed=1");
    response
        .add_cookie(&session_cookie(&state, &logged_in.issued.token))
        .map_err(AppError::internal)?;
    Ok(response)
}
