//! `GET /verify/{code}` (no login): a certificate's public check.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::assessment::ops::certificates;
use crate::assessment::views::Verified;
use crate::page::{Nav, PageResult, html, html_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "assessment/verify.html")]
struct VerifyPage {
    nav: Option<Nav>,
    code: String,
    found: Option<Verified>,
}

/// `GET /verify/{code}` → the holder (masked), program and date, or 未找到该证书 (404).
pub async fn verify(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let code = path.into_inner();
    let found = certificates::verify(&state, code.clone()).await?;
    let status = if found.is_some() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::NOT_FOUND
    };
    let page = VerifyPage {
        nav: None,
        code,
        found,
    };
    if status == actix_web::http::StatusCode::OK {
        html(&page)
    } else {
        html_status(status, &page)
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /verify?code=` (the form) → `/verify/{code}`.
pub async fn by_query(q: web::Query<CodeQuery>) -> PageResult {
    let code: String = q
        .code
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if code.is_empty() {
        return html(&VerifyPage {
            nav: None,
            code,
            found: None,
        });
    }
    Ok::<HttpResponse, _>(see_other(&format!("/verify/{code}")))
}
