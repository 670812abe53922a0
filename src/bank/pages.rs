//! The question bank's page (题库): what it holds by area and type, importing a file
//! into a collection, exporting, the template.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::formats::MAX_BYTES;
use super::views::Holdings;
use super::{ImportFailure, ImportQuery, QType, Question, Skipped, collection_label, ops};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::extract::read_form;
use crate::page::{Nav, PageResult, check_csrf, html, html_status};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/bank", web::get().to(index))
        .route("/bank", web::post().to(import))
        .route("/bank/questions/{qid}", web::get().to(question));
}

/// One row of the holdings table: an area and its count per type.
pub struct AreaRow {
    pub code: &'static str,
    pub label: &'static str,
    pub counts: Vec<i64>,
    pub total: i64,
}

#[derive(Template)]
#[template(path = "bank/index.html")]
struct BankPage {
    nav: Option<Nav>,
    csrf: String,
    /// The types' Chinese names, in `QType::ALL` order.
    types: Vec<&'static str>,
    rows: Vec<AreaRow>,
    total: i64,
    /// (name as shown, count).
    collections: Vec<(String, i64)>,
    areas: Vec<(&'static str, &'static str)>,
    /// The form as sent (format, area, collection).
    form: (String, String, String),
    /// Why the file was refused: a summary and every fault (capped).
    error: Option<String>,
    faults: Vec<String>,
    done: Option<(String, usize, usize, usize)>,
    skipped: Vec<Skipped>,
    warnings: Vec<Skipped>,
}

async fn page(state: &AppState, user: &PageUser) -> Result<BankPage, AppError> {
    let Holdings {
        by_area_and_type: counts,
        summary,
    } = ops::holdings(state, user).await?;
    let types: Vec<&'static str> = QType::ALL.iter().map(|t| t.label()).collect();
    let rows = crate::areas::AREAS
        .iter()
        .map(|(code, label)| {
            let counts: Vec<i64> = QType::ALL
                .iter()
                .map(|t| {
                    counts
                        .get(&((*code).to_owned(), t.as_str().to_owned()))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            AreaRow {
                code,
                label,
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    Ok(BankPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        types,
        rows,
        total: summary.total,
        collections: summary
            .by_collection
            .into_iter()
            .map(|(name, n)| (collection_label(&name), n))
            .collect(),
        areas: crate::areas::AREAS.to_vec(),
        form: ("gift".into(), "public_health".into(), String::new()),
        error: None,
        faults: Vec::new(),
        done: None,
        skipped: Vec::new(),
        warnings: Vec::new(),
    })
}

#[derive(Template)]
#[template(path = "bank/question.html")]
struct QuestionPage {
    nav: Option<Nav>,
    q: Question,
    active: bool,
    area_label: String,
    type_label: &'static str,
    frame_label: &'static str,
    collection: String,
    difficulty: &'static str,
    /// (letter, text, part of the key).
    options: Vec<(char, String, bool)>,
    answer: String,
}

/// `GET /bank/questions/{qid}`: one question in full, with its key (managers; linked
/// from the item analysis).
async fn question(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> PageResult {
    let stored = ops::question(&state, &user, path.into_inner()).await?;
    let q = stored.question;
    let options = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            (
                Question::letter(i),
                o.clone(),
                q.answer.contains(Question::letter(i)),
            )
        })
        .collect();
    let answer = q.key_label();
    html(&QuestionPage {
        nav: Nav::of(&user),
        active: stored.active,
        area_label: crate::areas::label(&q.area).to_owned(),
        type_label: q.qtype.label(),
        frame_label: q.frame.label(),
        collection: collection_label(&q.collection),
        difficulty: q.difficulty.map_or("未标注", |d| d.label()),
        options,
        answer,
        q,
    })
}

/// `GET /bank`.
async fn index(state: web::Data<AppState>, user: PageUser) -> PageResult {
    html(&page(&state, &user).await?)
}

/// `POST /bank` (multipart: csrf, format, area, collection, file).
async fn import(state: web::Data<AppState>, user: PageUser, multipart: Multipart) -> PageResult {
    ops::may_manage(&user)?;
    let form = read_form(multipart, MAX_BYTES).await?;
    check_csrf(&user, form.field("csrf"))?;
    let query = ImportQuery {
        format: Some(form.field("format").to_owned()),
        area: Some(form.field("area").to_owned()),
        collection: Some(form.field("collection").trim().to_owned()),
    };
    let sent = (
        form.field("format").to_owned(),
        form.field("area").to_owned(),
        form.field("collection").to_owned(),
    );
    let outcome = match ops::check_import(&user, &query) {
        Ok(target) => match form.require_file() {
            Ok(file) => ops::import(&state, &user, target, file.bytes).await,
            Err(e) => Err(ImportFailure::App(e)),
        },
        Err(e) => Err(ImportFailure::App(e)),
    };
    let mut p = page(&state, &user).await?;
    p.form = sent;
    match outcome {
        Ok(report) => {
            p.done = Some((
                report.collection,
                report.added,
                report.updated,
                report.unchanged,
            ));
            p.skipped = report.skipped;
            p.warnings = report.warnings;
            html(&p)
        }
        Err(ImportFailure::Refused(r)) => {
            p.error = Some(r.summary());
            if r.faults.len() > 1 {
                p.faults = r.lines();
            }
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(ImportFailure::App(AppError::Validation(errors))) => {
            p.error = Some(
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            );
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(ImportFailure::App(e)) => Err(e.into()),
    }
}
