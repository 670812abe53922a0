//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::rules::NewPassword;
use super::{CurrentUser, login};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, client_addr};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/login", web::post().to(login))
        .route("/auth/logout", web::post().to(logout))
        .route("/me", web::get().to(me))
        .route("/me/password", web::post().to(change_password));
}

#[derive(Debug, Deserialize)]
struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

/// `POST /api/v1/auth/login` → `{token, expires_at, user}`; 401 wrong; 429 throttled.
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
    let logged_in = login::attempt(&state, &username, password, client).await?;
    Ok(HttpResponse::Ok().json(logged_in.answer()))
}

/// `POST /api/v1/auth/logout` → 204; every token of the account stops working.
async fn logout(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    login::logout(&state, &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me` → the caller.
async fn me(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(user.user.view(Some(&user.region)))
}

#[derive(Debug, Deserialize)]
struct ChangePasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `POST /api/v1/me/password` `{current_password,new_password}` → a new
/// `{token,expires_at,user}`; every earlier token of the account stops working.
async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ChangePasswordBody>,
) -> AppResult<HttpResponse> {
    let current = body.current_password.unwrap_or_default();
    let mut p = Problems::new();
    if current.is_empty() {
        p.add("current_password", "请输入当前密码");
    }
    let new = p.take(
        "new_password",
        NewPassword::parse(
            &body.new_password.unwrap_or_default(),
            Some(&user.user.username),
        ),
    );
    p.finish()?;
    let new = new.ok_or_else(|| AppError::internal("checked password lost"))?;
    let logged_in = login::change_password(&state, &user, current, new).await?;
    Ok(HttpResponse::Ok().json(logged_in.answer()))
}
