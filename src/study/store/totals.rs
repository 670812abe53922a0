//! The ledger's maintained totals: per doctor × kind × year (`study_totals`) and per
//! doctor (`study_doctor_totals`). [`refresh`] rewrites a doctor's totals from its
//! records (and the doctors' standing, `super::standing`) and is called by every write of
//! study records, inside its transaction — so a progress read is a primary-key range of a
//! few rows, not an aggregate of the ledger.
//! [`recomputed`], [`stored`] and [`doctor_totals`] let `cunyi check ledger` compare.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::db::schema::study_totals;
use crate::db::{AnyConnection, Backend};
use crate::study::StudyKind;
use crate::study::rules::Ledger;

/// Doctors per statement: well within both backends' bind limits.
const CHUNK: usize = 500;

/// One doctor × kind × year total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, QueryableByName)]
pub struct Totals {
    #[diesel(sql_type = Integer)]
    pub credited_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub pending_minutes: i32,
    #[diesel(sql_type = Integer)]
    pub records: i32,
    #[diesel(sql_type = Integer)]
    pub credited_days: i32,
    #[diesel(sql_type = BigInt)]
    pub score_sum: i64,
    #[diesel(sql_type = Integer)]
    pub score_count: i32,
}

/// The key of a [`Totals`] row.
pub type Key = (i64, StudyKind, i32);

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    doctor_id: i64,
    #[diesel(sql_type = Text)]
    kind: StudyKind,
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(embed)]
    totals: Totals,
}

/// The aggregate of the records that the totals hold (`{filter}` on `study_records`).
fn aggregate(backend: Backend, filter: &str) -> String {
    let (year, int, big) = match backend {
        Backend::Postgres => (
            "CAST(EXTRACT(YEAR FROM occurred_on) AS INTEGER)",
            "INTEGER",
            "BIGINT",
        ),
        Backend::Sqlite => (
            "CAST(substr(occurred_on, 1, 4) AS INTEGER)",
            "INTEGER",
            "BIGINT",
        ),
    };
    format!(
        "SELECT doctor_id, kind, {year} AS year, \
         CAST(COALESCE(SUM(CASE WHEN status = 'approved' THEN minutes END), 0) AS {int}) AS credited_minutes, \
         CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN minutes END), 0) AS {int}) AS pending_minutes, \
         CAST(COUNT(*) AS {int}) AS records, \
         CAST(COUNT(DISTINCT CASE WHEN status = 'approved' THEN occurred_on END) AS {int}) AS credited_days, \
         CAST(COALESCE(SUM(CASE WHEN status = 'approved' THEN unit_score END), 0) AS {big}) AS score_sum, \
         CAST(COUNT(CASE WHEN status = 'approved' THEN unit_score END) AS {int}) AS score_count \
         FROM study_records WHERE {filter} GROUP BY doctor_id, kind, {year}"
    )
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Rewrite these doctors' totals from their records. Call it inside the transaction
/// that wrote the records (it reads what that transaction wrote).
pub fn refresh(conn: &mut AnyConnection, doctor_ids: &[i64]) -> QueryResult<()> {
    let mut ids = doctor_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let backend = conn.backend();
    for chunk in ids.chunks(CHUNK) {
        // Ids are integers: inlined, they need no binds (and no bind limit).
        let list = id_list(chunk);
        diesel::sql_query(format!(
            "DELETE FROM study_totals WHERE doctor_id IN ({list})"
        ))
        .execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO study_totals (doctor_id, kind, year, credited_minutes, \
             pending_minutes, records, credited_days, score_sum, score_count) {}",
            aggregate(backend, &format!("doctor_id IN ({list})"))
        ))
        .execute(conn)?;
        diesel::sql_query(format!(
            "DELETE FROM study_doctor_totals WHERE doctor_id IN ({list})"
        ))
        .execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO study_doctor_totals (doctor_id, online_minutes, centralized_minutes, \
             shadowing_minutes, tutoring_minutes, skills_practice_minutes, pending_minutes) \
             SELECT doctor_id, \
             SUM(CASE WHEN kind = 'online' THEN credited_minutes ELSE 0 END), \
             SUM(CASE WHEN kind = 'centralized' THEN credited_minutes ELSE 0 END), \
             SUM(CASE WHEN kind = 'shadowing' THEN credited_minutes ELSE 0 END), \
             SUM(CASE WHEN kind = 'tutoring' THEN credited_minutes ELSE 0 END), \
             SUM(CASE WHEN kind = 'skills_practice' THEN credited_minutes ELSE 0 END), \
             SUM(pending_minutes) \
             FROM study_totals WHERE doctor_id IN ({list}) GROUP BY doctor_id"
        ))
        .execute(conn)?;
        // The standing follows from the totals just written.
        super::standing::refresh(conn, chunk)?;
    }
    Ok(())
}

