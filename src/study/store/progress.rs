//! What progress is computed from: each doctor's ledger as one indexed aggregate, the
//! doctors of a progress table, the course catalog.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::db::schema::{courses, doctors, regions};
use crate::db::{AnyConnection, Backend};
use crate::regions::Scope;
use crate::study::rules::Ledger;
use crate::study::{Course, RecordStatus, StudyKind};

/// Whose ledgers to aggregate.
#[derive(Debug, Clone, Copy)]
pub enum Whose<'a> {
    Doctor(i64),
    /// Every doctor whose region lies in the scope.
    InScope(&'a Scope),
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    doctor_id: i64,
    #[diesel(sql_type = Text)]
    kind: StudyKind,
    #[diesel(sql_type = Text)]
    status: RecordStatus,
    #[diesel(sql_type = Text)]
    year: String,
    #[diesel(sql_type = BigInt)]
    minutes: i64,
    #[diesel(sql_type = BigInt)]
    days: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    score_sum: Option<i64>,
    #[diesel(sql_type = BigInt)]
    score_count: i64,
}

/// Doctors' ledgers from one aggregate: minutes by (kind, status, year), online days,
/// unit-score sums. Equal to [`crate::study::rules::ledger`] over the records because
/// [`crate::study::credit`] keeps the invariants (no day over 24 h, no course past its
/// length); a test checks the two agree.
pub fn ledgers(conn: &mut AnyConnection, whose: Whose<'_>) -> QueryResult<HashMap<i64, Ledger>> {
    let (year, minutes, days, sum, count, p1, p2) = match conn.backend() {
        Backend::Postgres => (
            "EXTRACT(YEAR FROM s.occurred_on)::text",
            "SUM(s.minutes)::bigint",
            "COUNT(DISTINCT s.occurred_on)::bigint",
            "SUM(s.unit_score)::bigint",
            "COUNT(s.unit_score)::bigint",
            "$1",
            "$2",
        ),
        Backend::Sqlite => (
            "substr(s.occurred_on, 1, 4)",
            "SUM(s.minutes)",
            "COUNT(DISTINCT s.occurred_on)",
            "SUM(s.unit_score)",
            "COUNT(s.unit_score)",
            "?",
            "?",
        ),
    };
    let filter = match whose {
        Whose::Doctor(_) => format!("s.doctor_id = {p1}"),
        // Drive from the doctors in scope (a range of the region index) and probe the
        // per-doctor index; joining from the records let planners scan all of them.
        Whose::InScope(_) => format!(
            "s.doctor_id IN (SELECT d.id FROM doctors d JOIN regions r ON r.code = d.region_code \
             WHERE r.path >= {p1} AND r.path < {p2})"
        ),
    };
    let sql = format!(
        "SELECT s.doctor_id AS doctor_id, s.kind AS kind, s.status AS status, {year} AS year, \
         {minutes} AS minutes, {days} AS days, {sum} AS score_sum, {count} AS score_count \
         FROM study_records s WHERE {filter} GROUP BY s.doctor_id, s.kind, s.status, {year}"
    );
    let rows: Vec<Row> = match whose {
        Whose::Doctor(id) => diesel::sql_query(sql).bind::<BigInt, _>(id).load(conn)?,
        Whose::InScope(scope) => diesel::sql_query(sql)
            .bind::<Text, _>(scope.lower().to_owned())
            .bind::<Text, _>(scope.upper())
            .load(conn)?,
    };
    let mut out: HashMap<i64, Ledger> = HashMap::new();
    for r in rows {
        let year: i32 = r.year.parse().map_err(|_| {
            diesel::result::Error::DeserializationError(
                format!("a study record's year {:?}", r.year).into(),
            )
        })?;
        let ledger = out.entry(r.doctor_id).or_default();
        let minutes = i32::try_from(r.minutes).unwrap_or(i32::MAX);
        match r.status {
            RecordStatus::Approved => {
                *ledger
                    .by_year
                    .entry(year)
                    .or_default()
                    .entry(r.kind)
                    .or_default() += minutes;
                if r.kind == StudyKind::Online {
                    // Distinct days per year add up: a day lies in one year.
                    ledger.online_days += usize::try_from(r.days).unwrap_or(0);
                    ledger.unit_scores.0 += r.score_sum.unwrap_or(0);
                    ledger.unit_scores.1 += r.score_count;
                }
            }
            RecordStatus::Pending => *ledger.pending.entry(r.kind).or_default() += minutes,
            RecordStatus::Rejected => {}
        }
    }
    Ok(out)
}

/// One doctor's ledger (see [`ledgers`]).
pub fn ledger_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Ledger> {
    Ok(ledgers(conn, Whose::Doctor(doctor_id))?
        .remove(&doctor_id)
        .unwrap_or_default())
}

/// A doctor on a progress table.
#[derive(Debug, Clone, Queryable)]
pub struct TableDoctor {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub region_path: String,
    pub cohort_year: i32,
    pub program_id: i64,
}

/// The doctors of a progress table: in `scope`, of one status (`None`: any), by region
/// code then id (as the roster lists them).
pub fn table_doctors(
    conn: &mut AnyConnection,
    scope: &Scope,
    status: Option<&str>,
) -> QueryResult<Vec<TableDoctor>> {
    let mut q = doctors::table
        .inner_join(regions::table)
        .filter(regions::path.ge(scope.lower().to_owned()))
        .filter(regions::path.lt(scope.upper()))
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(doctors::status.eq(status.to_owned()));
    }
    q.order((doctors::region_code, doctors::id))
        .select((
            doctors::id,
            doctors::name,
            doctors::region_code,
            regions::name,
            regions::path,
            doctors::cohort_year,
            doctors::program_id,
        ))
        .load(conn)
}

/// A program's online courses, in catalog order.
pub fn courses_of(conn: &mut AnyConnection, program_id: i64) -> QueryResult<Vec<Course>> {
    courses::table
        .filter(courses::program_id.eq(program_id))
        .order((courses::sort, courses::id))
        .select(Course::as_select())
        .load(conn)
}

/// Course lengths of a program (the reference ledger's caps).
pub fn course_minutes(conn: &mut AnyConnection, program_id: i64) -> QueryResult<HashMap<i64, i32>> {
    Ok(courses::table
        .filter(courses::program_id.eq(program_id))
        .select((courses::id, courses::minutes))
        .load::<(i64, i32)>(conn)?
        .into_iter()
        .collect())
}
