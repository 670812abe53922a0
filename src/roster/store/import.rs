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

/// A clinic as a roster row names it: its village and its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClinicKey {
    pub village: String,
    pub name: String,
}

/// The clinics an import needs, by key, and how many of them it created.
#[derive(Debug, Default)]
pub struct Clinics {
    pub ids: HashMap<ClinicKey, i64>,
    pub created: usize,
}

/// The ids of the clinics named; those missing are created as village clinics.
pub fn clinic_ids(
    conn: &mut AnyConnection,
    wanted: &HashSet<ClinicKey>,
    now: NaiveDateTime,
) -> QueryResult<Clinics> {
    let villages: Vec<&str> = wanted.iter().map(|k| k.village.as_str()).collect();
    let mut clinics = Clinics::default();
    for chunk in villages.chunks(500) {
        let rows: Vec<(i64, String, String)> = organizations::table
            .filter(organizations::region_code.eq_any(chunk))
            .select((
                organizations::id,
                organizations::region_code,
                organizations::name,
            ))
            .load(conn)?;
        for (id, village, name) in rows {
            clinics.ids.insert(ClinicKey { village, name }, id);
        }
    }
    for key in wanted {
        if clinics.ids.contains_key(key) {
            continue;
        }
        let id: i64 = diesel::insert_into(organizations::table)
            .values(NewOrgRow {
                name: &key.name,
                kind: OrgKind::VillageClinic,
                region_code: &key.village,
                address: None,
                is_demo: false,
                created_at: now,
                updated_at: now,
            })
            .returning(organizations::id)
            .get_result(conn)?;
        clinics.created += 1;
        clinics.ids.insert(key.clone(), id);
    }
    Ok(clinics)
}