fn keyed(rows: Vec<Row>) -> BTreeMap<Key, Totals> {
    rows.into_iter()
        .map(|r| ((r.doctor_id, r.kind, r.year), r.totals))
        .collect()
}

/// Every total as the records say it should be.
pub fn recomputed(conn: &mut AnyConnection) -> QueryResult<BTreeMap<Key, Totals>> {
    let sql = aggregate(conn.backend(), "1 = 1");
    Ok(keyed(diesel::sql_query(sql).load(conn)?))
}

/// Every total as stored.
pub fn stored(conn: &mut AnyConnection) -> QueryResult<BTreeMap<Key, Totals>> {
    Ok(keyed(
        diesel::sql_query(
            "SELECT doctor_id, kind, year, credited_minutes, pending_minutes, records, \
             credited_days, score_sum, score_count FROM study_totals",
        )
        .load(conn)?,
    ))
}

/// Per-doctor sums: credited minutes by kind (online, centralized, shadowing, tutoring,
/// skills practice) and pending minutes.
pub type DoctorSums = [i64; 6];

#[derive(QueryableByName)]
struct DoctorRow {
    #[diesel(sql_type = BigInt)]
    doctor_id: i64,
    #[diesel(sql_type = BigInt)]
    o: i64,
    #[diesel(sql_type = BigInt)]
    c: i64,
    #[diesel(sql_type = BigInt)]
    s: i64,
    #[diesel(sql_type = BigInt)]
    t: i64,
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = BigInt)]
    p: i64,
}

/// The per-doctor rows as stored.
pub fn doctor_totals(conn: &mut AnyConnection) -> QueryResult<BTreeMap<i64, DoctorSums>> {
    let rows: Vec<DoctorRow> = diesel::sql_query(
        "SELECT doctor_id, CAST(online_minutes AS BIGINT) AS o, \
         CAST(centralized_minutes AS BIGINT) AS c, CAST(shadowing_minutes AS BIGINT) AS s, \
         CAST(tutoring_minutes AS BIGINT) AS t, CAST(skills_practice_minutes AS BIGINT) AS k, \
         CAST(pending_minutes AS BIGINT) AS p FROM study_doctor_totals",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.doctor_id, [r.o, r.c, r.s, r.t, r.k, r.p]))
        .collect())
}

/// The per-doctor rows that these totals sum to.
pub fn sum_by_doctor(totals: &BTreeMap<Key, Totals>) -> BTreeMap<i64, DoctorSums> {
    let mut out: BTreeMap<i64, DoctorSums> = BTreeMap::new();
    for ((doctor, kind, _), t) in totals {
        let sums = out.entry(*doctor).or_default();
        let i = match kind {
            StudyKind::Online => 0,
            StudyKind::Centralized => 1,
            StudyKind::Shadowing => 2,
            StudyKind::Tutoring => 3,
            StudyKind::SkillsPractice => 4,
        };
        sums[i] += i64::from(t.credited_minutes);
        sums[5] += i64::from(t.pending_minutes);
    }
    out
}

/// One doctor's ledger from its totals: a read of a few rows by primary key.
pub fn ledger_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Ledger> {
    let rows: Vec<(StudyKind, i32, i32, i32, i32, i64, i32)> = study_totals::table
        .filter(study_totals::doctor_id.eq(doctor_id))
        .select((
            study_totals::kind,
            study_totals::year,
            study_totals::credited_minutes,
            study_totals::pending_minutes,
            study_totals::credited_days,
            study_totals::score_sum,
            study_totals::score_count,
        ))
        .load(conn)?;
    let mut ledger = Ledger::default();
    for (kind, year, credited, pending, days, score_sum, score_count) in rows {
        ledger.add_totals(kind, year, credited, pending);
        if kind == StudyKind::Online {
            ledger.online_days += usize::try_from(days).unwrap_or(0);
            ledger.unit_scores.0 += score_sum;
            ledger.unit_scores.1 += i64::from(score_count);
        }
    }
    Ok(ledger)
}
