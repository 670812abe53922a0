//! `annual_assessments`: one row per attempt at a year's annual assessment.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::assessment::AnnualRow;
use crate::db::AnyConnection;
use crate::db::schema::annual_assessments as aa;
use crate::points::Points;

/// The newest attempt of a doctor's year.
pub fn latest(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    year: i32,
) -> QueryResult<Option<AnnualRow>> {
    aa::table
        .filter(aa::doctor_id.eq(doctor_id))
        .filter(aa::program_id.eq(program_id))
        .filter(aa::year.eq(year))
        .order(aa::attempt.desc())
        .select(AnnualRow::as_select())
        .first(conn)
        .optional()
}

/// The newest confirmed attempt of a doctor's year.
pub fn latest_confirmed(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    year: i32,
) -> QueryResult<Option<AnnualRow>> {
    aa::table
        .filter(aa::doctor_id.eq(doctor_id))
        .filter(aa::program_id.eq(program_id))
        .filter(aa::year.eq(year))
        .filter(aa::confirmed_at.is_not_null())
        .order(aa::attempt.desc())
        .select(AnnualRow::as_select())
        .first(conn)
        .optional()
}

/// Every attempt of a doctor, oldest first.
pub fn of_doctor(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<AnnualRow>> {
    aa::table
        .filter(aa::doctor_id.eq(doctor_id))
        .order((aa::year, aa::attempt))
        .select(AnnualRow::as_select())
        .load(conn)
}

/// A new, open attempt (with the county's rating, when given).
pub fn open_attempt(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    year: i32,
    attempt: i32,
    rating: Option<(Points, Option<i64>)>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(aa::table)
        .values((
            aa::doctor_id.eq(doctor_id),
            aa::program_id.eq(program_id),
            aa::year.eq(year),
            aa::attempt.eq(attempt),
            aa::rating.eq(rating.map(|r| r.0)),
            aa::rated_by.eq(rating.and_then(|r| r.1)),
            aa::created_at.eq(now),
            aa::updated_at.eq(now),
        ))
        .returning(aa::id)
        .get_result(conn)
}

/// Set the rating of an open attempt; 0 rows when it was confirmed meanwhile.
pub fn rate(
    conn: &mut AnyConnection,
    id: i64,
    rating: Points,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(aa::table.find(id).filter(aa::confirmed_at.is_null()))
        .set((
            aa::rating.eq(Some(rating)),
            aa::rated_by.eq(Some(by)),
            aa::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The scores of an attempt being confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    pub online: Points,
    pub offline: Points,
    pub ongoing: Points,
    pub exam: Option<Points>,
    pub score: Points,
    pub passed: bool,
}

/// Write the scores and lock the attempt.
pub fn confirm(
    conn: &mut AnyConnection,
    id: i64,
    s: &Scores,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(aa::table.find(id).filter(aa::confirmed_at.is_null()))
        .set((
            aa::online.eq(s.online),
            aa::offline.eq(s.offline),
            aa::ongoing.eq(s.ongoing),
            aa::exam.eq(s.exam),
            aa::score.eq(s.score),
            aa::passed.eq(s.passed),
            aa::confirmed_at.eq(Some(now)),
            aa::confirmed_by.eq(by),
            aa::updated_at.eq(now),
        ))
        .execute(conn)
}

/// How many attempts are stored (tests and demo checks).
pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    aa::table.count().get_result(conn)
}

/// The confirmed attempts of a county's doctors at a program's year, confirmed before
/// `before`, by doctor and attempt: what the county's filings count.
pub fn confirmed_in_county(
    conn: &mut AnyConnection,
    county: &str,
    program_id: i64,
    year: i32,
    before: NaiveDateTime,
) -> QueryResult<Vec<AnnualRow>> {
    use crate::db::schema::doctors;
    aa::table
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(aa::program_id.eq(program_id))
        .filter(aa::year.eq(year))
        .filter(aa::confirmed_at.is_not_null())
        .filter(aa::confirmed_at.lt(before))
        .order((aa::doctor_id, aa::attempt))
        .select(AnnualRow::as_select())
        .load(conn)
}
