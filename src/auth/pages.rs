//! Login, logout, the landing page of each role, and the account page.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rand::RngCore;
use serde::Deserialize;

use super::rules::NewPassword;
use super::token::TokenKeys;
use super::{PageUser, Role, login, optional_page_user};
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
    match login::attempt(&state, &username, password, client).await {
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
    login::logout(&state, &user).await?;
    let mut response = see_other("/login");
    response
        .add_cookie(&session_cookie(&state, ""))
        .map_err(AppError::internal)?;
    Ok(response)
}

/// A place on the landing page.
#[derive(Debug, Clone)]
pub struct Area {
    pub title: &'static str,
    pub href: String,
    pub description: &'static str,
}

/// The areas a role can reach. Only built pages are listed: no dead ends.
pub fn areas_for(role: Role, region_code: &str) -> Vec<Area> {
    let area = |title: &'static str, href: String, description: &'static str| Area {
        title,
        href,
        description,
    };
    let mut areas = Vec::new();
    match role {
        Role::Doctor => {
            areas.push(area(
                "我的学习",
                "/study".into(),
                "学时进度、登记自学、上传证明、跟班日志",
            ));
            areas.push(area(
                "集中培训",
                "/sessions".into(),
                "近期培训安排与扫码签到",
            ));
            areas.push(area(
                "我的考试",
                "/exams".into(),
                "单元测试、年度考核、结业考核：在线答题与成绩",
            ));
        }
        Role::Instructor => {
            areas.push(area(
                "集中培训",
                "/sessions".into(),
                "我授课的培训：签到码、出勤登记、签到表",
            ));
            areas.push(area(
                "学时审核",
                "/study/review".into(),
                "审核我带教学员提交的学习记录",
            ));
        }
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {
            areas.push(area(
                "学员花名册",
                "/roster".into(),
                "查询学员，导入或导出 Excel 花名册，登记离岗",
            ));
            areas.push(area(
                "学习进度",
                "/progress".into(),
                "各乡镇、各学员的学时进度，进度落后筛选与导出",
            ));
            areas.push(area(
                "集中培训",
                "/sessions".into(),
                "安排培训、签到、出勤与签到表",
            ));
            if role != Role::Sysadmin {
                areas.push(area(
                    "学时审核",
                    "/study/review".into(),
                    "审核学员自学登记与证明",
                ));
            }
            areas.push(area(
                "考试管理",
                "/exams".into(),
                "按组卷规则随机出卷，成绩与试题分析",
            ));
            areas.push(area(
                "题库",
                "/bank".into(),
                "各领域题目统计，导入 GIFT / Aiken / Moodle XML / Excel，导出",
            ));
            areas.push(area(
                "导入平台学时",
                "/study/import".into(),
                "导入中国继续医学教育网等平台的学习记录",
            ));
            areas.push(area(
                "用户管理",
                "/users".into(),
                "查看、新建、停用本辖区的账号，重置密码",
            ));
            areas.push(area(
                "行政区划",
                format!("/regions?parent={region_code}"),
                "浏览辖区内的乡镇（街道）和村（居）",
            ));
            areas.push(area(
                "导入乡镇和村",
                "/regions/import".into(),
                "从 CSV 文件批量导入或更新辖区内的乡镇、村",
            ));
        }
    }
    if role == Role::Sysadmin {
        areas.push(area(
            "审计日志",
            "/audit".into(),
            "登录、拒绝访问与账号变更记录，及防篡改校验",
        ));
    }
    let program = if role.is_admin() {
        "学时要求、报送期限与名额分配表"
    } else {
        "学时要求与各项期限"
    };
    areas.push(area("培训项目", "/programs".into(), program));
    areas.push(area(
        "我的账户",
        "/account".into(),
        "查看账户信息，修改密码",
    ));
    areas
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
    let region = user.region.clone();
    let lineage = state
        .db(move |conn| crate::regions::store::lineage(conn, &region))
        .await?;
    let page = HomePage {
        nav: Nav::of(&user),
        display_name: user.user.display_name.clone(),
        role_label: user.role().label(),
        lineage: lineage.into_iter().map(|r| r.name).collect(),
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
    let mut p = crate::error::Problems::new();
    let current = form.current_password.unwrap_or_default();
    if current.is_empty() {
        p.add("current_password", "请输入当前密码");
    }
    let new_raw = form.new_password.unwrap_or_default();
    let new = p.take(
        "new_password",
        NewPassword::parse(&new_raw, Some(&user.user.username)),
    );
    if new.is_some() && form.confirm_password.as_deref() != Some(new_raw.as_str()) {
        p.add("confirm_password", "两次输入的新密码不一致");
    }
    if let Err(AppError::Validation(errors)) = p.finish() {
        return html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &account_page(&user, errors, false),
        );
    }
    let Some(new) = new else {
        return Err(AppError::internal("checked password lost").into());
    };
    let logged_in = match login::change_password(&state, &user, current, new).await {
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
