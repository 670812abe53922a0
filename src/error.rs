//! One error type for the whole request path. API handlers return `AppResult`; the
//! response is `application/problem+json` (RFC 9457) with per-field `errors` on 422.
//! Pages wrap it in [`crate::page::PageError`], which renders the same error as HTML.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

pub type AppResult<T> = Result<T, AppError>;

/// One bad field of a request, with a message a county clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 422: the request is understood but some fields are wrong; nothing was written.
    #[error("提交的数据有误")]
    Validation(Vec<FieldError>),
    /// 401: no valid login (the message says which: no session, or a failed login).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: logged in, but this role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: absent, or outside the caller's region (existence is not revealed).
    #[error("未找到该资源")]
    NotFound,
    /// 404: no endpoint at this path with this method (`urn:cunyi:problem:no-route`), so a
    /// client can tell a mistyped URL from a resource it may not see.
    #[error("没有这个接口，请查看 /api/v1/openapi.json")]
    NoRoute,
    /// 404 to the client, exactly like [`AppError::NotFound`]: the resource exists outside
    /// the caller's reach. `AppState::db` writes the `access.denied` audit entry.
    #[error("未找到该资源")]
    Denied(Box<Denial>),
    /// 409: conflicts with the current state (duplicate, too late, already done).
    #[error("{0}")]
    Conflict(String),
    /// 413
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 429 with `Retry-After`.
    #[error("尝试次数过多，请 {retry_after_secs} 秒后再试")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503 with `Retry-After`: a bounded resource (password hashing) is saturated.
    #[error("服务繁忙，请 {retry_after_secs} 秒后再试")]
    Busy { retry_after_secs: u64 },
    /// 503: the database is unreachable or the pool is exhausted.
    #[error("服务暂时不可用，请稍后再试")]
    Unavailable(String),
    /// 500: a bug or an unexpected database error; the detail is logged, not shown.
    #[error("服务器内部错误")]
    Internal(String),
}

impl AppError {
    /// A 422 naming one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// 401 for a missing, expired or revoked session.
    pub fn unauthorized() -> AppError {
        AppError::Unauthorized("未登录或登录已失效，请重新登录")
    }

    pub fn forbidden() -> AppError {
        AppError::Forbidden("您的角色无权执行此操作".into())
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    /// Stable machine-readable kind, used as the problem `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound | AppError::Denied(_) => "not-found",
            AppError::NoRoute => "no-route",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::UnsupportedMediaType(_) => "unsupported-media-type",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::Busy { .. } | AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// Short Chinese title of the status.
    pub fn title(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "数据校验失败",
            AppError::Unauthorized(_) => "需要登录",
            AppError::Forbidden(_) => "无权操作",
            AppError::NotFound | AppError::Denied(_) | AppError::NoRoute => "未找到",
            AppError::Conflict(_) => "操作冲突",
            AppError::PayloadTooLarge(_) => "内容过大",
            AppError::UnsupportedMediaType(_) => "不支持的内容类型",
            AppError::TooManyRequests { .. } => "请求过于频繁",
            AppError::Busy { .. } | AppError::Unavailable(_) => "服务暂不可用",
            AppError::Internal(_) => "服务器错误",
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Validation(errors) => errors,
            _ => &[],
        }
    }
}

/// Who was refused what (a [`AppError::Denied`]), for the audit log.
#[derive(Debug, Clone)]
pub struct Denial {
    pub actor: crate::audit::Actor,
    /// What was attempted, e.g. `doctor.read`.
    pub attempt: &'static str,
    /// What it was attempted on, e.g. `doctor:12`.
    pub target: String,
}

/// Collects field errors, then fails once with all of them.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn new() -> Self {
        Problems(Vec::new())
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Keep the value of a parse, or record its error under `field`.
    pub fn take<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` if nothing was recorded, else a 422 with every error.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }

    /// Keep the value of a parse, or record its error under `field`; the error side is a
    /// [`Recorded`] that only exists once a problem is recorded, for [`Problems::build`].
    pub fn field<T>(&mut self, field: &str, parsed: Result<T, String>) -> Result<T, Recorded> {
        parsed.map_err(|message| {
            self.add(field, message);
            Recorded(())
        })
    }

    /// Build the checked value from the fields kept by [`Problems::field`], or fail with a
    /// 422 naming every recorded problem. `build` can only fail with a [`Recorded`], so a
    /// failure always carries the problems that caused it.
    pub fn build<T>(self, build: impl FnOnce() -> Result<T, Recorded>) -> AppResult<T> {
        match build() {
            Ok(value) if self.0.is_empty() => Ok(value),
            _ => Err(AppError::Validation(self.0)),
        }
    }
}

/// Proof that [`Problems::field`] recorded a problem (the field's value is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded(());

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::Denied(_) | AppError::NoRoute => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        log_if_server_side(self);
        let status = self.status_code();
        let body = ProblemBody {
            kind: format!("urn:cunyi:problem:{}", self.kind()),
            title: self.title(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors: self.field_errors(),
        };
        let mut response = HttpResponse::build(status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let AppError::TooManyRequests { retry_after_secs }
        | AppError::Busy { retry_after_secs } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if let AppError::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(body)
    }
}

/// Server-side failures are logged with their detail (which the client never sees).
pub fn log_if_server_side(e: &AppError) {
    match e {
        AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
        AppError::Unavailable(detail) => tracing::warn!(%detail, "service unavailable"),
        _ => {}
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Conflict("记录已存在".into())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(info.message().to_owned())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn validation_errors_are_problem_json_naming_each_field() {
        let mut p = Problems::new();
        p.add("username", "用户名不能为空");
        p.add("role", "未知角色");
        let e = p.finish().unwrap_err();
        let response = e.error_response();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        let body: serde_json::Value =
            serde_json::from_slice(&to_bytes(response.into_body()).await.unwrap()).unwrap();
        assert_eq!(body["status"], 422);
        assert_eq!(body["errors"][0]["field"], "username");
        assert_eq!(body["errors"][1]["field"], "role");
    }

    #[test]
    fn a_checked_value_is_built_only_when_every_field_passed() {
        let mut p = Problems::new();
        let a = p.field("a", Ok::<_, String>(1));
        let b = p.field("b", Ok::<_, String>(2));
        assert_eq!(p.build(|| Ok(a? + b?)).unwrap(), 3);

        let mut p = Problems::new();
        let a = p.field("a", Err::<i32, _>("坏".to_owned()));
        let b = p.field("b", Ok::<_, String>(2));
        p.add("c", "也坏");
        let e = p.build(|| Ok(a? + b?)).unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["a", "c"]);
    }

    #[test]
    fn unique_violation_is_a_conflict_and_not_found_is_404() {
        assert_eq!(AppError::from(DieselError::NotFound).status_code(), 404);
        let e = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("dup".to_string()),
        );
        assert_eq!(AppError::from(e).status_code(), 409);
    }

    #[test]
    fn too_many_requests_says_when_to_retry() {
        let r = AppError::TooManyRequests {
            retry_after_secs: 90,
        }
        .error_response();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers().get("retry-after").unwrap(), "90");
    }
}
