//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::rules::PasswordChange;
use super::{CurrentUser, ops};
use crate::access::Caller;
use crate::error::{AppResult, Problems};
use crate::extract::{Body, client_addr};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/login", web::post().to(login))
        .route("/auth/logout", web::post().to(logout))
        .route("/me", web::get().to(me))
        .route("/me/password", web::post().to(change_password));
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

/// `POST /api/v1/auth/login` → `{token, expires_at, user}`; 401 wrong; 429 throttled.
#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "auth_login",
    tag = "auth",
    request_body = LoginBody,
    responses((status = 200, description = "成功", body = crate::auth::views::LoginAnswer), crate::openapi::PublicProblems),
)]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    Body(body): Body<LoginBody>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    if username.trim().is_empty() {
        p.add("username", "请输入用户名");
    }
    if password.is_empty() {
        p.add("password", "请输入密码");
    }
    p.finish()?;
    let client = client_addr(&req, &state.config);
    let logged_in = ops::attempt(&state, &username, password, client).await?;
    Ok(HttpResponse::Ok().json(logged_in.answer()))
}

/// `POST /api/v1/auth/logout` → 204; every token of the account stops working.
#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "auth_logout",
    tag = "auth",
    responses((status = 204, description = "成功，无内容"), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn logout(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    ops::logout(&state, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me` → the caller.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "auth_me",
    tag = "auth",
    responses((status = 200, description = "成功", body = crate::users::UserView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn me(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(user.user.view(Some(&user.region)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ChangePasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `POST /api/v1/me/password` `{current_password,new_password}` → a new
/// `{token,expires_at,user}`; every earlier token of the account stops working.
#[utoipa::path(
    post,
    path = "/me/password",
    operation_id = "auth_change_password",
    tag = "auth",
    request_body = ChangePasswordBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ChangePasswordBody>,
) -> AppResult<HttpResponse> {
    let change = PasswordChange::check(
        body.current_password,
        body.new_password,
        None,
        &user.user.username,
    )?;
    let logged_in = ops::change_password(&state, &user, change).await?;
    Ok(HttpResponse::Ok().json(logged_in.answer()))
}
