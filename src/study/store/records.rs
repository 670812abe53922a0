//! Study records one at a time: reading them, the review queue, rejecting, evidence.
//! (Crediting — inserting and approving — is [`super::credit`]'s, through
//! [`crate::study::credit`].)

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Actor, Entry as AuditEntry};
use crate::db::schema::{doctors, evidence_files, regions, study_records};
use crate::db::{self, AnyConnection};
use crate::regions::Scope;
use crate::study::rules::Entry;
use crate::study::{RecordStatus, StudyRecord};

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<StudyRecord>> {
    study_records::table
        .find(id)
        .select(StudyRecord::as_select())
        .first(conn)
        .optional()
}

/// All records of a doctor, newest first.
pub fn of_doctor(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<StudyRecord>> {
    study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .order((study_records::occurred_on.desc(), study_records::id.desc()))
        .select(StudyRecord::as_select())
        .load(conn)
}

/// One page of a doctor's records, newest first, and how many it has in all.
pub fn page_of_doctor(
    conn: &mut AnyConnection,
    doctor_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<StudyRecord>, i64)> {
    let total = study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .count()
        .get_result(conn)?;
    let items = study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .order((study_records::occurred_on.desc(), study_records::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(StudyRecord::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// A doctor's records still awaiting review, newest first.
pub fn pending_of_doctor(
    conn: &mut AnyConnection,
    doctor_id: i64,
) -> QueryResult<Vec<StudyRecord>> {
    study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .filter(study_records::status.eq(RecordStatus::Pending))
        .order((study_records::occurred_on.desc(), study_records::id.desc()))
        .select(StudyRecord::as_select())
        .load(conn)
}

/// The sessions a doctor has a (not rejected) attendance record of.
pub fn sessions_attended(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<i64>> {
    study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .filter(study_records::status.ne(RecordStatus::Rejected))
        .filter(study_records::session_id.is_not_null())
        .select(study_records::session_id.assume_not_null())
        .load(conn)
}

/// The days logged in a shadowing rotation, by date.
pub fn of_rotation(conn: &mut AnyConnection, rotation_id: i64) -> QueryResult<Vec<StudyRecord>> {
    study_records::table
        .filter(study_records::rotation_id.eq(rotation_id))
        .order(study_records::occurred_on)
        .select(StudyRecord::as_select())
        .load(conn)
}

/// What the reference ledger needs of a doctor's records.
pub fn entries_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<Entry>> {
    Ok(of_doctor(conn, doctor_id)?
        .iter()
        .map(StudyRecord::entry)
        .collect())
}

/// A pending record with its doctor's name and village.
#[derive(Debug, Clone, Queryable)]
pub struct PendingRow {
    pub record: StudyRecord,
    pub doctor_name: String,
    /// Where the doctor works (its village, as a region name).
    pub village: String,
}

/// What the approval queue is asked for: a search on the doctor's name or its
/// village (region name), the order, and the page.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub search: Option<String>,
    pub oldest_first: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of the pending records of doctors in `scope` (or of the given doctors),
/// newest first unless asked otherwise, with the true total — paged in SQL, no cap.
pub fn pending_page(
    conn: &mut AnyConnection,
    scope: &Scope,
    only_doctors: Option<&[i64]>,
    filter: &QueueFilter,
) -> QueryResult<(Vec<PendingRow>, i64)> {
    let query = || {
        let mut q = study_records::table
            .inner_join(doctors::table.inner_join(regions::table))
            .filter(study_records::status.eq(RecordStatus::Pending))
            .filter(regions::path.ge(scope.lower().to_owned()))
            .filter(regions::path.lt(scope.upper()))
            .into_boxed();
        if let Some(ids) = only_doctors {
            q = q.filter(study_records::doctor_id.eq_any(ids.to_vec()));
        }
        if let Some(text) = filter.search.as_deref() {
            let pattern = format!("%{}%", crate::users::escape_like(text));
            q = q.filter(
                doctors::name
                    .like(pattern.clone())
                    .escape('\\')
                    .or(regions::name.like(pattern).escape('\\')),
            );
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let ordered = if filter.oldest_first {
        query().order((study_records::created_at.asc(), study_records::id.asc()))
    } else {
        query().order((study_records::created_at.desc(), study_records::id.desc()))
    };
    let items = ordered
        .offset(filter.offset)
        .limit(filter.limit)
        .select((StudyRecord::as_select(), doctors::name, regions::name))
        .load(conn)?;
    Ok((items, total))
}

/// Reject a pending record, audited. (Rejecting frees time; it needs no ledger check.)
pub fn reject(
    conn: &mut AnyConnection,
    record: &StudyRecord,
    note: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    db::write(conn, |conn| {
        let n = diesel::update(
            study_records::table
                .find(record.id)
                .filter(study_records::status.eq(RecordStatus::Pending)),
        )
        .set((
            study_records::status.eq(RecordStatus::Rejected),
            study_records::reviewed_by.eq(actor.id),
            study_records::reviewed_at.eq(Some(now)),
            study_records::review_note.eq(note),
            study_records::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n > 0 {
            super::totals::refresh(conn, &[record.doctor_id])?;
            audit_review(conn, record, false, actor, now)?;
        }
        Ok(n)
    })
}

/// The audit entry of a review.
pub fn audit_review(
    conn: &mut AnyConnection,
    record: &StudyRecord,
    approved: bool,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    audit::record(
        conn,
        actor,
        &AuditEntry::new(if approved {
            "study.approved"
        } else {
            "study.rejected"
        })
        .target(format!("study_record:{}", record.id))
        .detail(serde_json::json!({
            "doctor_id": record.doctor_id, "minutes": record.minutes, "kind": record.kind,
        })),
        now,
    )
}

/// Store an evidence image of a record (replacing an earlier one).
pub fn put_evidence(
    conn: &mut AnyConnection,
    record_id: i64,
    content_type: &str,
    content: &[u8],
    now: NaiveDateTime,
) -> QueryResult<()> {
    db::write(conn, |conn| {
        diesel::delete(evidence_files::table.find(record_id)).execute(conn)?;
        diesel::insert_into(evidence_files::table)
            .values((
                evidence_files::record_id.eq(record_id),
                evidence_files::content_type.eq(content_type),
                evidence_files::content.eq(content),
                evidence_files::created_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    })
}

/// An evidence image: its content type and bytes.
pub fn evidence(
    conn: &mut AnyConnection,
    record_id: i64,
) -> QueryResult<Option<(String, Vec<u8>)>> {
    evidence_files::table
        .find(record_id)
        .select((evidence_files::content_type, evidence_files::content))
        .first(conn)
        .optional()
}

/// Which of these records have an evidence image.
pub fn with_evidence(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    evidence_files::table
        .filter(evidence_files::record_id.eq_any(ids))
        .select(evidence_files::record_id)
        .load(conn)
}
