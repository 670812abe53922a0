//! Reading doctors. Scope is a range on the region path, as everywhere.

use std::collections::HashMap;

use diesel::prelude::*;

use super::super::{Doctor, DoctorFilter, DoctorRecord};
use crate::access::Lookup;
use crate::db::AnyConnection;
use crate::db::schema::{doctors, organizations, regions};
use crate::regions::{Scope, in_scope};
use crate::users::escape_like;

type RecordColumns = (
    diesel::helper_types::AsSelect<Doctor, crate::db::MultiBackend>,
    regions::name,
    regions::path,
    diesel::helper_types::Nullable<organizations::name>,
);

fn record(
    (doctor, region_name, region_path, clinic_name): (Doctor, String, String, Option<String>),
) -> DoctorRecord {
    DoctorRecord {
        doctor,
        region_name,
        region_path,
        clinic_name,
    }
}

fn columns() -> RecordColumns {
    (
        Doctor::as_select(),
        regions::name,
        regions::path,
        organizations::name.nullable(),
    )
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<DoctorRecord>> {
    doctors::table
        .inner_join(regions::table)
        .left_join(organizations::table)
        .filter(doctors::id.eq(id))
        .select(columns())
        .first(conn)
        .optional()
        .map(|r| r.map(record))
}

/// A doctor if it lies in `scope`.
pub fn get_scoped(
    conn: &mut AnyConnection,
    id: i64,
    scope: &Scope,
) -> QueryResult<Lookup<DoctorRecord>> {
    Ok(match get(conn, id)? {
        Some(r) if scope.contains_path(&r.region_path) => Lookup::Found(r),
        Some(_) => Lookup::OutOfScope,
        None => Lookup::Missing,
    })
}

/// The doctor linked to an account.
pub fn by_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<DoctorRecord>> {
    doctors::table
        .inner_join(regions::table)
        .left_join(organizations::table)
        .filter(doctors::user_id.eq(user_id))
        .select(columns())
        .first(conn)
        .optional()
        .map(|r| r.map(record))
}

/// These doctors (those that exist), by id.
pub fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<DoctorRecord>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows = doctors::table
            .inner_join(regions::table)
            .left_join(organizations::table)
            .filter(doctors::id.eq_any(chunk))
            .order(doctors::id)
            .select(columns())
            .load(conn)?;
        out.extend(rows.into_iter().map(record));
    }
    Ok(out)
}

/// A page of doctors in `scope` (by region code, then id), and how many match.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    filter: &DoctorFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<DoctorRecord>, i64)> {
    let query = || {
        let mut q = doctors::table
            .inner_join(regions::table)
            .left_join(organizations::table)
            .filter(in_scope(scope))
            .into_boxed();
        if let Some(region) = &filter.region {
            q = q.filter(in_scope(region));
        }
        if let Some(status) = filter.status {
            q = q.filter(doctors::status.eq(status));
        }
        if let Some(year) = filter.cohort_year {
            q = q.filter(doctors::cohort_year.eq(year));
        }
        if let Some(program) = filter.program_id {
            q = q.filter(doctors::program_id.eq(program));
        }
        if let Some(index) = &filter.id_index {
            q = q.filter(doctors::id_number_index.eq(index.clone()));
        } else if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(
                doctors::name
                    .like(format!("%{}%", escape_like(text)))
                    .escape('\\')
                    .or(doctors::phone.eq(text.to_owned())),
            );
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((doctors::region_code, doctors::id))
        .offset(offset)
        .limit(limit)
        .select(columns())
        .load(conn)?;
    Ok((rows.into_iter().map(record).collect(), total))
}

/// The encrypted ID number of a doctor.
pub fn encrypted_id(conn: &mut AnyConnection, id: i64) -> QueryResult<String> {
    doctors::table
        .find(id)
        .select(doctors::id_number_enc)
        .first(conn)
}

/// The encrypted ID numbers of these doctors, by id.
pub fn encrypted_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = doctors::table
            .filter(doctors::id.eq_any(chunk))
            .select((doctors::id, doctors::id_number_enc))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The doctor holding this blind index, if any: its id and region path.
pub fn holder_of(conn: &mut AnyConnection, index: &str) -> QueryResult<Option<(i64, String)>> {
    doctors::table
        .inner_join(regions::table)
        .filter(doctors::id_number_index.eq(index))
        .select((doctors::id, regions::path))
        .first(conn)
        .optional()
}

/// Existing doctors by blind index (for imports), in chunks the backends accept.
pub fn by_indexes(
    conn: &mut AnyConnection,
    indexes: &[String],
) -> QueryResult<HashMap<String, Doctor>> {
    let mut out = HashMap::new();
    for chunk in indexes.chunks(500) {
        let rows: Vec<(String, Doctor)> = doctors::table
            .filter(doctors::id_number_index.eq_any(chunk))
            .select((doctors::id_number_index, Doctor::as_select()))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}
