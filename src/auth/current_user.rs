//! The `CurrentUser` extractor: "requires login" as a handler argument.
//!
//! The API takes `Authorization: Bearer <token>`; pages send the same token in the
//! HttpOnly, SameSite=Strict cookie `cunyi_session`. Every request checks the account's
//! token version and `disabled`, as kept by [`super::versions::Versions`] (forgotten on
//! every change), so logout, a password change or disabling bite at once.
//! A cookie-authenticated API call that changes something must also carry the session's
//! CSRF token in `X-CSRF-Token`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::Utc;

use super::token::{Rejection, TokenKeys};
use crate::access::Caller;
use crate::audit::{Actor, Entry};
use crate::error::AppError;
use crate::extract::client_addr;
use crate::page::PageError;
use crate::state::AppState;
use crate::users::User;

pub const SESSION_COOKIE: &str = "cunyi_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The logged-in account of this request: the [`Caller`] that access decisions take
/// (it derefs to it), the account row, and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub caller: Caller,
    pub user: User,
    /// The CSRF token of this session (for forms and cookie-authenticated API calls).
    pub csrf: String,
}

impl std::ops::Deref for CurrentUser {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Bearer,
    Cookie,
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal("AppState missing"))
}

fn token_of(req: &HttpRequest, accept_bearer: bool) -> Result<Option<(String, Source)>, AppError> {
    if accept_bearer && let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION)
    {
        let value = value.to_str().map_err(|_| AppError::unauthorized())?;
        return match value.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                Ok(Some((token.trim().to_owned(), Source::Bearer)))
            }
            _ => Err(AppError::unauthorized()),
        };
    }
    Ok(req
        .cookie(SESSION_COOKIE)
        .map(|c| (c.value().to_owned(), Source::Cookie))
        .filter(|(t, _)| !t.is_empty()))
}

async fn authenticate(req: HttpRequest, accept_bearer: bool) -> Result<CurrentUser, AppError> {
    let state = state_of(&req)?;
    let client = client_addr(&req, &state.config);
    let Some((token, source)) = token_of(&req, accept_bearer)? else {
        return Err(AppError::unauthorized());
    };
    let reject = |reason: Rejection, user_id: Option<i64>| {
        let state = state.clone();
        let client = client.clone();
        async move {
            let mut entry = Entry::new("auth.token_rejected")
                .detail(serde_json::json!({ "reason": reason.as_str() }));
            entry.target = user_id.map(|id| format!("user:{id}"));
            state.audit(Actor::anonymous(client), entry).await;
            AppError::unauthorized()
        }
    };
    let (user_id, claims) = match state.tokens.verify(&token, Utc::now()) {
        Ok(ok) => ok,
        Err(reason) => return Err(reject(reason, None).await),
    };
    let found = match state.versions.get(user_id) {
        Some(kept) => Some(kept),
        None => {
            let epoch = state.versions.epoch();
            state
                .db(move |conn| super::store::session_user(conn, user_id))
                .await?
                .map(|found| state.versions.keep(epoch, found))
        }
    };
    let found = match found {
        None => return Err(reject(Rejection::UnknownUser, Some(user_id)).await),
        Some(f) if f.user.disabled => {
            return Err(reject(Rejection::Disabled, Some(user_id)).await);
        }
        Some(f) if f.user.token_version != claims.ver => {
            return Err(reject(Rejection::Revoked, Some(user_id)).await);
        }
        Some(found) => found,
    };
    let csrf = state.tokens.csrf_for_session(&claims.jti);
    if source == Source::Cookie && accept_bearer && !is_safe(req.method()) {
        let presented = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !TokenKeys::csrf_matches(&csrf, presented) {
            return Err(AppError::Forbidden(
                "缺少或错误的 CSRF 令牌（X-CSRF-Token）".into(),
            ));
        }
    }
    let caller = Caller {
        user_id: found.user.id,
        username: found.user.username.clone(),
        role: found.user.role(),
        region: found.region.clone(),
        doctor_id: found.doctor_id,
        instructor_id: found.instructor_id,
        client,
    };
    Ok(CurrentUser {
        caller,
        user: found.user.clone(),
        csrf,
    })
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The caller alone, for handlers that need nothing else of the session.
impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req, true).await.map(|u| u.caller) })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone(), true))
    }
}

/// The logged-in account of a page request: cookie only; without a valid session the
/// browser is sent to the login page and back here afterwards.
#[derive(Debug, Clone)]
pub struct PageUser(pub CurrentUser);

impl std::ops::Deref for PageUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl FromRequest for PageUser {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match authenticate(req.clone(), false).await {
                Ok(user) => Ok(PageUser(user)),
                Err(AppError::Unauthorized(_)) => Err(PageError::login_required(&req)),
                Err(e) => Err(PageError::from(e)),
            }
        })
    }
}

/// The user if a valid session cookie is present, without redirecting or auditing
/// absence (for the login page and `/`).
pub async fn optional_page_user(req: &HttpRequest) -> Option<CurrentUser> {
    req.cookie(SESSION_COOKIE)?;
    authenticate(req.clone(), false).await.ok()
}
