//! `/api/v1/question-bank/…`: the summary, imports (GIFT, Aiken, Moodle XML, `.xlsx`)
//! into named collections, exports (GIFT, `.xlsx`) and the import template.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::files::CORE;
use super::formats::{self, Format, MAX_BYTES};
use super::{Refusal, Skipped, export, store};
use crate::audit::Entry;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::read_form;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/question-bank/summary", web::get().to(summary))
        .route("/question-bank/import", web::post().to(import))
        .route("/question-bank/export", web::get().to(export_file))
        .route("/question-bank/template.xlsx", web::get().to(template));
}

/// Who manages questions: the bureaus that set exams.
pub const MANAGERS: &[Role] = &[Role::CountyAdmin, Role::CityAdmin, Role::Sysadmin];

/// `GET /api/v1/question-bank/summary` → `{total, by_area, by_type, by_collection,
/// by_difficulty}` over active questions.
async fn summary(state: web::Data<AppState>, _user: CurrentUser) -> AppResult<HttpResponse> {
    let summary = state.db(store::summary).await?;
    Ok(HttpResponse::Ok().json(summary))
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    pub format: Option<String>,
    pub area: Option<String>,
    pub collection: Option<String>,
}

/// A collection name: lowercase letters, digits and dashes, 2–30 characters.
pub fn valid_collection(name: &str) -> bool {
    (2..=30).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
}

/// The checked query of an import.
pub fn check_query(query: &ImportQuery) -> AppResult<(Format, String, String)> {
    let mut p = Problems::new();
    let format = p.take(
        "format",
        Format::parse(query.format.as_deref().unwrap_or(""))
            .ok_or_else(|| "格式应为 gift、aiken、moodle_xml 或 xlsx".to_owned()),
    );
    let area = query.area.as_deref().unwrap_or("").trim().to_owned();
    if !crate::areas::is_area(&area) {
        p.add("area", "内容领域应为九个领域代码之一（如 public_health）");
    }
    let collection = query.collection.as_deref().unwrap_or("").trim().to_owned();
    if collection == CORE {
        p.add(
            "collection",
            "core 是随系统发布的题库，不能导入；请另起一个题库名称",
        );
    } else if !valid_collection(&collection) {
        p.add(
            "collection",
            "题库名称应为 2–30 个小写字母、数字或连字符（如 zaozhuang-2025）",
        );
    }
    p.finish()?;
    let format = format.ok_or_else(|| AppError::internal("checked format lost"))?;
    Ok((format, area, collection))
}

/// What an import answers.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub collection: String,
    pub imported: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Left out, with why: types that cannot be mapped, repeats.
    pub skipped: Vec<Skipped>,
    /// Imported, but changed: media removed from a stem.
    pub warnings: Vec<Skipped>,
}

