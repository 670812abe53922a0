//! Routes against the document, and the API contract against the running app.

use std::collections::BTreeSet;
use std::path::Path;

use cunyi::auth::Role;
use reqwest::Method;
use serde_json::json;

use super::{operations, served_document};
use crate::both_backends;
use crate::support::{Backend, Reply, spawn};

both_backends!(
    every_registered_route_is_documented_with_its_method,
    every_path_of_the_api_contract_is_served,
    an_unknown_api_route_is_a_no_route_problem,
);

/// The contract's paths (copied from API.md; CI has no shared folder).
const CONTRACT: &str = include_str!("../fixtures/api_md_paths.txt");

/// The areas whose `api::routes` the app mounts under `/api/v1`, read from `src/app.rs`.
fn mounted_api_areas(app_rs: &str) -> Vec<String> {
    app_rs
        .match_indices("::api::routes")
        .map(|(i, _)| {
            let before = &app_rs[..i];
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |p| p + 1);
            before[start..].to_owned()
        })
        .collect()
}

/// `(METHOD, path)` of every `.route("path", web::method()…)` in a routes function.
fn routes_in(source: &str) -> Vec<(String, String)> {
    source
        .split(".route(")
        .skip(1)
        .map(|chunk| {
            let chunk = chunk.trim_start();
            let path = chunk
                .strip_prefix('"')
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("a route without a literal path: {chunk:.80}"));
            let method = chunk
                .split("web::")
                .nth(1)
                .and_then(|rest| rest.split("()").next())
                .unwrap_or_else(|| panic!("a route without web::<method>(): {chunk:.80}"));
            (method.to_uppercase(), path.to_owned())
        })
        .collect()
}

/// Every API route the source registers, with its full path.
fn source_routes() -> BTreeSet<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let app_rs = std::fs::read_to_string(root.join("src/app.rs")).unwrap();
    let areas = mounted_api_areas(&app_rs);
    assert!(areas.len() >= 20, "the scan found the areas: {areas:?}");
    let mut routes = BTreeSet::new();
    for area in &areas {
        let file = ["api.rs", "api/mod.rs"]
            .iter()
            .map(|f| root.join("src").join(area).join(f))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no api room for {area}"));
        let source = std::fs::read_to_string(&file).unwrap();
        for other in ["web::resource(", "web::scope(", ".service("] {
            assert!(
                !source.contains(other),
                "{}: routes are registered with `.route(` only, so this scan sees them",
                file.display()
            );
        }
        for (method, path) in routes_in(&source) {
            routes.insert((method, format!("/api/v1{path}")));
        }
    }
    routes
}

#[test]
fn the_route_scan_reads_paths_and_methods() {
    let source = r#"cfg.route("/a", web::get().to(a))
        .route(
            "/a/{id}",
            web::put().to(m::b),
        );"#;
    assert_eq!(
        routes_in(source),
        [
            ("GET".to_owned(), "/a".to_owned()),
            ("PUT".to_owned(), "/a/{id}".to_owned())
        ]
    );
    let areas =
        mounted_api_areas(".configure(auth::api::routes)\n.configure(crate::notify::api::routes)");
    assert_eq!(areas, ["auth", "notify"]);
}

async fn every_registered_route_is_documented_with_its_method(backend: Backend) {
    let app = spawn(backend).await;
    let documented = operations(&served_document(&app).await);
    let registered = source_routes();
    assert!(registered.len() > 100, "{} routes", registered.len());
    assert!(registered.contains(&("POST".into(), "/api/v1/auth/login".into())));

    let undocumented: Vec<_> = registered.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes without #[utoipa::path] in src/openapi/paths.rs: {undocumented:?}"
    );
    let phantom: Vec<_> = documented.difference(&registered).collect();
    assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
}

/// `GET /api/v1/doctors/{id}` → (GET, /api/v1/doctors/999999).
fn contract() -> Vec<(Method, String)> {
    let lines: Vec<_> = CONTRACT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (method, path) = line.split_once(' ').unwrap();
            let concrete: Vec<String> = path
                .split('/')
                .map(|seg| match (seg.find('{'), seg.find('}')) {
                    (Some(a), Some(b)) => format!("{}999999{}", &seg[..a], &seg[b + 1..]),
                    _ => seg.to_owned(),
                })
                .collect();
            (method.parse::<Method>().unwrap(), concrete.join("/"))
        })
        .collect();
    assert!(
        lines.len() >= 60,
        "the fixture parsed: {} paths",
        lines.len()
    );
    lines
}

/// Neither the API's no-route 404 nor the pages' "no such page".
fn served(reply: &Reply) -> bool {
    let no_route = reply.status == 404
        && (reply.text.contains("urn:cunyi:problem:no-route")
            || reply.text.contains("您访问的页面不存在"));
    !no_route && reply.status != 405
}

async fn every_path_of_the_api_contract_is_served(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("root", Role::Sysadmin, "370000"),
            ("county", Role::CountyAdmin, "370402"),
        ])
        .await;
    let mut unserved = Vec::new();
    for (method, path) in contract() {
        for (who, token) in ["root", "county"].iter().zip(&tokens) {
            // Logging out would end the token the other paths use.
            let fresh;
            let token = if path.ends_with("/auth/logout") {
                fresh = app.login(who).await;
                &fresh
            } else {
                token
            };
            let body = (method == Method::POST || method == Method::PUT).then(|| json!({}));
            let reply = app.send(method.clone(), &path, Some(token), body).await;
            if !served(&reply) {
                unserved.push(format!(
                    "{who}: {method} {path} → {} {}",
                    reply.status, reply.text
                ));
            }
        }
    }
    assert!(unserved.is_empty(), "not served:\n{}", unserved.join("\n"));
}

async fn an_unknown_api_route_is_a_no_route_problem(backend: Backend) {
    let app = spawn(backend).await;
    let token = &app.accounts(&[("root", Role::Sysadmin, "370000")]).await[0];

    for (method, path) in [
        (Method::GET, "/api/v1/no-such-thing"),
        (Method::DELETE, "/api/v1/me"),
        (Method::GET, "/api/v2/me"),
    ] {
        let reply = app.send(method.clone(), path, Some(token), None).await;
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text);
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.json()["type"], "urn:cunyi:problem:no-route", "{path}");
        assert!(!served(&reply));
    }

    // A resource that is not there is a different 404: the route exists.
    let missing = app.get("/api/v1/doctors/999999", token).await.expect(404);
    assert_eq!(missing.json()["type"], "urn:cunyi:problem:not-found");
    assert!(served(&missing));
}
