//! The progress table's maintained helpers, both kept by triggers on `doctors` (migration
//! `2026-12-03-000100_progress_tally`), so every path that writes a doctor keeps them:
//! - `progress_tally`: doctors per (county, status, program, first day behind, chart
//!   fifth): the count and the chart of a scope of a county or above, without a name
//!   filter, sum its counties' rows instead of visiting each doctor;
//! - `doctor_name_grams`: each character and each pair of adjacent characters of a
//!   doctor's name: a name search reads its rarest gram's postings and checks the full
//!   `LIKE` on those doctors only.
//!
//! And what `cunyi check ledger` compares and rebuilds them with.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Text};

use super::table::{BinRow, Filter, Summary, behind_before, bind, chart, load, programs_in};
use crate::db::{AnyConnection, Backend};
use crate::regions::Scope;

/// The postings a gram may have and still drive a search: past it, walking the scope's
/// index (which stops after a page) is cheaper than visiting each posting's doctor.
pub const RARE: i64 = 5_000;

/// `behind_from` of a doctor never behind, in the tally's key.
fn never(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "DATE '9999-12-31'",
        Backend::Sqlite => "'9999-12-31'",
    }
}

#[derive(QueryableByName)]
struct Level {
    #[diesel(sql_type = Text)]
    level: String,
}

/// Does the tally answer for this scope: is it the whole tree, or a county or above (so
/// that a doctor is in it exactly when its county is)?
pub fn answers(conn: &mut AnyConnection, scope: Option<&Scope>) -> QueryResult<bool> {
    let Some(scope) = scope else {
        return Ok(true);
    };
    let sql = match conn.backend() {
        Backend::Postgres => "SELECT level FROM regions WHERE path = $1",
        Backend::Sqlite => "SELECT level FROM regions WHERE path = ?",
    };
    let rows: Vec<Level> = load(conn, sql.to_owned(), vec![scope.lower().to_owned()])?;
    Ok(rows
        .first()
        .is_none_or(|r| matches!(r.level.as_str(), "province" | "city" | "county")))
}

/// The tally's FROM/WHERE for a filter (its name aside).
fn from_where(backend: Backend, programs: &[i64], filter: &Filter<'_>) -> (String, Vec<String>) {
    let mut binds = Vec::new();
    let mut arg = |value: String| bind(backend, &mut binds, value);
    let mut conds = vec![programs_in("t", programs)];
    let mut from = "FROM progress_tally t".to_owned();
    if let Some(scope) = filter.scope {
        from.push_str(" JOIN regions r ON r.code = t.county_code");
        conds.push(format!(
            "r.path >= {} AND r.path < {}",
            arg(scope.lower().to_owned()),
            arg(scope.upper())
        ));
    }
    if let Some(status) = filter.status {
        conds.push(format!("t.status = {}", arg(status.to_owned())));
    }
    (format!("{from} WHERE {}", conds.join(" AND ")), binds)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many doctors the filter keeps (no name filter; a scope [`answers`] for).
pub fn count(conn: &mut AnyConnection, programs: &[i64], filter: &Filter<'_>) -> QueryResult<i64> {
    let backend = conn.backend();
    let (mut sql, binds) = from_where(backend, programs, filter);
    if filter.behind_only {
        sql.push_str(&format!(
            " AND {}",
            behind_before(backend, "t", filter.today)
        ));
    }
    let rows: Vec<Count> = load(
        conn,
        format!("SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) AS n {sql}"),
        binds,
    )?;
    Ok(rows.first().map_or(0, |c| c.n))
}

/// The chart's counts (no name filter; a scope [`answers`] for), the behind filter aside.
pub fn summary(
    conn: &mut AnyConnection,
    programs: &[i64],
    filter: &Filter<'_>,
) -> QueryResult<Summary> {
    let backend = conn.backend();
    let (sql, binds) = from_where(backend, programs, filter);
    let query = format!(
        "SELECT t.progress_bin AS bin, CAST(SUM(t.n) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN {} THEN t.n ELSE 0 END) AS BIGINT) AS behind \
         {sql} GROUP BY t.progress_bin",
        behind_before(backend, "t", filter.today),
    );
    Ok(chart(load::<BinRow>(conn, query, binds)?))
}

/// The grams a search for `name` may take: its characters when it is one, else its
/// pairs of adjacent characters (each doctor whose name contains `name` has them all).
pub fn grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = if chars.len() < 2 {
        chars.iter().map(char::to_string).collect()
    } else {
        chars.windows(2).map(|w| w.iter().collect()).collect()
    };
    out.sort();
    out.dedup();
    out
}

/// The doctors a search for `name` may find, from its grams' postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidates {
    /// The doctors in every gram's postings (the grams of fewer than [`RARE`] postings;
    /// sorted): a superset of the matches, to check `LIKE` on. Empty: no doctor.
    Few(Vec<i64>),
    /// Every gram has [`RARE`] postings or more: walk the doctors instead.
    Many,
}

#[derive(QueryableByName)]
struct Posting {
    #[diesel(sql_type = BigInt)]
    doctor_id: i64,
}

