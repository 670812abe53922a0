//! What a roster import reads and writes besides doctors: the county's townships and
//! villages, its city's programs, and village clinics (created where missing).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{organizations, programs, regions};
use crate::orgs::{NewOrgRow, OrgKind};
use crate::regions::{Level, Region, in_scope};

/// A township or village of the county.
#[derive(Debug, Clone, Queryable)]
pub struct PlaceRow {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

/// Every region in the county's subtree (the county itself included).
pub fn places_of(conn: &mut AnyConnection, county: &Region) -> QueryResult<Vec<PlaceRow>> {
    regions::table
        .filter(in_scope(&county.scope()))
        .select((
            regions::code,
            regions::name,
            regions::level,
            regions::parent_code,
        ))
        .load(conn)
}

/// A program of the county's city and the years it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct CityProgram {
    pub id: i64,
    pub start_year: i32,
    pub end_year: i32,
}

impl CityProgram {
    pub fn covers(&self, year: i32) -> bool {
        (self.start_year..=self.end_year).contains(&year)
    }
}

/// The programs of the county's city, oldest first.
pub fn programs_of_city(
    conn: &mut AnyConnection,
    county: &Region,
) -> QueryResult<Vec<CityProgram>> {
    let city = county.parent_code.clone().unwrap_or_default();
    programs::table
        .filter(programs::region_code.eq(city))
        .order(programs::id)
        .select((programs::id, programs::start_year, programs::end_year))
        .load(conn)
}

/// The ids of clinics by (village code, name); those missing are created as village
/// clinics. Returns the ids and how many were created.
pub fn clinic_ids(
    conn: &mut AnyConnection,
    wanted: &HashSet<(String, String)>,
    now: NaiveDateTime,
) -> QueryResult<(HashMap<(String, String), i64>, usize)> {
    let villages: Vec<&str> = wanted.iter().map(|(v, _)| v.as_str()).collect();
    let mut ids: HashMap<(String, String), i64> = HashMap::new();
    for chunk in villages.chunks(500) {
        let rows: Vec<(i64, String, String)> = organizations::table
            .filter(organizations::region_code.eq_any(chunk))
            .select((
                organizations::id,
                organizations::region_code,
                organizations::name,
            ))
            .load(conn)?;
        for (id, region, name) in rows {
            ids.insert((region, name), id);
        }
    }
    let mut created = 0;
    for key in wanted {
        if ids.contains_key(key) {
            continue;
        }
        let id: i64 = diesel::insert_into(organizations::table)
            .values(NewOrgRow {
                name: &key.1,
                kind: OrgKind::VillageClinic,
                region_code: &key.0,
                address: None,
                is_demo: false,
                created_at: now,
                updated_at: now,
            })
            .returning(organizations::id)
            .get_result(conn)?;
        created += 1;
        ids.insert(key.clone(), id);
    }
    Ok((ids, created))
}
