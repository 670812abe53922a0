//! Reading programs: one, those visible from a region, the one covering a year, and
//! the hot path of progress reads (policy and years only).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{courses, program_quotas, programs, regions};
use crate::program::{CatalogCourse, Policy, Program, ProgramRow, Quota};
use crate::regions::{Region, in_scope};

fn parse_policy(row: &ProgramRow) -> QueryResult<Policy> {
    serde_json::from_str(&row.policy)
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

fn load_quotas(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<Quota>> {
    program_quotas::table
        .filter(program_quotas::program_id.eq(id))
        .order((program_quotas::year, program_quotas::region_code))
        .load(conn)
}

fn load_catalog(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<CatalogCourse>> {
    Ok(courses::table
        .filter(courses::program_id.eq(id))
        .order((courses::sort, courses::id))
        .select((
            courses::code,
            courses::title,
            courses::area,
            courses::minutes,
        ))
        .load::<(String, String, String, i32)>(conn)?
        .into_iter()
        .map(|(code, title, area, minutes)| CatalogCourse {
            code,
            title,
            area,
            minutes,
        })
        .collect())
}

/// A program with its quotas and catalog.
pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Program>> {
    let Some(row) = programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let policy = parse_policy(&row)?;
    let quotas = load_quotas(conn, id)?;
    let catalog = load_catalog(conn, id)?;
    Ok(Some(Program {
        row,
        policy,
        quotas,
        catalog,
    }))
}

/// The region a program belongs to.
pub fn region_of(conn: &mut AnyConnection, program: &Program) -> QueryResult<Region> {
    regions::table
        .find(&program.row.region_code)
        .select(Region::as_select())
        .first(conn)
}

/// Programs a caller with this region may see: those of its own region or an ancestor
/// (the city's program, seen from a county or village) and those inside its subtree.
pub fn list_visible(conn: &mut AnyConnection, caller: &Region) -> QueryResult<Vec<Program>> {
    let lineage: Vec<&str> = caller.path.split('/').filter(|c| !c.is_empty()).collect();
    let rows: Vec<ProgramRow> = programs::table
        .inner_join(regions::table)
        .filter(in_scope(&caller.scope()).or(programs::region_code.eq_any(&lineage)))
        .order(programs::id)
        .select(ProgramRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut quotas: HashMap<i64, Vec<Quota>> = HashMap::new();
    for q in program_quotas::table
        .filter(program_quotas::program_id.eq_any(&ids))
        .order((program_quotas::year, program_quotas::region_code))
        .load::<Quota>(conn)?
    {
        quotas.entry(q.program_id).or_default().push(q);
    }
    rows.into_iter()
        .map(|row| {
            let policy = parse_policy(&row)?;
            let quotas = quotas.remove(&row.id).unwrap_or_default();
            let catalog = load_catalog(conn, row.id)?;
            Ok(Program {
                row,
                policy,
                quotas,
                catalog,
            })
        })
        .collect()
}

/// Just a program's policy and years (the hot path of progress reads).
pub fn policy(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Option<(Policy, std::ops::RangeInclusive<i32>)>> {
    let row: Option<(String, i32, i32)> = programs::table
        .find(id)
        .select((programs::policy, programs::start_year, programs::end_year))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some((policy, start, end)) => {
            let policy = serde_json::from_str(&policy)
                .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
            Ok(Some((policy, start..=end)))
        }
    }
}

/// The program of a region's city covering `year` (the newest if several).
pub fn covering(
    conn: &mut AnyConnection,
    region: &Region,
    year: i32,
) -> QueryResult<Option<Program>> {
    let lineage: Vec<&str> = region.path.split('/').filter(|c| !c.is_empty()).collect();
    let id: Option<i64> = programs::table
        .filter(programs::region_code.eq_any(&lineage))
        .filter(programs::start_year.le(year))
        .filter(programs::end_year.ge(year))
        .order(programs::id.desc())
        .select(programs::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => get(conn, id),
        None => Ok(None),
    }
}

/// Is the program visible from this region (see [`list_visible`])?
pub fn visible_from(program_region: &Region, caller: &Region) -> bool {
    caller.scope().contains_path(&program_region.path)
        || program_region.scope().contains_path(&caller.path)
}
