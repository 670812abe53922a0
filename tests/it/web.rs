//! Health, readiness, unknown routes, static assets and security headers.

use reqwest::Method;

use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(
    health_and_readiness_answer,
    unknown_routes_are_404_in_the_right_format,
    assets_come_from_the_binary
);

async fn health_and_readiness_answer(backend: Backend) {
    let app = spawn(backend).await;
    let health = app.send(Method::GET, "/healthz", None, None).await;
    let ready = app.send(Method::GET, "/readyz", None, None).await;
    assert_eq!((health.status.as_u16(), health.text.as_str()), (200, "ok"));
    assert_eq!(ready.status, 200);
}

async fn unknown_routes_are_404_in_the_right_format(backend: Backend) {
    let app = spawn(backend).await;
    let api = app
        .send(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    let page = app.send(Method::GET, "/nothing-here", None, None).await;
    assert_eq!(api.status, 404);
    assert_eq!(api.header("content-type"), "application/problem+json");
    assert_eq!(api.json()["status"], 404);
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.text.contains("未找到"));
}

async fn assets_come_from_the_binary(backend: Backend) {
    let app = spawn(backend).await;
    let css = app.send(Method::GET, "/static/app.css", None, None).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.text.contains("--brand"));
    assert_eq!(
        app.send(Method::GET, "/static/nope.js", None, None)
            .await
            .status,
        404
    );
    let login = app.send(Method::GET, "/login", None, None).await;
    assert!(
        login
            .header("content-security-policy")
            .contains("default-src 'self'")
    );
    assert_eq!(login.header("x-frame-options"), "DENY");
    assert!(
        !login.text.contains("http://") && !login.text.contains("https://"),
        "no external assets"
    );
}

/// The CSP (`style-src 'self'; script-src 'self'`) silently drops inline styles and
/// scripts, so templates must not use them.
#[test]
fn templates_use_no_inline_styles_or_scripts() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                for bad in [" style=\"", "<style", "<script>", " onclick=", " onsubmit="] {
                    if text.contains(bad) {
                        found.push(format!("{}: {bad}", path.display()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "inline styles/scripts the CSP would block: {found:?}"
    );
}
