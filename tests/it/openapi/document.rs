//! The document is OpenAPI 3: its version, its references, its path parameters.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{METHODS, served_document};
use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(the_document_is_openapi_3_and_every_ref_resolves);

/// Every `$ref` anywhere in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The problems of one operation: undeclared path parameters, no responses, no tag.
fn operation_problems(path: &str, method: &str, op: &Value, schemes: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let declared: BTreeSet<&str> = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p["in"] == "path" && p["required"] == true)
                .filter_map(|p| p["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let templated: BTreeSet<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .collect();
    if declared != templated {
        found.push(format!(
            "{method} {path}: path parameters {declared:?} ≠ {templated:?}"
        ));
    }
    if op["responses"].as_object().is_none_or(|r| r.is_empty()) {
        found.push(format!("{method} {path}: no responses"));
    }
    if op["tags"].as_array().is_none_or(|t| t.is_empty()) {
        found.push(format!("{method} {path}: no tag"));
    }
    for requirement in op["security"].as_array().into_iter().flatten() {
        for scheme in requirement.as_object().into_iter().flat_map(|o| o.keys()) {
            if schemes.get(scheme).is_none() {
                found.push(format!("{method} {path}: unknown security scheme {scheme}"));
            }
        }
    }
    found
}

async fn the_document_is_openapi_3_and_every_ref_resolves(backend: Backend) {
    let app = spawn(backend).await;
    let doc = served_document(&app).await;

    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "openapi: {version:?}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(
        all.iter().any(|r| r == "#/components/schemas/Problem"),
        "the errors refer to the problem schema"
    );
    let broken: Vec<_> = all
        .iter()
        .filter(|r| {
            r.strip_prefix('#')
                .and_then(|pointer| doc.pointer(pointer))
                .is_none()
        })
        .collect();
    assert!(broken.is_empty(), "unresolved $ref: {broken:?}");

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            problems.extend(operation_problems(path, method, op, schemes));
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            if !ids.insert(id.clone()) {
                problems.push(format!("{method} {path}: operationId {id:?} is not unique"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let login = &doc["paths"]["/api/v1/auth/login"]["post"];
    assert!(login.get("security").is_none(), "login needs no token");
    let me = &doc["paths"]["/api/v1/me"]["get"];
    assert_eq!(me["security"][0]["bearer"], serde_json::json!([]));
    assert!(
        me["responses"]["401"]["content"]["application/problem+json"].is_object(),
        "{me}"
    );
}
