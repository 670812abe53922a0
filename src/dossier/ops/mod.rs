//! The dossier's use cases: read it (scope via [`crate::access::doctor`]), write it as a
//! spreadsheet or a PDF; the county-wide zip of PDFs is [`export`].

pub mod export;
mod render;
mod sections;

use std::collections::HashMap;

use super::rules;
use super::store;
use super::views::{
    DossierView, ExamEntry, Identity, PlacementEntry, RecordEntry, RotationEntry, SessionEntry,
};
use crate::access::{self, Caller};
use crate::audit::{self, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::pii::Pii;
use crate::sheet::XlsxBook;
use crate::state::AppState;
use crate::time;

/// A doctor's dossier, if the caller may see the doctor (else 404). County and city
/// admins get the full ID number (audited); everyone else the masked one.
pub fn dossier_in(
    conn: &mut AnyConnection,
    pii: &Pii,
    caller: &Caller,
    id: i64,
) -> AppResult<DossierView> {
    dossier_with(conn, pii, caller, id, rules::shows_full_id(caller.role()))
}

/// [`dossier_in`], revealing the full ID number only if `full` (the bulk export never
/// does: a zip of a whole county leaves the platform).
pub fn dossier_with(
    conn: &mut AnyConnection,
    pii: &Pii,
    caller: &Caller,
    id: i64,
    full: bool,
) -> AppResult<DossierView> {
    let record = access::doctor(conn, caller, id)?;
    let d = &record.doctor;
    let full = full && rules::shows_full_id(caller.role());
    let id_number = if full {
        let sealed = db::write(conn, |conn| {
            audit::record(
                conn,
                &caller.actor(),
                &Entry::new("pii.id_number_revealed")
                    .target(format!("doctor:{id}"))
                    .detail(serde_json::json!({"via": "dossier"})),
                time::now(),
            )?;
            store::sealed_id(conn, id)
        })?;
        pii.decrypt(&sealed).map_err(AppError::internal)?
    } else {
        d.id_number_masked.clone()
    };
    let progress = crate::study::compute_progress(conn, id, d.program_id)?;
    let rows = store::records(conn, id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let files = store::with_files(conn, &ids)?;
    let totals =
        rules::minutes_by_kind(&rows.iter().map(|r| (r.kind, r.minutes)).collect::<Vec<_>>());
    let placements = crate::shadowing::placements_of(conn, id)?;
    let pids: Vec<i64> = placements.iter().map(|p| p.placement.id).collect();
    let rotation_rows = store::rotations(conn, &pids)?;
    let signer_ids: Vec<i64> = rotation_rows
        .iter()
        .filter_map(|r| r.signed_off_by)
        .collect();
    let signers: HashMap<i64, String> = store::user_names(conn, &signer_ids)?.into_iter().collect();
    let mut rotation_minutes: HashMap<i64, i64> = HashMap::new();
    for r in &rows {
        if let Some(rot) = r.rotation_id {
            *rotation_minutes.entry(rot).or_default() += i64::from(r.minutes);
        }
    }
    let shadowing = placements
        .into_iter()
        .map(|p| PlacementEntry {
            rotations: rotation_rows
                .iter()
                .filter(|r| r.placement_id == p.placement.id)
                .map(|r| RotationEntry {
                    id: r.id,
                    department: r.department.clone(),
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    supervisor: r.supervisor.clone(),
                    signed_off_by: r.signed_off_by.and_then(|u| signers.get(&u).cloned()),
                    signed_off_at: r.signed_off_at,
                    assessment_score: r.assessment_score,
                    summary: r.summary.clone(),
                    credited_minutes: rotation_minutes.get(&r.id).copied().unwrap_or(0),
                })
                .collect(),
            id: p.placement.id,
            base_name: p.base_name,
            starts_on: p.placement.starts_on,
            ends_on: p.placement.ends_on,
            assessment_score: p.placement.assessment_score,
            summary: p.placement.summary,
        })
        .collect();
    let sessions = rows
        .iter()
        .filter_map(|r| {
            Some(SessionEntry {
                session_id: r.session_id?,
                title: r.session.clone().unwrap_or_default(),
                occurred_on: r.occurred_on,
                minutes: r.minutes,
            })
        })
        .collect::<Vec<SessionEntry>>();
    let session_ids: Vec<i64> = sessions
        .iter()
        .map(|s: &SessionEntry| s.session_id)
        .collect();
    let documents = crate::archive::of_sessions(conn, caller, &session_ids)?;
    let records = rows
        .into_iter()
        .map(|r| {
            let evidence = [r.course, r.session, r.evidence]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("；");
            RecordEntry {
                has_file: files.contains(&r.id),
                id: r.id,
                kind: r.kind,
                kind_label: r.kind.label(),
                minutes: r.minutes,
                occurred_on: r.occurred_on,
                source: r.source,
                source_label: r.source.label(),
                source_ref: r.source_ref,
                evidence,
            }
        })
        .collect();
    let exams = exams_in(conn, id)?;
    let more = sections::read(conn, caller, &record)?;
    Ok(DossierView {
        doctor_id: id,
        identity: Identity {
            name: d.name.clone(),
            id_number,
            id_number_full: full,
            gender: d.gender.label(),
            birth_date: d.birth_date,
            phone: d.phone.clone(),
            education: d.education.label(),
            qualification: d.qualification.label(),
            region_code: d.region_code.clone(),
            region_name: record.region_name.clone(),
            clinic_name: record.clinic_name.clone(),
            status: d.status.label(),
            program_id: d.program_id,
            program_name: store::program_name(conn, d.program_id)?,
            cohort_year: d.cohort_year,
        },
        progress,
        totals,
        records,
        sessions,
        shadowing,
        exams,
        skills: more.skills,
        tutoring: more.tutoring,
        visits: more.visits,
        assessment: more.assessment,
        certificate: more.certificate,
        documents,
        generated_at: time::now(),
    })
}

/// The exams a doctor sat (the dossier's exam section).
fn exams_in(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<ExamEntry>> {
    Ok(store::attempts(conn, id)?
        .into_iter()
        .map(|a| ExamEntry {
            exam_id: a.exam_id,
            title: a.title,
            kind: a.kind,
            kind_label: a.kind.label(),
            year: a.year,
            attempt_no: a.attempt_no,
            submitted_at: a.submitted_at,
            score: a.score,
            max_score: a.max_score,
            passed: a.passed,
        })
        .collect())
}

/// The exams a doctor the caller may see has sat, without the rest of the dossier
/// (and without revealing its ID number): the county's drill-down page.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, doctor = id))]
pub async fn exams(state: &AppState, caller: &Caller, id: i64) -> AppResult<Vec<ExamEntry>> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            access::doctor(conn, &caller, id)?;
            exams_in(conn, id)
        })
        .await
}

