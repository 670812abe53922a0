//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::rules::NewPassword;
use super::{CurrentUser, login, password, store};
use crate::audit::{Entry, record};
use crate::db;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, client_addr};
use crate::state::AppState;
use crate::time;

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
    let client = client_addr(&req, state.config.trust_forwarded);
    let logged_in = login::attempt(&state, &username, password, client).await?;
    Ok(HttpResponse::Ok().json(logged_in.answer()))
}

/// `POST /api/v1/auth/logout` → 204; every token of the account stops working.
async fn logout(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let actor = user.actor();
    let id = user.id();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let now = time::now();
                store::bump_token_version(conn, id, now)?;
                record(
                    conn,
                    &actor,
                    &Entry::new("auth.logout").target(format!("user:{id}")),
                    now,
                )
            })
        })
        .await?;
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
    let id = user.id();
    let stored = state.db(move |conn| store::password_hash(conn, id)).await?;
    if !password::verify(stored, current).await? {
        return Err(AppError::field("current_password", "当前密码不正确"));
    }
    let hash = password::hash(new.expose().to_owned()).await?;
    let actor = user.actor();
    let updated = state
        .db(move |conn| {
            crate::users::store::set_password(
                conn,
                id,
                &hash,
                &actor,
                "auth.password_changed",
                time::now(),
            )
        })
        .await?;
    let issued = state
        .tokens
        .issue(updated.id, updated.token_version, Utc::now())
        .map_err(AppError::internal)?;
    let answer = login::LoggedIn {
        issued,
        user: updated,
        region: user.region.clone(),
    };
    Ok(HttpResponse::Ok().json(answer.answer()))
}
