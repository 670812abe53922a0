//! The OpenAPI document (`/api/v1/openapi.json`) and its explorer (`/api/v1/docs/`):
//! - `coverage`: every route the app registers under `/api/v1` is documented with its
//!   method (read from the source, so a route added without docs fails here), and every
//!   path of the API contract (`fixtures/api_md_paths.txt`) is served;
//! - `document`: the document is OpenAPI 3 and every `$ref` in it resolves;
//! - `explorer`: the explorer and all its assets come from the binary;
//! - `query`: query parameters are documented and described (`fixtures/api_query_params.txt`).

mod coverage;
mod document;
mod explorer;
mod query;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::TestApp;

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// The document, as served.
async fn served_document(app: &TestApp) -> Value {
    let reply = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    assert!(
        reply.header("content-type").starts_with("application/json"),
        "{}",
        reply.header("content-type")
    );
    reply.json()
}

/// `(METHOD, path)` of every operation in a document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(*method).is_some() {
                found.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}
