//! Queries on instructors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Instructor, NewInstructor};
use crate::access::Lookup;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{instructors, regions};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::pii::Pii;
use crate::regions::{Scope, in_scope};

pub fn get_scoped(
    conn: &mut AnyConnection,
    id: i64,
    scope: &Scope,
) -> QueryResult<Lookup<Instructor>> {
    let found: Option<(Instructor, String)> = instructors::table
        .inner_join(regions::table)
        .filter(instructors::id.eq(id))
        .select((Instructor::as_select(), regions::path))
        .first(conn)
        .optional()?;
    Ok(match found {
        Some((i, path)) if scope.contains_path(&path) => Lookup::Found(i),
        Some(_) => Lookup::OutOfScope,
        None => Lookup::Missing,
    })
}

pub fn by_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<Instructor>> {
    instructors::table
        .filter(instructors::user_id.eq(user_id))
        .select(Instructor::as_select())
        .first(conn)
        .optional()
}

/// A page of the instructors in `scope`, by id.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Instructor>, i64)> {
    list_in(conn, scope, None, offset, limit)
}

/// A page of the instructors in `scope` and in `region`, when given, by id.
pub fn list_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    region: Option<&Scope>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Instructor>, i64)> {
    let query = || {
        let mut q = instructors::table
            .inner_join(regions::table)
            .filter(in_scope(scope))
            .into_boxed();
        if let Some(region) = region {
            q = q.filter(in_scope(region));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(instructors::id)
        .offset(offset)
        .limit(limit)
        .select(Instructor::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// The instructor linked to an account, with its region's path.
pub fn by_user_with_path(
    conn: &mut AnyConnection,
    user_id: i64,
) -> QueryResult<Option<(Instructor, String)>> {
    instructors::table
        .inner_join(regions::table)
        .filter(instructors::user_id.eq(user_id))
        .select((Instructor::as_select(), regions::path))
        .first(conn)
        .optional()
}

/// Insert an instructor (linked to `user_id` when an account was opened), audited.
pub fn insert(
    conn: &mut AnyConnection,
    pii: &Pii,
    new: &NewInstructor,
    user_id: Option<i64>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Instructor, AppError> {
    db::write(conn, |conn| {
        let index = new
            .id_number
            .as_ref()
            .map(|id| pii.blind_index(id.as_str()));
        if let Some(index) = &index {
            let taken: i64 = instructors::table
                .filter(instructors::id_number_index.eq(index))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(AppError::Conflict("该身份证号已登记为师资".into()));
            }
        }
        let id: i64 = diesel::insert_into(instructors::table)
            .values((
                instructors::name.eq(&new.name),
                instructors::phone.eq(new.phone.as_ref().map(|p| p.as_str().to_owned())),
                instructors::id_number_enc
                    .eq(new.id_number.as_ref().map(|id| pii.encrypt(id.as_str()))),
                instructors::id_number_index.eq(index),
                instructors::id_number_masked.eq(new.id_number.as_ref().map(|id| id.masked())),
                instructors::organization_id.eq(new.organization_id),
                instructors::title.eq(&new.title),
                instructors::specialty.eq(&new.specialty),
                instructors::region_code.eq(new.region_code.as_str()),
                instructors::user_id.eq(user_id),
                instructors::active.eq(true),
                instructors::created_at.eq(now),
                instructors::updated_at.eq(now),
            ))
            .returning(instructors::id)
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("instructor.created")
                .target(format!("instructor:{id}"))
                .detail(serde_json::json!({ "region_code": new.region_code.as_str(), "user_id": user_id })),
            now,
        )?;
        Ok(instructors::table
            .find(id)
            .select(Instructor::as_select())
            .first(conn)?)
    })
}
