//! `completions`: where each doctor stands on completing its program.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::assessment::{CompletionRow, CompletionStatus};
use crate::db::AnyConnection;
use crate::db::schema::completions as c;

/// The decided make-up of a doctor: `None` when nothing is decided yet; otherwise the
/// make-up deadline when its completion is `makeup`, else `Some(None)`.
pub fn decided_makeup(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> QueryResult<Option<Option<NaiveDate>>> {
    Ok(
        get(conn, doctor_id, program_id)?.map(|row| match row.status {
            CompletionStatus::Makeup => row.makeup_deadline,
            _ => None,
        }),
    )
}

pub fn get(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> QueryResult<Option<CompletionRow>> {
    c::table
        .filter(c::doctor_id.eq(doctor_id))
        .filter(c::program_id.eq(program_id))
        .select(CompletionRow::as_select())
        .first(conn)
        .optional()
}

/// A decision to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub status: CompletionStatus,
    pub theory_passed: Option<bool>,
    pub skills_passed: Option<bool>,
    pub hours_met: bool,
    pub makeup_deadline: Option<NaiveDate>,
}

/// Store a decision (insert or update the doctor's row).
pub fn put(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    d: &Decision,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(
        c::table
            .filter(c::doctor_id.eq(doctor_id))
            .filter(c::program_id.eq(program_id)),
    )
    .set((
        c::status.eq(d.status),
        c::theory_passed.eq(d.theory_passed),
        c::skills_passed.eq(d.skills_passed),
        c::hours_met.eq(d.hours_met),
        c::makeup_deadline.eq(d.makeup_deadline),
        c::decided_at.eq(Some(now)),
        c::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(c::table)
            .values((
                c::doctor_id.eq(doctor_id),
                c::program_id.eq(program_id),
                c::status.eq(d.status),
                c::theory_passed.eq(d.theory_passed),
                c::skills_passed.eq(d.skills_passed),
                c::hours_met.eq(d.hours_met),
                c::makeup_deadline.eq(d.makeup_deadline),
                c::decided_at.eq(Some(now)),
                c::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A county's doctors sent to make-up (补修补考) in a program, now or before: (doctor,
/// make-up deadline), by doctor.
pub fn makeups_in_county(
    conn: &mut AnyConnection,
    county: &str,
    program_id: i64,
) -> QueryResult<Vec<(i64, Option<NaiveDate>)>> {
    use crate::db::schema::doctors;
    c::table
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(c::program_id.eq(program_id))
        .filter(
            c::status
                .eq(CompletionStatus::Makeup)
                .or(c::makeup_deadline.is_not_null()),
        )
        .order(c::doctor_id)
        .select((c::doctor_id, c::makeup_deadline))
        .load(conn)
}
