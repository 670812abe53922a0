//! Queries on doctors. Scope is a range on the region path, as everywhere.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{Doctor, DoctorFilter, DoctorRecord, DoctorStatus};
use crate::access::Lookup;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{doctors, organizations, regions};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::regions::Scope;
use crate::regions::store::in_scope;
use crate::users::store::escape_like;

/// A doctor ready to store: every field checked and resolved, the ID number encrypted.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = doctors)]
pub struct DoctorRow {
    pub name: String,
    pub id_number_enc: String,
    pub id_number_index: String,
    pub id_number_masked: String,
    pub phone: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub education: String,
    pub qualification: String,
    pub region_code: String,
    pub county_code: String,
    pub clinic_id: Option<i64>,
    pub program_id: i64,
    pub cohort_year: i32,
    pub status: String,
}

impl DoctorRow {
    /// Do the fields a person edits differ from the stored doctor's?
    pub fn differs_from(&self, d: &Doctor) -> bool {
        self.name != d.name
            || self.id_number_masked != d.id_number_masked
            || self.phone != d.phone
            || self.gender != d.gender
            || self.birth_date != d.birth_date
            || self.education != d.education
            || self.qualification != d.qualification
            || self.region_code != d.region_code
            || self.clinic_id != d.clinic_id
            || self.program_id != d.program_id
            || self.cohort_year != d.cohort_year
            || self.status != d.status
    }
}

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
    let id: Option<i64> = doctors::table
        .filter(doctors::user_id.eq(user_id))
        .select(doctors::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => get(conn, id),
        None => Ok(None),
    }
}

/// A page of doctors in `scope` (by region code, then id).
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
            q = q.filter(doctors::status.eq(status.as_str()));
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

/// The id of the doctor with this blind index, if any.
pub fn id_by_index(conn: &mut AnyConnection, index: &str) -> QueryResult<Option<(i64, String)>> {
    doctors::table
        .filter(doctors::id_number_index.eq(index))
        .select((doctors::id, doctors::county_code))
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

#[derive(Insertable)]
#[diesel(table_name = doctors)]
struct NewDoctor {
    #[diesel(embed)]
    row: DoctorRow,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Insert one doctor with its audit row; an ID number already on the roster is a 409.
pub fn insert(
    conn: &mut AnyConnection,
    row: &DoctorRow,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    db::write(conn, |conn| {
        if id_by_index(conn, &row.id_number_index)?.is_some() {
            return Err(AppError::Conflict("该身份证号已在花名册中".into()));
        }
        let id: i64 = diesel::insert_into(doctors::table)
            .values(NewDoctor {
                row: row.clone(),
                created_by: actor.id,
                created_at: now,
                updated_at: now,
            })
            .returning(doctors::id)
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("doctor.created")
                .target(format!("doctor:{id}"))
                .detail(serde_json::json!({ "region_code": row.region_code, "program_id": row.program_id })),
            now,
        )?;
        Ok(id)
    })
}

/// Insert many doctors (an import), batched; no audit row each (the import has one).
pub fn insert_many(
    conn: &mut AnyConnection,
    rows: &[DoctorRow],
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(500) {
        let values: Vec<NewDoctor> = chunk
            .iter()
            .map(|row| NewDoctor {
                row: row.clone(),
                created_by,
                created_at: now,
                updated_at: now,
            })
            .collect();
        n += crate::per_backend!(conn, |c| diesel::insert_into(doctors::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(n)
}

/// Replace a doctor's fields; a changed status is dated `today`.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    row: &DoctorRow,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let status_before: String = doctors::table
        .find(id)
        .select(doctors::status)
        .first(conn)?;
    diesel::update(doctors::table.find(id))
        .set((row, doctors::updated_at.eq(now)))
        .execute(conn)?;
    if status_before != row.status {
        diesel::update(doctors::table.find(id))
            .set(doctors::status_changed_on.eq(Some(today)))
            .execute(conn)?;
    }
    Ok(())
}

/// Update with an audit row (single edits through the API).
pub fn update_audited(
    conn: &mut AnyConnection,
    id: i64,
    row: &DoctorRow,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    db::write(conn, |conn| {
        if let Some((other, _)) = id_by_index(conn, &row.id_number_index)?
            && other != id
        {
            return Err(AppError::Conflict(
                "该身份证号已属于花名册中的另一名学员".into(),
            ));
        }
        update(conn, id, row, today, now)?;
        audit::record(
            conn,
            actor,
            &Entry::new("doctor.updated").target(format!("doctor:{id}")),
            now,
        )?;
        Ok(())
    })
}

/// Record that a doctor left the post, died, or returned — never a deletion.
pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: DoctorStatus,
    on: NaiveDate,
    note: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    db::write(conn, |conn| {
        diesel::update(doctors::table.find(id))
            .set((
                doctors::status.eq(status.as_str()),
                doctors::status_changed_on.eq(Some(on)),
                doctors::status_note.eq(note),
                doctors::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("doctor.status_changed")
                .target(format!("doctor:{id}"))
                .detail(serde_json::json!({ "status": status.as_str(), "on": on })),
            now,
        )
    })
}

/// Link a doctor to its (new) account.
pub fn link_user(conn: &mut AnyConnection, id: i64, user_id: i64) -> QueryResult<()> {
    diesel::update(doctors::table.find(id))
        .set(doctors::user_id.eq(Some(user_id)))
        .execute(conn)
        .map(|_| ())
}
