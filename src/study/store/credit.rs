//! The reads and writes of [`crate::study::credit`], all set-based (chunks of ids, never
//! a query per line), all meant to run inside its write transaction.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{courses, doctors, programs, study_records};
use crate::points::Points;
use crate::study::rules::Entry;
use crate::study::{NewRecord, RecordStatus, StudyKind, StudyRecord};

/// Ids per `IN (…)` list: well within both backends' bind limits.
const CHUNK: usize = 500;

/// A doctor as crediting needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorFacts {
    pub program_id: i64,
    pub in_post: bool,
    pub name: String,
}

/// Lock the doctors' rows — in id order, so two crediting transactions never wait on
/// each other crosswise — and read what crediting needs of them. On PostgreSQL the lock
/// (`FOR UPDATE`) serialises every credit of a doctor; SQLite's `BEGIN IMMEDIATE` already
/// admits one writer at a time.
pub fn lock_doctors(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<HashMap<i64, DoctorFacts>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let query = doctors::table
            .filter(doctors::id.eq_any(chunk))
            .order(doctors::id)
            .select((
                doctors::id,
                doctors::program_id,
                doctors::status,
                doctors::name,
            ));
        let rows: Vec<(i64, i64, String, String)> = match conn {
            AnyConnection::Postgresql(c) => query.for_update().load(c)?,
            AnyConnection::Sqlite(c) => query.load(c)?,
        };
        for (id, program_id, status, name) in rows {
            let in_post = crate::roster::DoctorStatus::parse(&status)
                == Some(crate::roster::DoctorStatus::Active);
            out.insert(
                id,
                DoctorFacts {
                    program_id,
                    in_post,
                    name,
                },
            );
        }
    }
    Ok(out)
}

/// The training years of programs.
pub fn program_years(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<HashMap<i64, std::ops::RangeInclusive<i32>>> {
    let rows: Vec<(i64, i32, i32)> = programs::table
        .filter(programs::id.eq_any(ids))
        .select((programs::id, programs::start_year, programs::end_year))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, s, e)| (id, s..=e)).collect())
}

/// The length of courses.
pub fn course_lengths(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, i32>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, i32)> = courses::table
            .filter(courses::id.eq_any(chunk))
            .select((courses::id, courses::minutes))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// A stored record that counts against its doctor's days, with its id.
pub struct Counting {
    pub id: i64,
    pub doctor_id: i64,
    pub entry: Entry,
}

type CountingRow = (
    i64,
    i64,
    StudyKind,
    i32,
    NaiveDate,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    RecordStatus,
);