/// The candidates of a search: the intersection of its grams' postings, each read up to
/// [`RARE`] (a gram with more is left out of the intersection). The ids come back to
/// the server and go into the query as a list, so both planners see how few they are.
pub fn candidates(conn: &mut AnyConnection, name: &str) -> QueryResult<Candidates> {
    let bind = match conn.backend() {
        Backend::Postgres => "$1",
        Backend::Sqlite => "?",
    };
    let query = format!(
        "SELECT doctor_id FROM doctor_name_grams WHERE gram = lower({bind}) \
         ORDER BY doctor_id LIMIT {RARE}"
    );
    let mut kept: Option<Vec<i64>> = None;
    for gram in grams(name) {
        let rows: Vec<Posting> = load(conn, query.clone(), vec![gram])?;
        if rows.len() >= usize::try_from(RARE).unwrap_or(usize::MAX) {
            continue;
        }
        let ids: Vec<i64> = rows.into_iter().map(|r| r.doctor_id).collect();
        let next = match kept.take() {
            None => ids,
            Some(prev) => intersect(&prev, &ids),
        };
        if next.is_empty() {
            return Ok(Candidates::Few(next));
        }
        kept = Some(next);
    }
    Ok(kept.map_or(Candidates::Many, Candidates::Few))
}

/// The ids in both sorted lists.
fn intersect(a: &[i64], b: &[i64]) -> Vec<i64> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// One tally key: (county, status, program, behind from, bin).
pub type TallyKey = (String, String, i64, NaiveDate, i32);

#[derive(QueryableByName)]
struct TallyRow {
    #[diesel(sql_type = Text)]
    county_code: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    program_id: i64,
    #[diesel(sql_type = Date)]
    behind_from: NaiveDate,
    #[diesel(sql_type = Integer)]
    progress_bin: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn tally_map(rows: Vec<TallyRow>) -> BTreeMap<TallyKey, i64> {
    rows.into_iter()
        .map(|r| {
            (
                (
                    r.county_code,
                    r.status,
                    r.program_id,
                    r.behind_from,
                    r.progress_bin,
                ),
                r.n,
            )
        })
        .collect()
}

fn recount_sql(backend: Backend) -> String {
    let behind = format!("COALESCE(behind_from, {})", never(backend));
    format!(
        "SELECT county_code, status, program_id, {behind} AS behind_from, progress_bin, \
         CAST(COUNT(*) AS BIGINT) AS n FROM doctors \
         GROUP BY county_code, status, program_id, {behind}, progress_bin"
    )
}

/// The tally as the doctors say it should be.
pub fn tally_expected(conn: &mut AnyConnection) -> QueryResult<BTreeMap<TallyKey, i64>> {
    let sql = recount_sql(conn.backend());
    Ok(tally_map(diesel::sql_query(sql).load(conn)?))
}

/// The tally as stored (rows of 0 doctors left out).
pub fn tally_stored(conn: &mut AnyConnection) -> QueryResult<BTreeMap<TallyKey, i64>> {
    Ok(tally_map(
        diesel::sql_query(
            "SELECT county_code, status, program_id, behind_from, progress_bin, n \
             FROM progress_tally WHERE n <> 0",
        )
        .load(conn)?,
    ))
}

/// Rewrite the tally from the doctors (inside a write transaction).
pub fn rebuild_tally(conn: &mut AnyConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM progress_tally").execute(conn)?;
    let sql = format!(
        "INSERT INTO progress_tally (county_code, status, program_id, behind_from, progress_bin, n) {}",
        recount_sql(conn.backend())
    );
    diesel::sql_query(sql).execute(conn)?;
    Ok(())
}

const EXPECTED_GRAMS: &str = "SELECT lower(substr(d.name, p.k, 1)) AS gram, d.id AS doctor_id \
     FROM doctors d JOIN name_gram_positions p ON p.k <= length(d.name) \
     UNION SELECT lower(substr(d.name, p.k, 2)) AS gram, d.id AS doctor_id \
     FROM doctors d JOIN name_gram_positions p ON p.k < length(d.name)";

#[derive(QueryableByName)]
struct DoctorId {
    #[diesel(sql_type = BigInt)]
    doctor_id: i64,
}

/// The doctors whose stored name grams differ from their names' (a posting missing or
/// extra), and those with a name longer than the triggers index.
pub fn gram_differences(conn: &mut AnyConnection) -> QueryResult<Vec<i64>> {
    let sql = format!(
        "SELECT doctor_id FROM (SELECT gram, doctor_id FROM ({EXPECTED_GRAMS}) e \
           EXCEPT SELECT gram, doctor_id FROM doctor_name_grams) missing \
         UNION SELECT doctor_id FROM (SELECT gram, doctor_id FROM doctor_name_grams \
           EXCEPT SELECT gram, doctor_id FROM ({EXPECTED_GRAMS}) e) extra \
         UNION SELECT id AS doctor_id FROM doctors \
           WHERE length(name) > (SELECT MAX(k) FROM name_gram_positions) \
         ORDER BY doctor_id"
    );
    let rows: Vec<DoctorId> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(|r| r.doctor_id).collect())
}

/// Rewrite every name gram from the doctors' names (inside a write transaction).
pub fn rebuild_grams(conn: &mut AnyConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM doctor_name_grams").execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO doctor_name_grams (gram, doctor_id) {EXPECTED_GRAMS}"
    ))
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{grams, intersect};

    #[test]
    fn a_search_takes_its_characters_when_one_else_its_adjacent_pairs() {
        assert_eq!(grams("李"), ["李"]);
        assert_eq!(grams("李晓梅"), ["晓梅", "李晓"]);
        assert_eq!(grams("哈哈哈"), ["哈哈"]);
        assert_eq!(grams("%_"), ["%_"]);
        assert!(grams("").is_empty());
    }

    #[test]
    fn candidates_are_in_every_gram_s_postings() {
        assert_eq!(intersect(&[1, 3, 5, 7], &[2, 3, 7, 9]), [3, 7]);
        assert!(intersect(&[1], &[]).is_empty());
    }
}
