//! Query parameters in the document: the contract's (and ours) are each documented on
//! their operation, every documented one says what it does, and every API handler that
//! reads a query string declares it (read from the source, so a new `web::Query<…>`
//! without `params(…)` fails here).

use std::path::Path;

use serde_json::Value;

use super::served_document;
use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(
    the_listed_query_parameters_are_documented,
    every_documented_query_parameter_is_described
);

const LISTED: &str = include_str!("../fixtures/api_query_params.txt");

/// The query parameters of one operation.
fn query_names(doc: &Value, method: &str, path: &str) -> Option<Vec<String>> {
    let op = doc["paths"].get(path)?.get(method.to_lowercase())?;
    Some(
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect(),
    )
}

async fn the_listed_query_parameters_are_documented(backend: Backend) {
    let app = spawn(backend).await;
    let doc = served_document(&app).await;
    let mut missing = Vec::new();
    let mut lines = 0;
    for line in LISTED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        lines += 1;
        let mut words = line.split_whitespace();
        let (method, path) = (words.next().unwrap(), words.next().unwrap());
        let Some(names) = query_names(&doc, method, path) else {
            missing.push(format!("{method} {path}: no such operation"));
            continue;
        };
        for want in words {
            if !names.iter().any(|n| n == want) {
                missing.push(format!("{method} {path}: ?{want} (has {names:?})"));
            }
        }
    }
    assert!(lines >= 15, "the fixture was read: {lines} lines");
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

async fn every_documented_query_parameter_is_described(backend: Backend) {
    let app = spawn(backend).await;
    let doc = served_document(&app).await;
    let mut seen = 0;
    let mut bare = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] != "query" {
                    continue;
                }
                seen += 1;
                let described = p["description"]
                    .as_str()
                    .is_some_and(|d| !d.trim().is_empty());
                if !described {
                    bare.push(format!("{method} {path} ?{}", p["name"]));
                }
                // Every query parameter is optional: a missing one has a default.
                if p["required"] == true {
                    bare.push(format!("{method} {path} ?{} is marked required", p["name"]));
                }
            }
        }
    }
    assert!(seen >= 60, "{seen} query parameters documented");
    assert!(
        bare.is_empty(),
        "query parameters without a description: {bare:#?}"
    );
}

/// The source of every API room (`src/<area>/api.rs` or `src/<area>/api/*.rs`).
fn api_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for area in std::fs::read_dir(&src).unwrap().flatten() {
        let dir = area.path();
        let single = dir.join("api.rs");
        if single.exists() {
            out.push(single);
        }
        if let Ok(files) = std::fs::read_dir(dir.join("api")) {
            out.extend(files.flatten().map(|f| f.path()));
        }
    }
    out.into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.display().to_string(), text)
        })
        .collect()
}

/// The `#[utoipa::path(…)]` blocks of handlers that take a `web::Query<T>` but declare
/// no `T` in `params(…)`: `(T, the block's first line)`.
fn undeclared_queries(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices("web::Query<") {
        let ty = source[at + "web::Query<".len()..]
            .split('>')
            .next()
            .unwrap_or_default();
        let short = ty.rsplit("::").next().unwrap_or(ty);
        let Some(start) = source[..at].rfind("#[utoipa::path(") else {
            found.push(format!("{ty}: no #[utoipa::path]"));
            continue;
        };
        let block = &source[start..at];
        let declared = block
            .split("params(")
            .nth(1)
            .is_some_and(|params| params.contains(short));
        if !declared {
            found.push(format!("{ty} not in params(…)"));
        }
    }
    found
}

#[test]
fn the_query_scan_sees_a_missing_declaration() {
    let ok = "#[utoipa::path(get, params(crate::extract::PageParams, ListQuery))]\n\
              pub async fn list(q: web::Query<ListQuery>) {}";
    assert!(undeclared_queries(ok).is_empty());
    let bad = "#[utoipa::path(get, params((\"id\" = i64, Path)))]\n\
               pub async fn list(q: web::Query<m::ListQuery>) {}";
    assert_eq!(undeclared_queries(bad), ["m::ListQuery not in params(…)"]);
}

#[test]
fn every_api_handler_that_reads_a_query_declares_it() {
    let sources = api_sources();
    assert!(sources.len() > 30, "{} api files", sources.len());
    let mut found = Vec::new();
    let mut queries = 0;
    for (file, text) in &sources {
        queries += text.matches("web::Query<").count();
        found.extend(
            undeclared_queries(text)
                .into_iter()
                .map(|f| format!("{file}: {f}")),
        );
    }
    assert!(queries >= 30, "{queries} query extractors seen");
    assert!(found.is_empty(), "{found:#?}");
}
