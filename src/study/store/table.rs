//! The progress table in SQL over the maintained totals: one page of doctors in
//! (region code, id) order, its count, and the chart's counts — filtered by scope,
//! status, name and "behind schedule" (the program's pace as thresholds on the totals),
//! so a page costs a page, not the county.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::db::schema::programs;
use crate::db::{AnyConnection, Backend};
use crate::regions::Scope;
use crate::study::StudyKind;
use crate::study::rules::pace::{Need, Pace};

/// A program's pace, for the program's doctors.
#[derive(Debug, Clone)]
pub struct ProgramPace {
    pub program_id: i64,
    pub pace: Pace,
}

/// What the table keeps.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub scope: Option<&'a Scope>,
    /// `None`: any status.
    pub status: Option<&'a str>,
    /// Part of the doctor's name.
    pub name: Option<&'a str>,
    pub behind_only: bool,
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

fn column(kind: StudyKind) -> &'static str {
    match kind {
        StudyKind::Online => "COALESCE(t.online_minutes, 0)",
        StudyKind::Centralized => "COALESCE(t.centralized_minutes, 0)",
        StudyKind::Shadowing => "COALESCE(t.shadowing_minutes, 0)",
        StudyKind::Tutoring => "COALESCE(t.tutoring_minutes, 0)",
        StudyKind::SkillsPractice => "COALESCE(t.skills_practice_minutes, 0)",
    }
}

/// (credited expression, need) of each requirement of a pace.
fn needs(pace: &Pace) -> Vec<(String, Need)> {
    let mut out = vec![
        (column(StudyKind::Online).to_owned(), pace.online),
        (column(StudyKind::Centralized).to_owned(), pace.centralized),
        (column(StudyKind::Shadowing).to_owned(), pace.shadowing),
    ];
    if let Some((kinds, need)) = &pace.combined {
        let sum = if kinds.is_empty() {
            "0".to_owned()
        } else {
            kinds
                .iter()
                .map(|k| column(*k))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        out.push((format!("({sum})"), *need));
    }
    out
}

/// Hours met: every requirement credited in full (integers inlined: no binds).
fn met(pace: &Pace) -> String {
    needs(pace)
        .iter()
        .map(|(c, n)| format!("{c} >= {}", n.required))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Behind schedule and hours not met — `Completion::behind_schedule`.
fn behind(pace: &Pace) -> String {
    let late = needs(pace)
        .iter()
        .map(|(c, n)| format!("{c} < {}", n.on_pace))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!("(NOT ({}) AND ({late}))", met(pace))
}

/// The chart's fifth: 5 when met, else ⌊5 × credited share⌋ (each requirement counted
/// up to what it asks), as `Progress::share`.
fn bin(pace: &Pace, backend: Backend) -> String {
    let least = match backend {
        Backend::Postgres => "LEAST",
        Backend::Sqlite => "MIN",
    };
    let needs = needs(pace);
    let required: i64 = needs.iter().map(|(_, n)| i64::from(n.required)).sum();
    let share = if required > 0 {
        let capped = needs
            .iter()
            .map(|(c, n)| format!("{least}({c}, {})", n.required))
            .collect::<Vec<_>>()
            .join(" + ");
        format!("(5 * ({capped})) / {required}")
    } else {
        "4".to_owned()
    };
    format!("CASE WHEN {} THEN 5 ELSE {share} END", met(pace))
}

/// `CASE d.program_id WHEN … THEN … END` of an expression per program.
/// With no program, the default alone (`CASE x ELSE … END` without an arm is not SQL).
fn per_program(paces: &[ProgramPace], expr: impl Fn(&Pace) -> String, default: &str) -> String {
    if paces.is_empty() {
        return default.to_owned();
    }
    let arms: String = paces
        .iter()
        .map(|p| format!(" WHEN {} THEN {}", p.program_id, expr(&p.pace)))
        .collect();
    format!("CASE d.program_id{arms} ELSE {default} END")
}

struct Sql {
    from_where: String,
    binds: Vec<String>,
}

fn sql(
    backend: Backend,
    paces: &[ProgramPace],
    filter: &Filter<'_>,
    behind_only: bool,
    with_totals: bool,
) -> Sql {
    let mut binds = Vec::new();
    let mut arg = |value: String| {
        binds.push(value);
        match backend {
            Backend::Postgres => format!("${}", binds.len()),
            Backend::Sqlite => "?".to_owned(),
        }
    };
    let programs = paces
        .iter()
        .map(|p| p.program_id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut conds = vec![if programs.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("d.program_id IN ({programs})")
    }];
    if let Some(scope) = filter.scope {
        conds.push(format!(
            "r.path >= {} AND r.path < {}",
            arg(scope.lower().to_owned()),
            arg(scope.upper())
        ));
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
        let behind: Vec<String> = paces
            .iter()
            .map(|p| format!("(d.program_id = {} AND {})", p.program_id, behind(&p.pace)))
            .collect();
        conds.push(if behind.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("({})", behind.join(" OR "))
        });
    }
    // A count without the behind filter needs no totals.
    let totals = if behind_only || with_totals {
        " LEFT JOIN study_doctor_totals t ON t.doctor_id = d.id"
    } else {
        ""
    };
    Sql {
        from_where: format!(
            "FROM doctors d JOIN regions r ON r.code = d.region_code{totals} WHERE {}",
            conds.join(" AND ")
        ),
        binds,
    }
}

fn load<T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static>(
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
    paces: &[ProgramPace],
    filter: &Filter<'_>,
    offset: i64,
    limit: Option<i64>,
) -> QueryResult<Vec<Line>> {
    let s = sql(conn.backend(), paces, filter, filter.behind_only, true);
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

/// How many doctors the filter keeps.
pub fn count(
    conn: &mut AnyConnection,
    paces: &[ProgramPace],
    filter: &Filter<'_>,
) -> QueryResult<i64> {
    let s = sql(conn.backend(), paces, filter, filter.behind_only, false);
    let rows: Vec<Count> = load(
        conn,
        format!("SELECT CAST(COUNT(*) AS BIGINT) AS n {}", s.from_where),
        s.binds,
    )?;
    Ok(rows.first().map_or(0, |c| c.n))
}

#[derive(QueryableByName)]
struct BinRow {
    #[diesel(sql_type = Integer)]
    bin: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    behind: i64,
}

/// The chart's counts over the kept doctors, the behind filter aside: one aggregate.
pub fn summary(
    conn: &mut AnyConnection,
    paces: &[ProgramPace],
    filter: &Filter<'_>,
) -> QueryResult<Summary> {
    let backend = conn.backend();
    let s = sql(backend, paces, filter, false, true);
    let bin = per_program(paces, |p| bin(p, backend), "0");
    let behind = per_program(paces, behind, "1 = 0");
    let query = format!(
        "SELECT CAST({bin} AS INTEGER) AS bin, CAST(COUNT(*) AS BIGINT) AS n, \
         CAST(SUM(CASE WHEN {behind} THEN 1 ELSE 0 END) AS BIGINT) AS behind \
         {} GROUP BY 1",
        s.from_where
    );
    let rows: Vec<BinRow> = load(conn, query, s.binds)?;
    let mut out = Summary::default();
    for r in rows {
        out.total += r.n;
        out.behind += r.behind;
        let i = usize::try_from(r.bin).unwrap_or(0).min(5);
        out.bins[i] += r.n;
    }
    Ok(out)
}
