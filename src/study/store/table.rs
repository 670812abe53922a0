//! The progress table in SQL over the maintained totals: one page of doctors in
//! (region code, id) order, its count, and the chart's counts — filtered by scope,
//! status, name and "behind schedule". Behind and the chart's fifth are the doctors'
//! stored standing (`super::standing`: `behind_from <= today`, `progress_bin`). Without a
//! name, the count and the chart of a county or above sum the maintained tally's rows
//! (`super::tally`, per county and standing); of a township or village they read one
//! covering index of `doctors` (`doctors_count`, one range per region of the scope). A
//! name search reaches its candidates through the name grams' postings. A page costs a
//! page, not the county.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::db::schema::programs;
use crate::db::{AnyConnection, Backend};
use crate::regions::Scope;

use super::tally;

/// What the table keeps.
#[derive(Debug, Clone)]
pub struct Filter<'a> {
    pub scope: Option<&'a Scope>,
    /// `None`: any status.
    pub status: Option<&'a str>,
    /// Part of the doctor's name.
    pub name: Option<&'a str>,
    pub behind_only: bool,
    /// The day "behind" is asked for (China Standard Time).
    pub today: NaiveDate,
}

/// A doctor's line, with its per-doctor totals.
#[derive(Debug, Clone, QueryableByName)]
pub struct Line {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub region_code: String,
    #[diesel(sql_type = Text)]
    pub region_name: String,
    #[diesel(sql_type = Text)]
    pub region_path: String,
    #[diesel(sql_type = Integer)]
    pub cohort_year: i32,
    #[diesel(sql_type = BigInt)]
    pub program_id: i64,
    #[diesel(sql_type = Integer)]
    pub online: i32,
    #[diesel(sql_type = Integer)]
    pub centralized: i32,
    #[diesel(sql_type = Integer)]
    pub shadowing: i32,
    #[diesel(sql_type = Integer)]
    pub tutoring: i32,
    #[diesel(sql_type = Integer)]
    pub skills_practice: i32,
    #[diesel(sql_type = Integer)]
    pub pending: i32,
}

/// The chart's counts: doctors kept (without the behind filter), behind, and per fifth
/// of the requirements (the last: hours met).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: i64,
    pub behind: i64,
    pub bins: [i64; 6],
}

struct Sql {
    from_where: String,
    binds: Vec<String>,
}

/// `{table}.behind_from <= today`: the stored standing's first day behind (an inlined
/// date literal: a text bind is no date on PostgreSQL).
pub(super) fn behind_before(backend: Backend, table: &str, today: NaiveDate) -> String {
    match backend {
        Backend::Postgres => format!("{table}.behind_from <= DATE '{today}'"),
        Backend::Sqlite => format!("{table}.behind_from <= '{today}'"),
    }
}

/// Keep `value` as the next bind and return its placeholder (`$n` or `?`).
pub(super) fn bind(backend: Backend, binds: &mut Vec<String>, value: String) -> String {
    binds.push(value);
    match backend {
        Backend::Postgres => format!("${}", binds.len()),
        Backend::Sqlite => "?".to_owned(),
    }
}

/// `{table}.program_id IN (…)` over the programs' ids (never true for none).
pub(super) fn programs_in(table: &str, programs: &[i64]) -> String {
    if programs.is_empty() {
        return "1 = 0".to_owned();
    }
    let ids = programs
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    format!("{table}.program_id IN ({ids})")
}

fn behind(backend: Backend, today: NaiveDate) -> String {
    behind_before(backend, "d", today)
}

/// How a query reaches the doctors it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drive<'g> {
    /// A page walked along `doctors_page` in (region code, id) order.
    Page,
    /// One range of `doctors_count` per region of the scope (count, chart).
    Index,
    /// These doctors (a name search's candidates, `super::tally`), looked up by id.
    Ids(&'g [i64]),
}

/// How to reach the doctors of a filter: its name's candidates when its grams are rare
/// enough, else `fallback`; `None`: no doctor's name contains the name.
fn drive<'g>(
    conn: &mut AnyConnection,
    name: Option<&str>,
    ids: &'g mut Vec<i64>,
    fallback: Drive<'g>,
) -> QueryResult<Option<Drive<'g>>> {
    let Some(name) = name else {
        return Ok(Some(fallback));
    };
    match tally::candidates(conn, name)? {
        tally::Candidates::Few(found) if found.is_empty() => Ok(None),
        tally::Candidates::Few(found) => {
            *ids = found;
            Ok(Some(Drive::Ids(ids.as_slice())))
        }
        tally::Candidates::Many => Ok(Some(fallback)),
    }
}

