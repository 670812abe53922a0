//! Queries of identity: sessions, login lookups, throttle counters, token versions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::{self, ThrottlePolicy, ThrottleState};
use crate::db::schema::{login_throttle, regions, users};
use crate::db::{self, AnyConnection};
use crate::per_backend;
use crate::regions::Region;
use crate::users::User;

/// The account a token names: the account, its region, and the doctor or instructor
/// record linked to it (one indexed query, then kept by [`super::versions::Versions`]).
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub region: Region,
    pub doctor_id: Option<i64>,
    pub instructor_id: Option<i64>,
}

/// See [`SessionUser`].
pub fn session_user(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<SessionUser>> {
    use crate::db::schema::{doctors, instructors};
    users::table
        .inner_join(regions::table)
        .left_join(doctors::table.on(doctors::user_id.eq(users::id.nullable())))
        .left_join(instructors::table.on(instructors::user_id.eq(users::id.nullable())))
        .filter(users::id.eq(id))
        .select((
            User::as_select(),
            Region::as_select(),
            doctors::id.nullable(),
            instructors::id.nullable(),
        ))
        .first::<(User, Region, Option<i64>, Option<i64>)>(conn)
        .optional()
        .map(|found| {
            found.map(|(user, region, doctor_id, instructor_id)| SessionUser {
                user,
                region,
                doctor_id,
                instructor_id,
            })
        })
}

/// An account and its password hash, for login.
pub fn for_login(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<(User, String)>> {
    users::table
        .filter(users::username.eq(username))
        .select((User::as_select(), users::password_hash))
        .first(conn)
        .optional()
}

/// The region of an account (for the login answer).
pub fn region_of(conn: &mut AnyConnection, user: &User) -> QueryResult<Region> {
    regions::table
        .find(&user.region_code)
        .select(Region::as_select())
        .first(conn)
}

pub fn throttle_state(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<ThrottleState>> {
    login_throttle::table
        .find(key)
        .select((
            login_throttle::failures,
            login_throttle::window_started_at,
            login_throttle::locked_until,
        ))
        .first::<(i32, NaiveDateTime, Option<NaiveDateTime>)>(conn)
        .optional()
        .map(|row| {
            row.map(
                |(failures, window_started_at, locked_until)| ThrottleState {
                    failures,
                    window_started_at,
                    locked_until,
                },
            )
        })
}

/// Read a key's counter for update: the row is created empty if absent and, on
/// PostgreSQL, locked until the transaction ends (SQLite's write transaction already
/// excludes every other writer).
fn lock_counter(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<ThrottleState> {
    per_backend!(conn, |c| diesel::insert_into(login_throttle::table)
        .values((
            login_throttle::key.eq(key),
            login_throttle::failures.eq(0),
            login_throttle::window_started_at.eq(now),
            login_throttle::locked_until.eq(None::<NaiveDateTime>),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    let columns = (
        login_throttle::failures,
        login_throttle::window_started_at,
        login_throttle::locked_until,
    );
    let (failures, window_started_at, locked_until) = match conn {
        AnyConnection::Postgresql(c) => login_throttle::table
            .find(key)
            .select(columns)
            .for_update()
            .first::<(i32, NaiveDateTime, Option<NaiveDateTime>)>(c)?,
        AnyConnection::Sqlite(c) => login_throttle::table.find(key).select(columns).first::<(
            i32,
            NaiveDateTime,
            Option<NaiveDateTime>,
        )>(c)?,
    };
    Ok(ThrottleState {
        failures,
        window_started_at,
        locked_until,
    })
}

fn store_counter(conn: &mut AnyConnection, key: &str, state: &ThrottleState) -> QueryResult<()> {
    diesel::update(login_throttle::table.find(key))
        .set((
            login_throttle::failures.eq(state.failures),
            login_throttle::window_started_at.eq(state.window_started_at),
            login_throttle::locked_until.eq(state.locked_until),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Admit a login attempt against every key in one write transaction: if any key is
/// locked, nothing is counted and the longest remaining lock is returned; otherwise the
/// attempt is counted on every key (see [`rules::admit`]).
pub fn admit_attempt(
    conn: &mut AnyConnection,
    keys: &[(String, &ThrottlePolicy)],
    now: NaiveDateTime,
) -> QueryResult<Result<(), chrono::Duration>> {
    db::write(conn, |conn| {
        let mut counted = Vec::with_capacity(keys.len());
        let mut locked: Option<chrono::Duration> = None;
        for (key, policy) in keys {
            let state = lock_counter(conn, key, now)?;
            match rules::admit(Some(state), policy, now) {
                Ok(next) => counted.push((key, next)),
                Err(remaining) => locked = locked.max(Some(remaining)),
            }
        }
        if let Some(remaining) = locked {
            return Ok(Err(remaining));
        }
        for (key, next) in &counted {
            store_counter(conn, key, next)?;
        }
        Ok(Ok(()))
    })
}

/// Take back the attempt [`admit_attempt`] counted on a key (the login succeeded).
pub fn refund_attempt(
    conn: &mut AnyConnection,
    key: &str,
    policy: &ThrottlePolicy,
    now: NaiveDateTime,
) -> QueryResult<()> {
    db::write(conn, |conn| {
        let state = lock_counter(conn, key, now)?;
        store_counter(conn, key, &rules::refund(state, policy))
    })
}

/// Forget the failures of a key (after a successful login).
pub fn clear_throttle(conn: &mut AnyConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(key))
        .execute(conn)
        .map(|_| ())
}

/// Revoke every token of an account (logout).
pub fn bump_token_version(
    conn: &mut AnyConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn mark_login(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::previous_login_at.eq(users::last_login_at),
            users::last_login_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The password hash of an account (for a password change).
pub fn password_hash(conn: &mut AnyConnection, id: i64) -> QueryResult<String> {
    users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)
}
