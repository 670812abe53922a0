//! The bank's use cases, shared by the API and the page: the summary, what the bank
//! holds, one question, importing a file into a collection, exporting, the template.
//! Managing questions is for the bureaus that set exams (`Role::ADMINS`); reading the
//! summary is for every signed-in account.

use actix_web::web;

use super::formats::{self, Format};
use super::rules;
use super::views::{Download, Holdings, ImportReport, StoredQuestion, Summary, XLSX};
use super::{ExportQuery, ImportFailure, ImportQuery, ImportTarget, export, store};
use crate::access::{Caller, Role};
use crate::audit::Entry;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::time;

/// 403 unless the caller manages questions.
pub fn may_manage(caller: &Caller) -> AppResult<()> {
    caller.require(Role::ADMINS)
}

/// `GET /api/v1/question-bank/summary`: active questions by area, type, collection and
/// difficulty.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn summary(state: &AppState, caller: &Caller) -> AppResult<Summary> {
    state.db(store::summary).await
}

/// What the bank holds, for its page (managers).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn holdings(state: &AppState, caller: &Caller) -> AppResult<Holdings> {
    may_manage(caller)?;
    state
        .db(|conn| {
            Ok::<_, AppError>(Holdings {
                by_area_and_type: store::counts_by_area_and_type(conn)?,
                summary: store::summary(conn)?,
            })
        })
        .await
}

/// One question in full, with its key, active or retired (managers); 404 when there
/// is no such id.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, qid = %qid))]
pub async fn question(state: &AppState, caller: &Caller, qid: String) -> AppResult<StoredQuestion> {
    may_manage(caller)?;
    let row = state
        .db(move |conn| store::get(conn, &qid))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(StoredQuestion {
        question: row.question(),
        active: row.active,
    })
}

/// The checked target of an import (managers): 403 for other roles, 422 naming each bad
/// field.
pub fn check_import(caller: &Caller, query: &ImportQuery) -> AppResult<ImportTarget> {
    may_manage(caller)?;
    rules::check_import(query)
}

/// Import a file into a collection: parse it (every fault refuses the whole file), check
/// that the collection is the caller's region's (or nobody's yet), store the questions
/// in one transaction with the audit entry.
#[tracing::instrument(
    skip(state, caller, target, bytes),
    fields(caller = caller.user_id, format = target.format.as_str(), collection = %target.collection, bytes = bytes.len())
)]
pub async fn import(
    state: &AppState,
    caller: &Caller,
    target: ImportTarget,
    bytes: Vec<u8>,
) -> Result<ImportReport, ImportFailure> {
    may_manage(caller)?;
    let ImportTarget {
        format,
        area,
        collection,
    } = target;
    let parsed = web::block(move || {
        formats::import(format, &bytes, &area, &collection).map(|i| (i, collection))
    })
    .await
    .map_err(|e| ImportFailure::App(AppError::internal(e)))?;
    let (imported, collection) = parsed.map_err(ImportFailure::Refused)?;
    let actor = caller.actor();
    let (scope, role) = (caller.scope(), caller.role());
    let stored = state
        .db(move |conn| {
            let owner = store::collection_owner(conn, &collection)?;
            if !rules::import::may_import_into(&owner, &scope, role) {
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

/// The active questions as a GIFT or `.xlsx` file (managers; answers included, so the
/// export is audited with what it held).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn export(state: &AppState, caller: &Caller, query: &ExportQuery) -> AppResult<Download> {
    may_manage(caller)?;
    let spec = rules::check_export(query)?;
    let filter = store::Filter {
        collection: spec.collection,
        areas: spec.area.map(|a| vec![a]),
        active_only: true,
    };
    let actor = caller.actor();
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
    Ok(match spec.format {
        Format::Gift => Download {
            content_type: "text/plain; charset=utf-8",
            filename: "question-bank.gift.txt",
            body: export::gift(&questions).into_bytes(),
        },
        _ => Download {
            content_type: XLSX,
            filename: "question-bank.xlsx",
            body: export::xlsx(&questions).map_err(AppError::internal)?,
        },
    })
}

/// The empty import template with its notes.
pub fn template() -> AppResult<Download> {
    Ok(Download {
        content_type: XLSX,
        filename: "question-template.xlsx",
        body: export::xlsx(&[]).map_err(AppError::internal)?,
    })
}

/// Bring the shipped collection `core` in line with the bank in the binary (at start).
#[tracing::instrument(skip(conn, shipped), fields(shipped = shipped.len()))]
pub fn sync_core(
    conn: &mut crate::db::AnyConnection,
    shipped: &[super::Question],
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<store::Stored> {
    store::sync_core(conn, shipped, now)
}