/// The FROM/WHERE of a query (`lines`: with the doctors' totals). `Drive::Page`: a page
/// in (region code, id) order, walked along `doctors_page` with each doctor's region
/// looked up, so it stops after a page instead of sorting the scope (on SQLite `CROSS
/// JOIN` keeps that join order, bounded by the scope's lowest and highest code;
/// PostgreSQL finds that plan alone, and the bounds' unknown values would spoil its
/// estimate); `Drive::Index` (count, chart): one range of `doctors_count` per region of
/// the scope; `Drive::Ids`: a name search's candidates, the full `LIKE` checked on each.
fn sql(
    backend: Backend,
    programs: &[i64],
    filter: &Filter<'_>,
    behind_only: bool,
    drive: Drive<'_>,
    lines: bool,
    bounds: Option<&(String, String)>,
) -> Sql {
    let page = drive == Drive::Page;
    let mut binds = Vec::new();
    let mut arg = |value: String| bind(backend, &mut binds, value);
    let mut conds = vec![programs_in("d", programs)];
    if let Some(scope) = filter.scope {
        conds.push(format!(
            "r.path >= {} AND r.path < {}",
            arg(scope.lower().to_owned()),
            arg(scope.upper())
        ));
        if let Some((low, high)) = bounds {
            conds.push(format!(
                "d.region_code >= {} AND d.region_code <= {}",
                arg(low.clone()),
                arg(high.clone())
            ));
        } else if page && backend == Backend::Sqlite {
            for (side, op) in [("MIN", ">="), ("MAX", "<=")] {
                conds.push(format!(
                    "d.region_code {op} (SELECT {side}(code) FROM regions \
                     WHERE path >= {} AND path < {})",
                    arg(scope.lower().to_owned()),
                    arg(scope.upper())
                ));
            }
        }
    }
    if let Some(status) = filter.status {
        conds.push(format!("d.status = {}", arg(status.to_owned())));
    }
    if let Some(name) = filter.name {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        conds.push(format!(
            "d.name LIKE {} ESCAPE '\\'",
            arg(format!("%{escaped}%"))
        ));
    }
    if behind_only {
        conds.push(behind(backend, filter.today));
    }
    let totals = if !lines {
        ""
    } else {
        "LEFT JOIN study_doctor_totals t ON t.doctor_id = d.id"
    };
    let from = if let Drive::Ids(ids) = drive {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        // SQLite: CROSS JOIN keeps the candidates first; PostgreSQL sees the list's length.
        match backend {
            Backend::Sqlite => format!(
                "FROM doctors d CROSS JOIN regions r {totals} \
                 WHERE d.id IN ({list}) AND r.code = d.region_code AND"
            ),
            Backend::Postgres => format!(
                "FROM doctors d JOIN regions r ON r.code = d.region_code {totals} \
                 WHERE d.id IN ({list}) AND"
            ),
        }
    } else if page && backend == Backend::Sqlite {
        format!("FROM doctors d CROSS JOIN regions r {totals} WHERE r.code = d.region_code AND")
    } else if page {
        format!("FROM doctors d JOIN regions r ON r.code = d.region_code {totals} WHERE")
    } else {
        "FROM doctors d JOIN regions r ON r.code = d.region_code WHERE".to_owned()
    };
    Sql {
        from_where: format!("{from} {}", conds.join(" AND ")),
        binds,
    }
}

pub(super) fn load<
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
>(
    conn: &mut AnyConnection,
    sql: String,
    binds: Vec<String>,
) -> QueryResult<Vec<T>> {
    crate::per_backend!(conn, |c| {
        let mut q = diesel::sql_query(sql).into_boxed();
        for b in binds {
            q = q.bind::<Text, _>(b);
        }
        q.load::<T>(c)
    })
}

#[derive(QueryableByName)]
struct Bounds {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    low: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    high: Option<String>,
}

/// The lowest and highest region code of a scope (`None`: no region in it).
fn code_bounds(conn: &mut AnyConnection, scope: &Scope) -> QueryResult<Option<(String, String)>> {
    let rows: Vec<Bounds> = load(
        conn,
        "SELECT MIN(code) AS low, MAX(code) AS high FROM regions WHERE path >= $1 AND path < $2"
            .to_owned(),
        vec![scope.lower().to_owned(), scope.upper()],
    )?;
    Ok(rows.into_iter().next().and_then(|b| b.low.zip(b.high)))
}

