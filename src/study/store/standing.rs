//! The doctors' stored standing (`doctors.behind_from`, `doctors.progress_bin`): what
//! lets the progress table filter "behind" and count the chart from one covering index
//! (`doctors_count`) instead of the totals of every doctor in scope. Written beside the
//! totals by [`super::totals::refresh`], for a doctor when it is stored or changes
//! program, for a program's doctors when its policy changes, and at start for the rows
//! not computed yet (`progress_bin = -1`, as the migration leaves them).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable};

use crate::db::{AnyConnection, Backend};
use crate::study::rules::standing::{Credited, Standing, standing};

/// Doctors per statement.
const CHUNK: usize = 500;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    program_id: i64,
    #[diesel(sql_type = Integer)]
    online: i32,
    #[diesel(sql_type = Integer)]
    centralized: i32,
    #[diesel(sql_type = Integer)]
    shadowing: i32,
    #[diesel(sql_type = Integer)]
    tutoring: i32,
    #[diesel(sql_type = Integer)]
    skills_practice: i32,
}

#[derive(QueryableByName)]
struct StoredRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    behind_from: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    progress_bin: i32,
}

const SELECT: &str = "SELECT d.id AS id, d.program_id AS program_id, \
     COALESCE(t.online_minutes, 0) AS online, \
     COALESCE(t.centralized_minutes, 0) AS centralized, \
     COALESCE(t.shadowing_minutes, 0) AS shadowing, \
     COALESCE(t.tutoring_minutes, 0) AS tutoring, \
     COALESCE(t.skills_practice_minutes, 0) AS skills_practice \
     FROM doctors d LEFT JOIN study_doctor_totals t ON t.doctor_id = d.id";

/// The programs' policies, read once per program asked for.
#[derive(Default)]
struct Policies(HashMap<i64, Option<(crate::program::Policy, std::ops::RangeInclusive<i32>)>>);

impl Policies {
    fn standing(&mut self, conn: &mut AnyConnection, r: &Row) -> QueryResult<Standing> {
        if let std::collections::hash_map::Entry::Vacant(e) = self.0.entry(r.program_id) {
            e.insert(crate::program::policy(conn, r.program_id)?);
        }
        let credited = Credited {
            online: r.online,
            centralized: r.centralized,
            shadowing: r.shadowing,
            tutoring: r.tutoring,
            skills_practice: r.skills_practice,
        };
        // A doctor of no program (cannot happen: a foreign key) is never behind.
        Ok(match self.0.get(&r.program_id).and_then(Option::as_ref) {
            Some((policy, years)) => standing(
                &policy.requirements,
                &policy.deadlines,
                years.clone(),
                &credited,
            ),
            None => Standing {
                behind_from: None,
                bin: 0,
            },
        })
    }
}

/// What each of these doctors' standing should be, from their totals and programs.
fn expected_where(
    conn: &mut AnyConnection,
    condition: &str,
) -> QueryResult<BTreeMap<i64, Standing>> {
    let rows: Vec<Row> = diesel::sql_query(format!("{SELECT} WHERE {condition}")).load(conn)?;
    let mut policies = Policies::default();
    let mut out = BTreeMap::new();
    for r in rows {
        let s = policies.standing(conn, &r)?;
        out.insert(r.id, s);
    }
    Ok(out)
}

fn date_literal(backend: Backend, d: Option<NaiveDate>) -> String {
    match (d, backend) {
        // A CASE of untyped NULLs alone would be text on PostgreSQL.
        (None, Backend::Postgres) => "CAST(NULL AS DATE)".to_owned(),
        (None, Backend::Sqlite) => "NULL".to_owned(),
        (Some(d), Backend::Postgres) => format!("DATE '{d}'"),
        (Some(d), Backend::Sqlite) => format!("'{d}'"),
    }
}

/// Store these standings: one statement per chunk (dates and integers inlined: no binds).
fn store(conn: &mut AnyConnection, standings: &BTreeMap<i64, Standing>) -> QueryResult<()> {
    let backend = conn.backend();
    let all: Vec<(&i64, &Standing)> = standings.iter().collect();
    for chunk in all.chunks(CHUNK) {
        let mut from = String::new();
        let mut bin = String::new();
        let mut ids = Vec::with_capacity(chunk.len());
        for (id, s) in chunk {
            from.push_str(&format!(
                " WHEN {id} THEN {}",
                date_literal(backend, s.behind_from)
            ));
            bin.push_str(&format!(" WHEN {id} THEN {}", s.bin));
            ids.push(id.to_string());
        }
        diesel::sql_query(format!(
            "UPDATE doctors SET behind_from = CASE id{from} END, \
             progress_bin = CASE id{bin} END WHERE id IN ({})",
            ids.join(",")
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Recompute and store these doctors' standing. Call it in the transaction that changed
/// their totals or program (after the totals).
pub fn refresh(conn: &mut AnyConnection, doctor_ids: &[i64]) -> QueryResult<()> {
    let mut ids = doctor_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let expected = expected_where(conn, &format!("d.id IN ({list})"))?;
        store(conn, &expected)?;
    }
    Ok(())
}

/// Recompute the standing of a program's doctors (its requirements or calendar changed).
pub fn refresh_program(conn: &mut AnyConnection, program_id: i64) -> QueryResult<usize> {
    let expected = expected_where(conn, &format!("d.program_id = {program_id}"))?;
    store(conn, &expected)?;
    Ok(expected.len())
}

/// Compute the standing of every doctor stored without one (`progress_bin = -1`): the
/// rows the migration added, or a doctor inserted by a path that does not compute it.
pub fn refresh_uncomputed(conn: &mut AnyConnection) -> QueryResult<usize> {
    let expected = expected_where(conn, "d.progress_bin < 0")?;
    store(conn, &expected)?;
    Ok(expected.len())
}

/// Every doctor's standing as its totals and program say it should be.
pub fn expected(conn: &mut AnyConnection) -> QueryResult<BTreeMap<i64, Standing>> {
    expected_where(conn, "1 = 1")
}

/// Every doctor's standing as stored.
pub fn stored(conn: &mut AnyConnection) -> QueryResult<BTreeMap<i64, Standing>> {
    let rows: Vec<StoredRow> =
        diesel::sql_query("SELECT id, behind_from, progress_bin FROM doctors").load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Standing {
                    behind_from: r.behind_from,
                    bin: r.progress_bin,
                },
            )
        })
        .collect())
}
