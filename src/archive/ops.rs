//! Archive documents' use cases: attach (checked before anything is written), list,
//! download and delete — each behind its owner's access check (another county's
//! session or filing → 404, audited).

use super::rules::{self, Checked};
use super::store::{self, OwnerAt};
use super::views::{DocumentView, ListView};
use super::{Document, Owner};
use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::reports::rules::editable;
use crate::state::AppState;
use crate::time;

/// Who may change an owner's documents: any administrator for a session, the county
/// administrator for its filing.
fn writers(owner: Owner) -> &'static [Role] {
    match owner {
        Owner::Session(_) => Role::ADMINS,
        Owner::Report(_) => &[Role::CountyAdmin],
    }
}

/// The owner, if it is in the caller's region (else 404, audited).
fn owner_in(conn: &mut AnyConnection, caller: &Caller, owner: Owner) -> AppResult<OwnerAt> {
    let at = store::owner_at(conn, owner)?.ok_or(AppError::NotFound)?;
    if !caller.scope().contains_path(&at.path) {
        return Err(caller.denied(
            "archive.read",
            format!("{}:{}", owner.segment(), owner.id()),
        ));
    }
    Ok(at)
}

/// A filing's documents change only while the filing is a draft or returned (409).
fn still_open(at: &OwnerAt) -> AppResult<()> {
    match at.report_status {
        Some(s) if !editable(s) => Err(AppError::Conflict(format!(
            "报送材料已{}，不能再增删附件",
            s.label()
        ))),
        _ => Ok(()),
    }
}

/// Attach a file (its kind and bytes checked first: 422 and nothing written).
#[tracing::instrument(skip(state, caller, filename, bytes), fields(caller = caller.user_id, bytes = bytes.len()))]
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    owner: Owner,
    kind: Option<String>,
    filename: Option<String>,
    bytes: Vec<u8>,
) -> AppResult<DocumentView> {
    caller.require(writers(owner))?;
    let checked: Checked = rules::check(kind.as_deref(), filename.as_deref(), &bytes)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let at = owner_in(conn, &caller, owner)?;
            still_open(&at)?;
            let doc = store::insert(conn, owner, &checked, &bytes, &caller.actor(), time::now())?;
            Ok::<_, AppError>(DocumentView::of(&doc, caller.username.clone()))
        })
        .await
}

/// An owner's documents, for those who may see the owner (administrators of its region).
pub fn list_in(conn: &mut AnyConnection, caller: &Caller, owner: Owner) -> AppResult<ListView> {
    caller.require(Role::ADMINS)?;
    let at = owner_in(conn, caller, owner)?;
    let items = store::list(conn, owner)?
        .iter()
        .map(|(d, by)| DocumentView::of(d, by.clone()))
        .collect();
    Ok(ListView {
        owner: owner.segment().trim_end_matches('s').to_owned(),
        owner_id: owner.id(),
        editable: caller.require(writers(owner)).is_ok() && still_open(&at).is_ok(),
        items,
    })
}

/// `GET /api/v1/{sessions|reports}/{id}/attachments`.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(state: &AppState, caller: &Caller, owner: Owner) -> AppResult<ListView> {
    let caller = caller.clone();
    state.db(move |conn| list_in(conn, &caller, owner)).await
}

/// A filing's documents (for the filing's view; the caller already passed its check).
pub fn of_report(conn: &mut AnyConnection, report_id: i64) -> AppResult<Vec<DocumentView>> {
    Ok(store::list(conn, Owner::Report(report_id))?
        .iter()
        .map(|(d, by)| DocumentView::of(d, by.clone()))
        .collect())
}

/// The documents of the sessions a doctor attended (for its dossier; the caller
/// already passed the doctor's check). A doctor reading its own sees only notices and
/// handbooks, which it may download.
pub fn of_sessions(
    conn: &mut AnyConnection,
    caller: &Caller,
    session_ids: &[i64],
) -> AppResult<Vec<DocumentView>> {
    Ok(store::of_sessions(conn, session_ids)?
        .iter()
        .filter(|d| caller.is_admin() || rules::may_download(caller.role(), d.kind, true))
        .map(|d| DocumentView::of(d, String::new()))
        .collect())
}

/// A document the caller may download: administrators of the owner's region; a doctor
/// a notice or handbook of a session it attended. Anything else that exists → 404.
fn readable(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<Document> {
    caller.require(&[
        Role::Doctor,
        Role::CountyAdmin,
        Role::CityAdmin,
        Role::Sysadmin,
    ])?;
    let doc = store::get(conn, id)?.ok_or(AppError::NotFound)?;
    let owner = doc.owner();
    if caller.is_admin() {
        owner_in(conn, caller, owner)?;
        return Ok(doc);
    }
    let attended = match (owner, caller.doctor_id) {
        (Owner::Session(s), Some(d)) => store::attended(conn, d, s)?,
        _ => false,
    };
    if rules::may_download(caller.role(), doc.kind, attended) {
        Ok(doc)
    } else {
        Err(caller.denied("archive.download", format!("archive_document:{id}")))
    }
}

/// `GET /api/v1/attachments/{id}` → (file name, content type, bytes).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, document = id))]
pub async fn download(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(String, String, Vec<u8>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let doc = readable(conn, &caller, id)?;
            let bytes = store::content(conn, id)?;
            Ok::<_, AppError>((doc.filename, doc.content_type, bytes))
        })
        .await
}

/// `DELETE /api/v1/attachments/{id}`: the owner's writers, while a filing is open;
/// audited with what was deleted. Returns the owner (for the page's way back).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, document = id))]
pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> AppResult<Owner> {
    caller.require(Role::ADMINS)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let doc = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            let owner = doc.owner();
            let at = owner_in(conn, &caller, owner)?;
            caller.require(writers(owner))?;
            still_open(&at)?;
            store::delete(conn, &doc, &caller.actor(), time::now())?;
            Ok::<_, AppError>(owner)
        })
        .await
}
