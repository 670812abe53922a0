//! `archive_documents`: insert, list by owner (never loading the content), read one with
//! its content, delete — and the owners' region paths for the access checks.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::rules::Checked;
use super::{Document, Owner};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{archive_documents as ad, regions, reports, sessions, study_records};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::reports::ReportStatus;
use crate::study::RecordStatus;

/// Where an owner is: its region's path, and for a filing its status.
#[derive(Debug, Clone)]
pub struct OwnerAt {
    pub path: String,
    pub report_status: Option<ReportStatus>,
}

/// The owner's region path (and status), if it exists.
pub fn owner_at(conn: &mut AnyConnection, owner: Owner) -> QueryResult<Option<OwnerAt>> {
    match owner {
        Owner::Session(id) => Ok(sessions::table
            .inner_join(regions::table)
            .filter(sessions::id.eq(id))
            .select(regions::path)
            .first::<String>(conn)
            .optional()?
            .map(|path| OwnerAt {
                path,
                report_status: None,
            })),
        Owner::Report(id) => Ok(reports::table
            .inner_join(regions::table)
            .filter(reports::id.eq(id))
            .select((regions::path, reports::status))
            .first::<(String, ReportStatus)>(conn)
            .optional()?
            .map(|(path, status)| OwnerAt {
                path,
                report_status: Some(status),
            })),
    }
}

/// Whether the doctor was credited for attending the session.
pub fn attended(conn: &mut AnyConnection, doctor_id: i64, session_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        study_records::table
            .filter(study_records::doctor_id.eq(doctor_id))
            .filter(study_records::session_id.eq(session_id))
            .filter(study_records::status.eq(RecordStatus::Approved)),
    ))
    .get_result(conn)
}

/// Store a checked document and audit it, in one transaction.
pub fn insert(
    conn: &mut AnyConnection,
    owner: Owner,
    checked: &Checked,
    bytes: &[u8],
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Document, AppError> {
    let sha = hex::encode(Sha256::digest(bytes));
    let (session_id, report_id) = match owner {
        Owner::Session(id) => (Some(id), None),
        Owner::Report(id) => (None, Some(id)),
    };
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(ad::table)
            .values((
                ad::session_id.eq(session_id),
                ad::report_id.eq(report_id),
                ad::kind.eq(checked.kind),
                ad::filename.eq(&checked.filename),
                ad::content_type.eq(checked.ty.content_type()),
                ad::size_bytes.eq(bytes.len() as i64),
                ad::sha256.eq(&sha),
                ad::content.eq(bytes),
                ad::uploaded_by.eq(actor.id),
                ad::created_at.eq(now),
            ))
            .returning(ad::id)
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("archive.attached")
                .target(format!("archive_document:{id}"))
                .detail(serde_json::json!({
                    "owner": format!("{}:{}", owner.segment(), owner.id()),
                    "kind": checked.kind.as_str(),
                    "bytes": bytes.len(),
                    "sha256": sha,
                })),
            now,
        )?;
        Ok(ad::table
            .find(id)
            .select(Document::as_select())
            .first(conn)?)
    })
}

/// The documents of an owner, oldest first.
pub fn list(conn: &mut AnyConnection, owner: Owner) -> QueryResult<Vec<(Document, String)>> {
    let q = ad::table
        .left_join(crate::db::schema::users::table)
        .into_boxed();
    let q = match owner {
        Owner::Session(id) => q.filter(ad::session_id.eq(id)),
        Owner::Report(id) => q.filter(ad::report_id.eq(id)),
    };
    let rows: Vec<(Document, Option<String>)> = q
        .order(ad::id)
        .select((
            Document::as_select(),
            crate::db::schema::users::display_name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, n)| (d, n.unwrap_or_default()))
        .collect())
}

/// The documents of several sessions (a dossier's), by session then id.
pub fn of_sessions(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<Document>> {
    ad::table
        .filter(ad::session_id.eq_any(ids))
        .order((ad::session_id, ad::id))
        .select(Document::as_select())
        .load(conn)
}

/// One document, without its content.
pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Document>> {
    ad::table
        .find(id)
        .select(Document::as_select())
        .first(conn)
        .optional()
}

/// One document's content.
pub fn content(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<u8>> {
    ad::table.find(id).select(ad::content).first(conn)
}

/// Delete a document and audit it (what it was, so the trail names it), in one
/// transaction.
pub fn delete(
    conn: &mut AnyConnection,
    doc: &Document,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    db::write(conn, |conn| {
        diesel::delete(ad::table.find(doc.id)).execute(conn)?;
        let owner = doc.owner();
        audit::record(
            conn,
            actor,
            &Entry::new("archive.deleted")
                .target(format!("archive_document:{}", doc.id))
                .detail(serde_json::json!({
                    "owner": format!("{}:{}", owner.segment(), owner.id()),
                    "kind": doc.kind.as_str(),
                    "filename": doc.filename,
                    "sha256": doc.sha256,
                })),
            now,
        )?;
        Ok(())
    })
}
