//! What every page shares: the navigation context of the base layout, the HTML error
//! page, the login redirect, form CSRF checks and the session cookie.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use crate::auth::CurrentUser;
use crate::auth::token::TokenKeys;
use crate::error::{AppError, log_if_server_side};
use crate::state::AppState;

/// What the base layout shows about the logged-in user.
#[derive(Debug, Clone)]
pub struct Nav {
    pub display_name: String,
    pub role_label: &'static str,
    pub region_name: String,
    pub csrf: String,
    pub is_admin: bool,
    pub is_sysadmin: bool,
    pub is_doctor: bool,
    pub is_instructor: bool,
}

impl Nav {
    pub fn of(user: &CurrentUser) -> Option<Nav> {
        Some(Nav {
            display_name: user.user.display_name.clone(),
            role_label: user.role().label(),
            region_name: user.region.name.clone(),
            csrf: user.csrf.clone(),
            is_admin: user.role().is_admin(),
            is_sysadmin: user.role() == crate::auth::Role::Sysadmin,
            is_doctor: user.role() == crate::auth::Role::Doctor,
            is_instructor: user.role() == crate::auth::Role::Instructor,
        })
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    status: u16,
    title: &'a str,
    detail: String,
}

/// An error on a page route: the login redirect, or an [`AppError`] rendered as HTML.
#[derive(Debug)]
pub enum PageError {
    /// No valid session: 303 to `/login?next=…`.
    Login {
        next: String,
    },
    App(AppError),
}

impl PageError {
    pub fn login_required(req: &HttpRequest) -> PageError {
        let next = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        PageError::Login { next }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::Login { .. } => f.write_str("login required"),
            PageError::App(e) => e.fmt(f),
        }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::App(e)
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::App(AppError::internal(e))
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::Login { .. } => StatusCode::SEE_OTHER,
            PageError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::Login { next } => {
                let location = format!("/login?next={}", encode_query_value(next));
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish()
            }
            PageError::App(e) => {
                log_if_server_side(e);
                error_page(e.status_code(), e.title(), error_detail(e), None)
            }
        }
    }
}

fn error_detail(e: &AppError) -> String {
    match e {
        AppError::Validation(errors) => errors
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// Render the Chinese error page.
pub fn error_page(
    status: StatusCode,
    title: &str,
    detail: String,
    nav: Option<Nav>,
) -> HttpResponse {
    let page = ErrorPage {
        nav,
        status: status.as_u16(),
        title,
        detail,
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .body(html),
        Err(_) => HttpResponse::build(status)
            .content_type(ContentType::plaintext())
            .body(format!("{status} {title}")),
    }
}

pub type PageResult = Result<HttpResponse, PageError>;

/// What a doctor's own page says when the account has no roster record yet.
#[derive(Template)]
#[template(path = "unlinked.html")]
struct UnlinkedPage {
    nav: Option<Nav>,
    title: &'static str,
    what: &'static str,
}

/// [`UnlinkedPage`] for the page `title`, which shows `what`.
pub fn unlinked(nav: Option<Nav>, title: &'static str, what: &'static str) -> PageResult {
    html(&UnlinkedPage { nav, title, what })
}

/// Render a template as a 200 page.
pub fn html(page: &impl Template) -> PageResult {
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.render()?))
}

/// Render a template with another status (a form shown again with its errors).
pub fn html_status(status: StatusCode, page: &impl Template) -> PageResult {
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.render()?))
}

/// 303 See Other, the answer to a successful form post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// 403 unless the form's `csrf` field is the session's token.
pub fn check_csrf(user: &CurrentUser, presented: &str) -> Result<(), PageError> {
    if TokenKeys::csrf_matches(&user.csrf, presented) {
        Ok(())
    } else {
        Err(PageError::App(AppError::Forbidden(
            "页面已过期或来源不明，请刷新页面后重试".into(),
        )))
    }
}

/// The session cookie carrying a token (or, with an empty value, removing it).
pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    let mut cookie = Cookie::build(crate::auth::SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.cookie_secure)
        .finish();
    if token.is_empty() {
        cookie.make_removal();
    } else {
        cookie.set_max_age(CookieDuration::minutes(state.tokens.ttl().num_minutes()));
    }
    cookie
}

/// Only local absolute paths may be a post-login destination (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    // A path on this site only: browsers drop tabs and newlines inside URLs, so
    // `/\t/evil.example` would become `//evil.example` (another site); CR/LF would break
    // the Location header. Only visible ASCII without a backslash passes, and never `//`.
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/home".to_owned(),
    }
}

/// Percent-encode a query value.
pub fn encode_query_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Field errors of a form shown again, looked up by field in templates.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<crate::error::FieldError>);

impl FormErrors {
    /// The message for one field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[crate::error::FieldError] {
        &self.0
    }
}

impl From<Vec<crate::error::FieldError>> for FormErrors {
    fn from(v: Vec<crate::error::FieldError>) -> Self {
        FormErrors(v)
    }
}

/// Page numbers for a pager: `(page, pages, prev, next)`.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The query string without `page`, to which `&page=N` is appended.
    pub base: String,
}

impl Pager {
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }
    pub fn prev(&self) -> i64 {
        self.page - 1
    }
    pub fn next(&self) -> i64 {
        self.page + 1
    }
}

/// `application/x-www-form-urlencoded` pairs (repeated keys kept).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url_pairs(std::str::from_utf8(body).unwrap_or(""))
}

fn url_pairs(s: &str) -> Vec<(String, String)> {
    let decode = |v: &str| -> String {
        let v = v.replace('+', " ");
        let bytes = v.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && let Some(b) = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/exams/3?tab=a")), "/exams/3?tab=a");
        for evil in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/a\r\nSet-Cookie: x=1",
            "/\\evil.example",
            "https://evil.example",
            "/ /evil",
            "/报名",
        ] {
            assert_eq!(safe_next(Some(evil)), "/home", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/home");
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/users?page=2")), "/users?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/home");
        assert_eq!(safe_next(Some("https://evil.example")), "/home");
        assert_eq!(safe_next(Some("/\\evil.example")), "/home");
        assert_eq!(safe_next(None), "/home");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query_value("/users?q=张&x=1"),
            "/users%3Fq%3D%E5%BC%A0%26x%3D1"
        );
    }

    #[test]
    fn repeated_form_keys_are_kept_and_decoded() {
        let pairs = form_pairs(b"csrf=ab%2Bc&doctor_id=1&doctor_id=2&q=%E7%8E%8B+%E5%8D%8E");
        assert_eq!(pairs[0], ("csrf".into(), "ab+c".into()));
        assert_eq!(pairs.iter().filter(|(k, _)| k == "doctor_id").count(), 2);
        assert_eq!(pairs[3].1, "王 华");
    }
}
