//! Writing doctors: one at a time (audited), in batches (imports), status changes and
//! account links. Nothing is ever deleted.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::super::rules::{self, IdClash};
use super::super::{Doctor, DoctorStatus, Education, Gender, Qualification, StatusChange};
use super::doctors::holder_of;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::doctors;
use crate::db::{self, AnyConnection};
use crate::regions::Scope;

/// A doctor ready to store: every field checked and resolved, the ID number encrypted.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = doctors)]
pub struct DoctorRow {
    pub name: String,
    pub id_number_enc: String,
    pub id_number_index: String,
    pub id_number_masked: String,
    pub phone: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Education,
    pub qualification: Qualification,
    pub region_code: String,
    pub county_code: String,
    pub clinic_id: Option<i64>,
    pub program_id: i64,
    pub cohort_year: i32,
    pub status: DoctorStatus,
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

#[derive(Insertable)]
#[diesel(table_name = doctors)]
struct NewDoctor {
    #[diesel(embed)]
    row: DoctorRow,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Why a single write was refused: the ID number is another doctor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clash(pub IdClash);

/// Insert one doctor with its audit row, unless its ID number is on the roster already
/// (what that means for the caller seeing `scope`: [`rules::id_clash`]).
pub fn insert(
    conn: &mut AnyConnection,
    row: &DoctorRow,
    scope: &Scope,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Result<i64, Clash>> {
    db::write(conn, |conn| {
        let holder = holder_of(conn, &row.id_number_index)?;
        let clash = rules::id_clash(
            holder.as_ref().map(|(id, p)| (*id, p.as_str())),
            None,
            scope,
        );
        if clash != IdClash::Free {
            return Ok(Err(Clash(clash)));
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
        crate::study::refresh_standing(conn, &[id])?;
        audit::record(
            conn,
            actor,
            &Entry::new("doctor.created")
                .target(format!("doctor:{id}"))
                .detail(serde_json::json!({ "region_code": row.region_code, "program_id": row.program_id })),
            now,
        )?;
        Ok(Ok(id))
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
    // The new rows' standing (stored as "not computed": they have no ids here).
    crate::study::refresh_uncomputed_standing(conn)?;
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
    let status_before: DoctorStatus = doctors::table
        .find(id)
        .select(doctors::status)
        .first(conn)?;
    diesel::update(doctors::table.find(id))
        .set((row, doctors::updated_at.eq(now)))
        .execute(conn)?;
    // The program may have changed, and with it the pace.
    crate::study::refresh_standing(conn, &[id])?;
    if status_before != row.status {
        diesel::update(doctors::table.find(id))
            .set(doctors::status_changed_on.eq(Some(today)))
            .execute(conn)?;
    }
    Ok(())
}

/// Update with an audit row (single edits through the API), unless the new ID number is
/// another doctor's.
pub fn update_audited(
    conn: &mut AnyConnection,
    id: i64,
    row: &DoctorRow,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Result<(), Clash>> {
    db::write(conn, |conn| {
        let holder = holder_of(conn, &row.id_number_index)?;
        let clash = rules::id_clash(
            holder.as_ref().map(|(h, p)| (*h, p.as_str())),
            Some(id),
            scope,
        );
        if clash != IdClash::Free {
            return Ok(Err(Clash(clash)));
        }
        update(conn, id, row, today, now)?;
        audit::record(
            conn,
            actor,
            &Entry::new("doctor.updated").target(format!("doctor:{id}")),
            now,
        )?;
        Ok(Ok(()))
    })
}

/// Record that a doctor left the post, died, or returned — never a deletion.
pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    change: &StatusChange,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    db::write(conn, |conn| {
        diesel::update(doctors::table.find(id))
            .set((
                doctors::status.eq(change.status),
                doctors::status_changed_on.eq(Some(change.on)),
                doctors::status_note.eq(change.note.as_deref()),
                doctors::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("doctor.status_changed")
                .target(format!("doctor:{id}"))
                .detail(serde_json::json!({ "status": change.status, "on": change.on })),
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
