//! The question bank's page (题库): what it holds by area and type, importing a file
//! into a collection, exporting, the template.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::api::{ImportFailure, ImportQuery, MANAGERS, check_query, import_bytes};
use super::formats::MAX_BYTES;
use super::{QType, Skipped, store};
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
    types: Vec<&'static str>,
    rows: Vec<AreaRow>,
    total: i64,
    collections: Vec<(String, i64)>,
    areas: Vec<(&'static str, &'static str)>,
    /// The form as sent (format, area, collection).
    form: (String, String, String),
    error: Option<String>,
    done: Option<(String, usize, usize, usize)>,
    skipped: Vec<Skipped>,
}

async fn page(state: &AppState, user: &PageUser) -> Result<BankPage, AppError> {
    let (counts, summary) = state
        .db(|conn| {
            Ok::<_, AppError>((store::counts_by_area_and_type(conn)?, store::summary(conn)?))
        })
        .await?;
    let types: Vec<&'static str> = QType::ALL.iter().map(|t| t.as_str()).collect();
    let rows = crate::areas::AREAS
        .iter()
        .map(|(code, label)| {
            let counts: Vec<i64> = types
                .iter()
                .map(|t| {
                    counts
                        .get(&((*code).to_owned(), (*t).to_owned()))
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
        collections: summary.by_collection.into_iter().collect(),
        areas: crate::areas::AREAS.to_vec(),
        form: ("gift".into(), "public_health".into(), String::new()),
        error: None,
        done: None,
        skipped: Vec::new(),
    })
}

#[derive(Template)]
#[template(path = "bank/question.html")]
struct QuestionPage {
    nav: Option<Nav>,
    q: super::Question,
    active: bool,
    area_label: &'static str,
    type_label: &'static str,
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
    user.require(MANAGERS)?;
    let qid = path.into_inner();
    let row = state
        .db(move |conn| store::get(conn, &qid))
        .await?
        .ok_or(AppError::NotFound)?;
    let q = row.question();
    let options = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            (
                super::Question::letter(i),
                o.clone(),
                q.answer.contains(super::Question::letter(i)),
            )
        })
        .collect();
    let answer = match (q.qtype, q.answer.as_str()) {
        (QType::TF, "T") => "正确".to_owned(),
        (QType::TF, _) => "错误".to_owned(),
        _ => q.answer.clone(),
    };
    html(&QuestionPage {
        nav: Nav::of(&user),
        active: row.active,
        area_label: crate::areas::AREAS
            .iter()
            .find(|(c, _)| *c == q.area)
            .map_or("", |(_, l)| l),
        type_label: q.qtype.label(),
        difficulty: match q.difficulty {
            Some(super::Difficulty::Easy) => "易",
            Some(super::Difficulty::Medium) => "中",
            Some(super::Difficulty::Hard) => "难",
            None => "未标注",
        },
        options,
        answer,
        q,
    })
}

/// `GET /bank`.
async fn index(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(MANAGERS)?;
    html(&page(&state, &user).await?)
}

/// `POST /bank` (multipart: csrf, format, area, collection, file).
async fn import(state: web::Data<AppState>, user: PageUser, multipart: Multipart) -> PageResult {
    user.require(MANAGERS)?;
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
    let outcome = match check_query(&query) {
        Ok(checked) => match form.require_file() {
            Ok(file) => import_bytes(&state, &user, checked, file.bytes).await,
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
            html(&p)
        }
        Err(ImportFailure::Malformed(m)) => {
            p.error = Some(format!(
                "{}：{}。文件未导入任何题目，请修改后重新上传。",
                m.position, m.message
            ));
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