/// The programs' ids (the table's doctors are in one of them).
pub fn program_ids(conn: &mut AnyConnection) -> QueryResult<Vec<i64>> {
    programs::table
        .select(programs::id)
        .order(programs::id)
        .load(conn)
}

/// One page of the kept doctors (`limit: None`: all of them), in (region code, id) order.
pub fn lines(
    conn: &mut AnyConnection,
    programs: &[i64],
    filter: &Filter<'_>,
    offset: i64,
    limit: Option<i64>,
) -> QueryResult<Vec<Line>> {
    let mut ids = Vec::new();
    let Some(drive) = drive(conn, filter.name, &mut ids, Drive::Page)? else {
        return Ok(Vec::new());
    };
    // PostgreSQL plans with the values bound, so it is handed the scope's lowest and
    // highest code as values (a subquery's are unknown when it plans) and starts the
    // walk at the scope's first doctor instead of the index's.
    let bounds = match (conn.backend(), filter.scope) {
        (Backend::Postgres, Some(scope)) if drive == Drive::Page => code_bounds(conn, scope)?,
        _ => None,
    };
    let s = sql(
        conn.backend(),
        programs,
        filter,
        filter.behind_only,
        drive,
        true,
        bounds.as_ref(),
    );
    let limit = match limit {
        Some(n) => format!(" LIMIT {} OFFSET {}", n.max(0), offset.max(0)),
        None => String::new(),
    };
    let query = format!(
        "SELECT d.id AS id, d.name AS name, d.region_code AS region_code, \
         r.name AS region_name, r.path AS region_path, d.cohort_year AS cohort_year, \
         d.program_id AS program_id, \
         COALESCE(t.online_minutes, 0) AS online, \
         COALESCE(t.centralized_minutes, 0) AS centralized, \
         COALESCE(t.shadowing_minutes, 0) AS shadowing, \
         COALESCE(t.tutoring_minutes, 0) AS tutoring, \
         COALESCE(t.skills_practice_minutes, 0) AS skills_practice, \
         COALESCE(t.pending_minutes, 0) AS pending \
         {} ORDER BY d.region_code, d.id{limit}",
        s.from_where
    );
    load(conn, query, s.binds)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many doctors the filter keeps: without a name, of a county or above, from the
/// maintained tally (`super::tally`); else from the doctors.
pub fn count(conn: &mut AnyConnection, programs: &[i64], filter: &Filter<'_>) -> QueryResult<i64> {
    if filter.name.is_none() && tally::answers(conn, filter.scope)? {
        return tally::count(conn, programs, filter);
    }
    let mut ids = Vec::new();
    let Some(drive) = drive(conn, filter.name, &mut ids, Drive::Index)? else {
        return Ok(0);
    };
    let s = sql(
        conn.backend(),
        programs,
        filter,
        filter.behind_only,
        drive,
        false,
        None,
    );
    let rows: Vec<Count> = load(
        conn,
        format!("SELECT CAST(COUNT(*) AS BIGINT) AS n {}", s.from_where),
        s.binds,
    )?;
    Ok(rows.first().map_or(0, |c| c.n))
}

/// One fifth of the chart as a query returns it (here and from `super::tally`).
#[derive(QueryableByName)]
pub(super) struct BinRow {
    #[diesel(sql_type = Integer)]
    bin: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    behind: i64,
}

/// The chart's counts over the kept doctors, the behind filter aside: without a name, of
/// a county or above, from the maintained tally; else one aggregate of the stored
/// standing, from the covering index or a name gram's postings.
pub fn summary(
    conn: &mut AnyConnection,
    programs: &[i64],
    filter: &Filter<'_>,
) -> QueryResult<Summary> {
    if filter.name.is_none() && tally::answers(conn, filter.scope)? {
        return tally::summary(conn, programs, filter);
    }
    let mut ids = Vec::new();
    let Some(drive) = drive(conn, filter.name, &mut ids, Drive::Index)? else {
        return Ok(Summary::default());
    };
    let backend = conn.backend();
    let s = sql(backend, programs, filter, false, drive, false, None);
    let query = format!(
        "SELECT d.progress_bin AS bin, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS behind \
         {} GROUP BY d.progress_bin",
        behind(backend, filter.today),
        s.from_where
    );
    Ok(chart(load(conn, query, s.binds)?))
}

/// The chart's counts from its fifths' rows.
pub(super) fn chart(rows: Vec<BinRow>) -> Summary {
    let mut out = Summary::default();
    for r in rows {
        out.total += r.n;
        out.behind += r.behind;
        let i = usize::try_from(r.bin).unwrap_or(0).min(5);
        out.bins[i] += r.n;
    }
    out
}
