//! Queries on placements, rotations and their days.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::views::PlacementAt;
use super::{Placement, Rotation};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{doctors, organizations, placements, regions, rotations};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::points::Points;

pub fn placement(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Placement>> {
    placements::table
        .find(id)
        .select(Placement::as_select())
        .first(conn)
        .optional()
}

pub fn rotation(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Rotation>> {
    rotations::table
        .find(id)
        .select(Rotation::as_select())
        .first(conn)
        .optional()
}

pub fn rotations_of(conn: &mut AnyConnection, placement_id: i64) -> QueryResult<Vec<Rotation>> {
    rotations::table
        .filter(rotations::placement_id.eq(placement_id))
        .order(rotations::starts_on)
        .select(Rotation::as_select())
        .load(conn)
}

/// Placements of a doctor, with their base's name.
pub fn placements_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<PlacementAt>> {
    placements::table
        .inner_join(organizations::table)
        .filter(placements::doctor_id.eq(doctor_id))
        .order(placements::starts_on.desc())
        .select((Placement::as_select(), organizations::name))
        .load(conn)
}

/// Who and where a placement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub base_name: String,
    pub doctor_name: String,
    pub doctor_path: String,
    pub doctor_user: Option<i64>,
}

/// The base's name and the doctor's name, region path and account of a placement.
pub fn context(conn: &mut AnyConnection, p: &Placement) -> QueryResult<Context> {
    let base_name: String = organizations::table
        .find(p.base_org_id)
        .select(organizations::name)
        .first(conn)?;
    let (doctor_name, doctor_path, doctor_user): (String, String, Option<i64>) = doctors::table
        .inner_join(regions::table)
        .filter(doctors::id.eq(p.doctor_id))
        .select((doctors::name, regions::path, doctors::user_id))
        .first(conn)?;
    Ok(Context {
        base_name,
        doctor_name,
        doctor_path,
        doctor_user,
    })
}

pub fn insert_placement(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    base_org_id: i64,
    range: (NaiveDate, NaiveDate),
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(placements::table)
            .values((
                placements::doctor_id.eq(doctor_id),
                placements::program_id.eq(program_id),
                placements::base_org_id.eq(base_org_id),
                placements::starts_on.eq(range.0),
                placements::ends_on.eq(range.1),
                placements::created_by.eq(actor.id),
                placements::created_at.eq(now),
                placements::updated_at.eq(now),
            ))
            .returning(placements::id)
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("placement.created")
                .target(format!("placement:{id}"))
                .detail(serde_json::json!({ "doctor_id": doctor_id, "base_org_id": base_org_id })),
            now,
        )?;
        Ok(id)
    })
}

pub fn insert_rotation(
    conn: &mut AnyConnection,
    placement_id: i64,
    department: &str,
    range: (NaiveDate, NaiveDate),
    supervisor_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(rotations::table)
        .values((
            rotations::placement_id.eq(placement_id),
            rotations::department.eq(department),
            rotations::starts_on.eq(range.0),
            rotations::ends_on.eq(range.1),
            rotations::supervisor_id.eq(supervisor_id),
            rotations::created_at.eq(now),
        ))
        .returning(rotations::id)
        .get_result(conn)
}

/// Record a rotation's sign-off (its days are credited by the caller, through
/// `crate::study::credit`, in the same transaction), audited. A rotation is signed off
/// once: 0 when it already was.
pub fn mark_signed(
    conn: &mut AnyConnection,
    rotation_id: i64,
    score: Option<Points>,
    summary: Option<&str>,
    days_credited: usize,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(
        rotations::table
            .find(rotation_id)
            .filter(rotations::signed_off_at.is_null()),
    )
    .set((
        rotations::signed_off_by.eq(actor.id),
        rotations::signed_off_at.eq(Some(now)),
        rotations::assessment_score.eq(score),
        rotations::summary.eq(summary),
    ))
    .execute(conn)?;
    if n > 0 {
        audit::record(
            conn,
            actor,
            &Entry::new("rotation.signed_off")
                .target(format!("rotation:{rotation_id}"))
                .detail(serde_json::json!({
                    "days_credited": days_credited,
                    // Tenths of a point, as the log has always recorded them.
                    "assessment_score": score.map(Points::as_tenths),
                })),
            now,
        )?;
    }
    Ok(n)
}

pub fn assess_placement(
    conn: &mut AnyConnection,
    id: i64,
    score: Option<Points>,
    summary: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    db::write(conn, |conn| {
        diesel::update(placements::table.find(id))
            .set((
                placements::assessment_score.eq(score),
                placements::summary.eq(summary),
                placements::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("placement.assessed")
                .target(format!("placement:{id}"))
                .detail(serde_json::json!({ "assessment_score": score.map(Points::as_tenths) })),
            now,
        )
    })
}
