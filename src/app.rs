//! The actix application, built in one place for `serve`, `demo` and the tests.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::middleware::{Compress, DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, web};

use crate::error::AppError;
use crate::extract::JSON_LIMIT;
use crate::page::{PageError, error_page};
use crate::state::AppState;
use crate::{
    audit, auth, bank, dossier, exams, instructors, orgs, program, regions, reports, roster,
    sessions, shadowing, skills, study, support, tutoring, users,
};

/// Every route of every area.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(crate::metrics::metrics))
        .route("/static/{file}", web::get().to(static_file))
        .configure(crate::openapi::routes)
        .service(
            web::scope("/api/v1")
                .configure(auth::api::routes)
                .configure(bank::api::routes)
                .configure(exams::api::routes)
                .configure(users::api::routes)
                .configure(regions::api::routes)
                .configure(audit::api::routes)
                .configure(program::api::routes)
                .configure(orgs::api::routes)
                .configure(roster::api::routes)
                .configure(instructors::api::routes)
                .configure(study::api::routes)
                .configure(sessions::api::routes)
                .configure(shadowing::api::routes)
                .configure(crate::assessment::api::routes)
                .configure(skills::api::routes)
                .configure(tutoring::api::routes)
                .configure(support::api::routes)
                .configure(reports::api::routes)
                .configure(dossier::api::routes)
                .configure(crate::notify::api::routes)
                .configure(crate::archive::api::routes)
                .default_service(web::to(api_not_found)),
        )
        .configure(auth::pages::routes)
        .configure(users::pages::routes)
        .configure(regions::pages::routes)
        .configure(audit::pages::routes)
        .configure(program::pages::routes)
        .configure(roster::pages::routes)
        .configure(study::pages::routes)
        .configure(exams::pages::routes)
        .configure(bank::pages::routes)
        .configure(sessions::pages::routes)
        .configure(shadowing::pages::routes)
        .configure(crate::assessment::pages::routes)
        .configure(skills::pages::routes)
        .configure(tutoring::pages::routes)
        .configure(support::pages::routes)
        .configure(reports::pages::routes)
        .configure(dossier::pages::routes)
        .configure(crate::notify::pages::routes)
        .configure(crate::archive::pages::routes);
}

fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

/// Malformed query strings and form bodies: problem+json on the API, a page otherwise.
fn input_error(req: &HttpRequest, field: &str, message: String) -> actix_web::Error {
    let e = AppError::field(field, message);
    if is_api(req) {
        e.into()
    } else {
        PageError::App(e).into()
    }
}

/// How long a client may take to send a request's head (actix's default is 5 s).
pub const REQUEST_HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Build the HTTP server on a bound listener. `workers: None` uses one per core.
pub fn server(
    state: AppState,
    listener: TcpListener,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    actix_web::rt::spawn(exams::jobs::run(state.clone()));
    actix_web::rt::spawn(crate::audit::jobs::run(state.clone()));
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(JSON_LIMIT))
            .app_data(
                web::FormConfig::default()
                    .limit(64 * 1024)
                    .error_handler(|e, req| {
                        input_error(req, "form", format!("表单内容无法解析：{e}"))
                    }),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, req| {
                input_error(req, "query", format!("查询参数无法解析：{e}"))
            }))
            .app_data(web::PathConfig::default().error_handler(|_, req| {
                if is_api(req) {
                    AppError::NotFound.into()
                } else {
                    PageError::App(AppError::NotFound).into()
                }
            }))
            .wrap(from_fn(cache_and_transport))
            .wrap(from_fn(log_requests))
            .wrap(Compress::default())
            .wrap(security_headers())
            .configure(routes)
            .default_service(web::to(page_not_found))
    })
    // Longer than phones and proxies keep idle connections open, so a request is not
    // sent down a connection the server is closing at that moment.
    .keep_alive(std::time::Duration::from_secs(75))
    // A phone on a rural mobile network, or a server busy with a province's exam, can
    // take longer than actix's default 5 s to deliver a request's head: in the province
    // exam on PostgreSQL one answer save was refused 408 at the wave of starts.
    .client_request_timeout(REQUEST_HEAD_TIMEOUT)
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
}

/// Personal data must not linger in browser or proxy caches: every answer that does not
/// set its own `Cache-Control` (the embedded assets do; the API explorer's files are cached
/// a day) is `no-store`. Behind HTTPS
/// (`CUNYI_COOKIE_SECURE=true`) browsers are told to use nothing else (HSTS).
async fn cache_and_transport(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.cookie_secure);
    let cache = crate::openapi::explorer_asset_cache(req.path()).unwrap_or("no-store");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static(cache),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(response)
}

async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let registry = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let response = next.call(req).await?;
    let status = response.status().as_u16();
    let elapsed = start.elapsed();
    let ms = elapsed.as_millis() as u64;
    if let Some(registry) = registry {
        // The route's pattern, not its path: few series, and no ids in them.
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_owned());
        registry.observe(method.as_str(), &route, status, elapsed);
    }
    if path == "/healthz" || path == "/readyz" {
        tracing::debug!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    Ok(response)
}

/// `GET /healthz` → 200 `ok` while the process is up.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::plaintext())
        .body("ok")
}

/// `GET /readyz` → 200 when the database answers, 503 otherwise.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db(crate::db::ping).await {
        Ok(()) => HttpResponse::Ok()
            .content_type(ContentType::plaintext())
            .body("ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .content_type(ContentType::plaintext())
                .body("database unavailable")
        }
    }
}

async fn api_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NoRoute)
}

async fn page_not_found(req: HttpRequest) -> HttpResponse {
    if is_api(&req) {
        return AppError::NoRoute.error_response();
    }
    error_page(
        StatusCode::NOT_FOUND,
        "未找到",
        "您访问的页面不存在。".into(),
        None,
    )
}

/// The assets, embedded in the binary: county networks may have no internet.
const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "notice.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/notice.css"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../static/icon.svg"),
    ),
    (
        "checkin.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/checkin.js"),
    ),
    (
        "attempt.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/attempt.js"),
    ),
    (
        "skills.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/skills.js"),
    ),
    (
        "review.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/review.js"),
    ),
    (
        "focus-alert.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/focus-alert.js"),
    ),
];

async fn static_file(path: web::Path<String>) -> HttpResponse {
    match STATIC.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, *content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(*bytes),
        None => AppError::NotFound.error_response(),
    }
}
