//! Platform accounts, and what a platform import matches its rows against.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::{courses, doctors, platform_accounts};
use crate::db::{self, AnyConnection};
use crate::error::AppError;

/// Link a doctor's platform account (for exports that carry no ID number).
pub fn link_platform_account(
    conn: &mut AnyConnection,
    platform: &str,
    account: &str,
    doctor_id: i64,
) -> Result<(), AppError> {
    db::write(conn, |conn| {
        let owner: Option<i64> = platform_accounts::table
            .find((platform, account))
            .select(platform_accounts::doctor_id)
            .first(conn)
            .optional()?;
        match owner {
            Some(d) if d == doctor_id => Ok(()),
            Some(_) => Err(AppError::Conflict("该平台账号已关联其他学员".into())),
            None => {
                diesel::insert_into(platform_accounts::table)
                    .values((
                        platform_accounts::platform.eq(platform),
                        platform_accounts::account.eq(account),
                        platform_accounts::doctor_id.eq(doctor_id),
                    ))
                    .execute(conn)?;
                Ok(())
            }
        }
    })
}

/// A county doctor an export's rows may name.
#[derive(Debug, Clone, Queryable)]
pub struct CountyDoctor {
    pub id: i64,
    pub id_number_index: String,
    pub program_id: i64,
    pub name: String,
    pub status: String,
}

/// The doctors of a county.
pub fn county_doctors(conn: &mut AnyConnection, county: &str) -> QueryResult<Vec<CountyDoctor>> {
    doctors::table
        .filter(doctors::county_code.eq(county))
        .select((
            doctors::id,
            doctors::id_number_index,
            doctors::program_id,
            doctors::name,
            doctors::status,
        ))
        .load(conn)
}

/// Platform account → doctor, for these doctors on one platform.
pub fn accounts_of(
    conn: &mut AnyConnection,
    platform: &str,
    doctor_ids: &[i64],
) -> QueryResult<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for chunk in doctor_ids.chunks(500) {
        let rows: Vec<(String, i64)> = platform_accounts::table
            .filter(platform_accounts::platform.eq(platform))
            .filter(platform_accounts::doctor_id.eq_any(chunk))
            .select((platform_accounts::account, platform_accounts::doctor_id))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// A program's catalog as (id, code, title, minutes).
pub fn catalog(
    conn: &mut AnyConnection,
    program_id: i64,
) -> QueryResult<Vec<(i64, String, String, i32)>> {
    courses::table
        .filter(courses::program_id.eq(program_id))
        .select((courses::id, courses::code, courses::title, courses::minutes))
        .load(conn)
}

/// The counties in a scope (code, name), by code.
pub fn counties(
    conn: &mut AnyConnection,
    scope: &crate::regions::Scope,
) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::regions;
    regions::table
        .filter(regions::path.ge(scope.lower().to_owned()))
        .filter(regions::path.lt(scope.upper()))
        .filter(regions::level.eq(crate::regions::Level::County.as_str()))
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
}