/// The doctors' counting (pending or approved) records between two days, both included.
pub fn counting_between(
    conn: &mut AnyConnection,
    doctor_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Counting>> {
    let mut out = Vec::new();
    for chunk in doctor_ids.chunks(CHUNK) {
        let rows: Vec<CountingRow> = study_records::table
            .filter(study_records::doctor_id.eq_any(chunk))
            .filter(study_records::occurred_on.between(from, to))
            .filter(study_records::status.ne(RecordStatus::Rejected))
            .select((
                study_records::id,
                study_records::doctor_id,
                study_records::kind,
                study_records::minutes,
                study_records::occurred_on,
                study_records::starts_at,
                study_records::ends_at,
                study_records::status,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(
            |(id, doctor_id, kind, minutes, occurred_on, s, e, status)| Counting {
                id,
                doctor_id,
                entry: Entry {
                    kind,
                    minutes,
                    occurred_on,
                    interval: s.zip(e),
                    status,
                    // Course minutes are read as sums (`course_used`).
                    course_id: None,
                    unit_score: None,
                },
            },
        ));
    }
    Ok(out)
}

/// Which of these (doctor, source reference) pairs are already in the ledger.
pub fn taken_refs(
    conn: &mut AnyConnection,
    pairs: &[(i64, &str)],
) -> QueryResult<HashSet<(i64, String)>> {
    let mut out = HashSet::new();
    for chunk in pairs.chunks(CHUNK) {
        let doctors: HashSet<i64> = chunk.iter().map(|(d, _)| *d).collect();
        let refs: HashSet<&str> = chunk.iter().map(|(_, r)| *r).collect();
        let rows: Vec<(i64, String)> = study_records::table
            .filter(study_records::doctor_id.eq_any(doctors))
            .filter(study_records::source_ref.eq_any(refs))
            .select((study_records::doctor_id, study_records::source_ref))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Approved minutes per (doctor, course) of these doctors and courses.
pub fn course_used(
    conn: &mut AnyConnection,
    doctor_ids: &[i64],
    course_ids: &[i64],
) -> QueryResult<HashMap<(i64, i64), i32>> {
    let mut out = HashMap::new();
    if course_ids.is_empty() {
        return Ok(out);
    }
    for chunk in doctor_ids.chunks(CHUNK) {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = study_records::table
            .filter(study_records::doctor_id.eq_any(chunk))
            .filter(study_records::course_id.eq_any(course_ids))
            .filter(study_records::status.eq(RecordStatus::Approved))
            .group_by((study_records::doctor_id, study_records::course_id))
            .select((
                study_records::doctor_id,
                study_records::course_id,
                diesel::dsl::sum(study_records::minutes),
            ))
            .load(conn)?;
        for (doctor, course, sum) in rows {
            if let Some(course) = course {
                let minutes = i32::try_from(sum.unwrap_or(0)).unwrap_or(i32::MAX);
                out.insert((doctor, course), minutes);
            }
        }
    }
    Ok(out)
}

/// Records by id (those to approve).
pub fn records(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<StudyRecord>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            study_records::table
                .filter(study_records::id.eq_any(chunk))
                .order(study_records::id)
                .select(StudyRecord::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

#[derive(Insertable)]
#[diesel(table_name = study_records)]
struct Row<'a> {
    doctor_id: i64,
    program_id: i64,
    kind: StudyKind,
    minutes: i32,
    occurred_on: NaiveDate,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    course_id: Option<i64>,
    session_id: Option<i64>,
    rotation_id: Option<i64>,
    source: crate::study::Source,
    source_ref: &'a str,
    status: RecordStatus,
    evidence: Option<&'a str>,
    unit_score: Option<Points>,
    created_by: Option<i64>,
    reviewed_by: Option<i64>,
    reviewed_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Insert checked lines, each with its doctor's program, in multi-row batches; returns
/// (id, doctor, source reference) of each.
pub fn insert(
    conn: &mut AnyConnection,
    lines: &[(&NewRecord, i64)],
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64, String)>> {
    let mut out = Vec::with_capacity(lines.len());
    for chunk in lines.chunks(400) {
        let rows: Vec<Row<'_>> = chunk
            .iter()
            .map(|(new, program_id)| {
                let approved = new.status == RecordStatus::Approved;
                Row {
                    doctor_id: new.doctor_id,
                    program_id: *program_id,
                    kind: new.kind,
                    minutes: new.minutes,
                    occurred_on: new.occurred_on,
                    starts_at: new.interval.map(|i| i.0),
                    ends_at: new.interval.map(|i| i.1),
                    course_id: new.course_id,
                    session_id: new.session_id,
                    rotation_id: new.rotation_id,
                    source: new.source,
                    source_ref: &new.source_ref,
                    status: new.status,
                    evidence: new.evidence.as_deref(),
                    unit_score: new.unit_score,
                    created_by: new.created_by,
                    reviewed_by: if approved { new.created_by } else { None },
                    reviewed_at: if approved { Some(now) } else { None },
                    created_at: now,
                    updated_at: now,
                }
            })
            .collect();
        let ids: Vec<(i64, i64, String)> =
            crate::per_backend!(conn, |c| diesel::insert_into(study_records::table)
                .values(&rows)
                .returning((
                    study_records::id,
                    study_records::doctor_id,
                    study_records::source_ref
                ))
                .get_results(c))?;
        out.extend(ids);
    }
    Ok(out)
}

/// Approve pending records (their checks passed), recording the reviewer.
pub fn approve(
    conn: &mut AnyConnection,
    ids: &[i64],
    reviewer: Option<i64>,
    note: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(CHUNK) {
        n += diesel::update(
            study_records::table
                .filter(study_records::id.eq_any(chunk))
                .filter(study_records::status.eq(RecordStatus::Pending)),
        )
        .set((
            study_records::status.eq(RecordStatus::Approved),
            study_records::reviewed_by.eq(reviewer),
            study_records::reviewed_at.eq(Some(now)),
            study_records::review_note.eq(note),
            study_records::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(n)
}
