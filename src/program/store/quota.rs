//! Quota use: the districts of a program's city in a scope, and its enrolled doctors.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{doctors, regions};
use crate::program::rules::{self, Enrolled};
use crate::program::{Program, QuotaUse};
use crate::regions::{Scope, in_scope};
use crate::roster::DoctorStatus;

/// Places vs enrolled per quota row, limited to quota rows whose district lies in
/// `scope` (a county sees its own row; the city all of them) — [`rules::quota_use`].
pub fn quota_use(
    conn: &mut AnyConnection,
    program: &Program,
    scope: &Scope,
) -> QueryResult<Vec<QuotaUse>> {
    let districts: HashMap<String, String> = regions::table
        .filter(regions::parent_code.eq(&program.row.region_code))
        .filter(in_scope(scope))
        .select((regions::code, regions::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let counts: Vec<(String, i32, DoctorStatus, i64)> = doctors::table
        .filter(doctors::program_id.eq(program.row.id))
        .group_by((doctors::county_code, doctors::cohort_year, doctors::status))
        .select((
            doctors::county_code,
            doctors::cohort_year,
            doctors::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let enrolled: Vec<Enrolled> = counts
        .into_iter()
        .map(|(county_code, cohort_year, status, doctors)| Enrolled {
            county_code,
            cohort_year,
            status,
            doctors,
        })
        .collect();
    Ok(rules::quota_use(&program.quotas, &districts, &enrolled))
}