/// Import a file (shared with the page and the CLI's rules): parse, check ids against
/// other collections, store in one transaction, audit.
pub async fn import_bytes(
    state: &AppState,
    user: &CurrentUser,
    (format, area, collection): (Format, String, String),
    bytes: Vec<u8>,
) -> Result<ImportReport, ImportFailure> {
    let imported = web::block(move || {
        formats::import(format, &bytes, &area, &collection).map(|i| (i, collection))
    })
    .await
    .map_err(|e| ImportFailure::App(AppError::internal(e)))?;
    let (imported, collection) = imported.map_err(ImportFailure::Refused)?;
    let actor = user.actor();
    let (scope, sysadmin) = (user.scope(), user.role() == Role::Sysadmin);
    let stored = state
        .db(move |conn| {
            // A collection is its first importer's: others may use it in blueprints, and
            // only that region (or one above it) may change it.
            let mine = match store::collection_owner(conn, &collection)? {
                None => true,
                Some(Some(path)) => scope.contains_path(&path),
                Some(None) => sysadmin,
            };
            if !mine {
                return Err(AppError::field(
                    "collection",
                    format!("题库 {collection} 由其他单位维护，请换一个题库名称"),
                ));
            }
            let stored =
                store::store_import(conn, &imported, &collection, format, &actor, time::now())?;
            Ok::<_, AppError>(stored.map(|s| {
                let mut skipped = imported.skipped;
                skipped.extend(s.skipped);
                ImportReport {
                    collection,
                    imported: s.stored.added + s.stored.updated + s.stored.unchanged,
                    added: s.stored.added,
                    updated: s.stored.updated,
                    unchanged: s.stored.unchanged,
                    skipped,
                    warnings: imported.warnings,
                }
            }))
        })
        .await
        .map_err(ImportFailure::App)?;
    stored.map_err(ImportFailure::Refused)
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportFailure {
    Refused(Refusal),
    App(AppError),
}

impl From<AppError> for ImportFailure {
    fn from(e: AppError) -> Self {
        ImportFailure::App(e)
    }
}

/// One fault of a refused file in a problem+json `errors` list.
#[derive(Debug, Serialize)]
struct FileError {
    field: &'static str,
    message: String,
    position: String,
}

/// A refused file: 422 problem+json with one `errors` entry (field `file`) per fault,
/// each with its position; `position` is the first fault's. Past `Refusal::SHOWN`
/// faults, a last entry says how many more there are.
pub fn refusal_response(r: &Refusal) -> HttpResponse {
    let (shown, more) = r.shown();
    let mut errors: Vec<FileError> = shown
        .iter()
        .map(|m| FileError {
            field: "file",
            message: format!("{}：{}", m.position, m.message),
            position: m.position.clone(),
        })
        .collect();
    if more > 0 {
        errors.push(FileError {
            field: "file",
            message: format!("……另有 {more} 处错误未列出"),
            position: "文件".into(),
        });
    }
    let first = shown.first();
    let detail = match (first, r.faults.len()) {
        (Some(m), 1) => format!("{}：{}（未导入任何题目）", m.position, m.message),
        (Some(m), n) => format!(
            "文件有 {n} 处错误，未导入任何题目；第一处在{}：{}",
            m.position, m.message
        ),
        (None, _) => "文件有误，未导入任何题目".to_owned(),
    };
    HttpResponse::UnprocessableEntity()
        .content_type("application/problem+json")
        .json(serde_json::json!({
            "type": "urn:cunyi:problem:validation",
            "title": "文件格式有误",
            "status": 422,
            "detail": detail,
            "position": first.map(|m| m.position.clone()),
            "error_count": r.faults.len(),
            "errors": errors,
        }))
}

/// `POST /api/v1/question-bank/import?format=&area=&collection=` multipart `file` → 201
/// `{collection, imported, skipped:[{position, reason}]}`; a malformed file → 422.
async fn import(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    user.require(MANAGERS)?;
    let checked = check_query(&query)?;
    let file = read_form(multipart, MAX_BYTES).await?.require_file()?;
    match import_bytes(&state, &user, checked, file.bytes).await {
        Ok(report) => Ok(HttpResponse::Created().json(report)),
        Err(ImportFailure::Refused(r)) => Ok(refusal_response(&r)),
        Err(ImportFailure::App(e)) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
    pub collection: Option<String>,
    pub area: Option<String>,
}

/// `GET /api/v1/question-bank/export?format=gift|xlsx&collection=&area=` → the active
/// questions as a file (answers included: managers only, audited).
async fn export_file(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    user.require(MANAGERS)?;
    let mut p = Problems::new();
    let format = match query.format.as_deref().unwrap_or("xlsx") {
        "gift" => Some(Format::Gift),
        "xlsx" => Some(Format::Xlsx),
        _ => {
            p.add("format", "导出格式应为 gift 或 xlsx");
            None
        }
    };
    let area = query.area.clone().filter(|a| !a.is_empty());
    if area.as_deref().is_some_and(|a| !crate::areas::is_area(a)) {
        p.add("area", "内容领域应为九个领域代码之一");
    }
    p.finish()?;
    let filter = store::Filter {
        collection: query.collection.clone().filter(|c| !c.is_empty()),
        areas: area.map(|a| vec![a]),
        active_only: true,
    };
    let actor = user.actor();
    let questions = state
        .db(move |conn| {
            let questions = store::list(conn, &filter)?;
            crate::audit::record(
                conn,
                &actor,
                &Entry::new("bank.exported").detail(serde_json::json!({
                    "collection": filter.collection, "areas": filter.areas, "count": questions.len(),
                })),
                time::now(),
            )?;
            Ok::<_, AppError>(questions)
        })
        .await?;
    Ok(match format {
        Some(Format::Gift) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"question-bank.gift.txt\"",
            ))
            .body(export::gift(&questions)),
        _ => xlsx_response(
            export::xlsx(&questions).map_err(AppError::internal)?,
            "question-bank.xlsx",
        ),
    })
}

fn xlsx_response(bytes: Vec<u8>, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes)
}

/// `GET /api/v1/question-bank/template.xlsx` → the empty import template with notes.
async fn template(_user: CurrentUser) -> AppResult<HttpResponse> {
    Ok(xlsx_response(
        export::xlsx(&[]).map_err(AppError::internal)?,
        "question-template.xlsx",
    ))
}