/// `GET /api/v1/doctors/{id}/dossier`.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn dossier(state: &AppState, caller: &Caller, id: i64) -> AppResult<DossierView> {
    let caller = caller.clone();
    let pii = state.pii.clone();
    state
        .db(move |conn| dossier_in(conn, &pii, &caller, id))
        .await
}

/// The calling doctor's own dossier (the page `/dossier`); 404 for other roles.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn mine(state: &AppState, caller: &Caller) -> AppResult<DossierView> {
    let id = caller.doctor_id.ok_or(AppError::NotFound)?;
    dossier(state, caller, id).await
}

/// `GET /api/v1/doctors/{id}/dossier.xlsx` → (file name, bytes).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn xlsx(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = dossier(state, caller, id).await?;
    let mut book = XlsxBook::new();
    render::tables(&view, &mut book).map_err(AppError::internal)?;
    let bytes = book.into_bytes().map_err(AppError::internal)?;
    Ok((format!("dossier-{id}.xlsx"), bytes))
}

/// The dossier as a printable PDF: the same tables as the spreadsheet.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, doctor = id))]
pub async fn pdf(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = dossier(state, caller, id).await?;
    render_pdf(&view)
}

/// A dossier as a PDF: (file name, bytes).
pub fn render_pdf(view: &DossierView) -> AppResult<(String, Vec<u8>)> {
    let mut doc = crate::documents::Document::new(&format!("一人一册 · {}", view.identity.name));
    render::tables(view, &mut doc).map_err(AppError::internal)?;
    Ok((format!("一人一册-{}.pdf", view.identity.name), doc.render()))
}
