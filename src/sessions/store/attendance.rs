//! A session's attendance: who is credited, who may be.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{doctors, regions, study_records};
use crate::regions::Scope;
use crate::sessions::views::Attendee;
use crate::study::{RecordStatus, StudyRecord};

/// A session's records with the doctors' names and masked ID numbers, by name.
pub fn attendance(conn: &mut AnyConnection, session_id: i64) -> QueryResult<Vec<Attendee>> {
    study_records::table
        .inner_join(doctors::table)
        .filter(study_records::session_id.eq(session_id))
        .order(doctors::name)
        .select((
            StudyRecord::as_select(),
            doctors::name,
            doctors::id_number_masked,
        ))
        .load(conn)
}

/// The doctors a session already counts (pending or approved records).
pub fn attendees(conn: &mut AnyConnection, session_id: i64) -> QueryResult<Vec<i64>> {
    study_records::table
        .filter(study_records::session_id.eq(session_id))
        .filter(study_records::status.ne(RecordStatus::Rejected))
        .select(study_records::doctor_id)
        .load(conn)
}

/// A doctor as marking attendance needs it.
#[derive(Debug, Clone, Queryable)]
pub struct Candidate {
    pub id: i64,
    pub program_id: i64,
    pub path: String,
    pub name: String,
    pub region_name: String,
}

/// These doctors, by id (one query per 500).
pub fn doctors(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Candidate>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Candidate> = doctors::table
            .inner_join(regions::table)
            .filter(doctors::id.eq_any(chunk))
            .select((
                doctors::id,
                doctors::program_id,
                regions::path,
                doctors::name,
                regions::name,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|c| (c.id, c)));
    }
    Ok(out)
}

/// Doctors in post of a program in `scope`, by region and id, at most `limit` (the
/// marking list).
pub fn candidates(
    conn: &mut AnyConnection,
    scope: &Scope,
    program_id: i64,
    limit: i64,
) -> QueryResult<Vec<Candidate>> {
    doctors::table
        .inner_join(regions::table)
        .filter(crate::regions::in_scope(scope))
        .filter(doctors::program_id.eq(program_id))
        .filter(doctors::status.eq(crate::roster::DoctorStatus::Active.as_str()))
        .order((doctors::region_code, doctors::id))
        .limit(limit)
        .select((
            doctors::id,
            doctors::program_id,
            regions::path,
            doctors::name,
            regions::name,
        ))
        .load(conn)
}
