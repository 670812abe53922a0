//! `certificates`: completion certificates and their revocation.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::assessment::CertificateRow;
use crate::db::AnyConnection;
use crate::db::schema::{certificates as cert, doctors, programs};

pub fn insert(
    conn: &mut AnyConnection,
    code: &str,
    doctor_id: i64,
    program_id: i64,
    issued_on: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<CertificateRow> {
    let id = diesel::insert_into(cert::table)
        .values((
            cert::code.eq(code),
            cert::doctor_id.eq(doctor_id),
            cert::program_id.eq(program_id),
            cert::issued_on.eq(issued_on),
            cert::created_at.eq(now),
        ))
        .returning(cert::id)
        .get_result::<i64>(conn)?;
    cert::table
        .find(id)
        .select(CertificateRow::as_select())
        .first(conn)
}

/// The doctor's valid (not revoked) certificate of a program.
pub fn valid_of(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> QueryResult<Option<CertificateRow>> {
    cert::table
        .filter(cert::doctor_id.eq(doctor_id))
        .filter(cert::program_id.eq(program_id))
        .filter(cert::revoked_at.is_null())
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<CertificateRow>> {
    cert::table
        .filter(cert::code.eq(code))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()
}

/// What the public check shows of a certificate's holder and program.
#[derive(Debug, Clone, Queryable)]
pub struct Holder {
    pub name: String,
    pub id_number_masked: String,
    pub program: String,
    pub county_code: String,
}

pub fn holder(conn: &mut AnyConnection, row: &CertificateRow) -> QueryResult<Holder> {
    doctors::table
        .inner_join(programs::table.on(programs::id.eq(row.program_id)))
        .filter(doctors::id.eq(row.doctor_id))
        .select((
            doctors::name,
            doctors::id_number_masked,
            programs::name,
            doctors::county_code,
        ))
        .first(conn)
}

pub fn revoke(
    conn: &mut AnyConnection,
    id: i64,
    by: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(cert::table.find(id).filter(cert::revoked_at.is_null()))
        .set((
            cert::revoked_at.eq(Some(now)),
            cert::revoked_by.eq(Some(by)),
            cert::reason.eq(Some(reason)),
        ))
        .execute(conn)
}
