//! Queries on accounts. Every read that serves a request filters by the caller's region
//! subtree in SQL; [`Lookup::OutOfScope`] lets the handler audit the denial.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{NewUser, User, UserFilter};
use crate::access::{Lookup, Role};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{regions, users};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::regions::{Region, Scope, in_scope};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// One account with its region.
pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(User, Region)>> {
    users::table
        .inner_join(regions::table)
        .filter(users::id.eq(id))
        .select((User::as_select(), Region::as_select()))
        .first(conn)
        .optional()
}

/// One account if it lies in `scope`.
pub fn get_scoped(
    conn: &mut AnyConnection,
    id: i64,
    scope: &Scope,
) -> QueryResult<Lookup<(User, Region)>> {
    Ok(match get(conn, id)? {
        Some(found) if scope.contains_path(&found.1.path) => Lookup::Found(found),
        Some(_) => Lookup::OutOfScope,
        None => Lookup::Missing,
    })
}

/// A page of accounts in `scope`, oldest first.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    filter: &UserFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<(User, Region)>, i64)> {
    let query = || {
        let mut q = users::table
            .inner_join(regions::table)
            .filter(in_scope(scope))
            .into_boxed();
        if let Some(region) = &filter.region {
            q = q.filter(in_scope(region));
        }
        if let Some(role) = filter.role {
            q = q.filter(users::role.eq(role));
        }
        if let Some(disabled) = filter.disabled {
            q = q.filter(users::disabled.eq(disabled));
        }
        if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            q = q.filter(
                lower(users::username)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(users::display_name).like(pattern).escape('\\')),
            );
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order(users::id)
        .offset(offset)
        .limit(limit)
        .select((User::as_select(), Region::as_select()))
        .load(conn)?;
    Ok((rows, total))
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `\` as the escape character.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn username_taken(conn: &mut AnyConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewRow<'a> {
    username: &'a str,
    password_hash: &'a str,
    display_name: &'a str,
    role: Role,
    region_code: &'a str,
    disabled: bool,
    token_version: i64,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Insert an account and its audit row in one transaction. A taken username is a 409.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewUser,
    password_hash: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<User, AppError> {
    db::write(conn, |conn| {
        if username_taken(conn, new.username.as_str())? {
            return Err(AppError::Conflict(format!(
                "用户名 {} 已被使用",
                new.username.as_str()
            )));
        }
        diesel::insert_into(users::table)
            .values(NewRow {
                username: new.username.as_str(),
                password_hash,
                display_name: &new.display_name,
                role: new.role,
                region_code: new.region_code.as_str(),
                disabled: false,
                token_version: 0,
                created_by: actor.id,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)?;
        let user: User = users::table
            .filter(users::username.eq(new.username.as_str()))
            .select(User::as_select())
            .first(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("user.created")
                .target(format!("user:{}", user.id))
                .detail(serde_json::json!({
                    "username": user.username,
                    "role": user.role,
                    "region_code": user.region_code,
                })),
            now,
        )?;
        Ok(user)
    })
}

/// Read an account back after a write (the multi-backend has no `RETURNING` for
/// `Selectable` structs).
fn reload(conn: &mut AnyConnection, id: i64) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

/// Disable or enable an account. Disabling bumps the token version, so its tokens stop
/// working at once.
pub fn set_disabled(
    conn: &mut AnyConnection,
    id: i64,
    disabled: bool,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<User> {
    db::write(conn, |conn| {
        let bump = i64::from(disabled);
        diesel::update(users::table.find(id))
            .set((
                users::disabled.eq(disabled),
                users::token_version.eq(users::token_version + bump),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        let user = reload(conn, id)?;
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        audit::record(
            conn,
            actor,
            &Entry::new(action).target(format!("user:{id}")),
            now,
        )?;
        Ok(user)
    })
}

/// Replace the password hash and revoke every token of the account; `action` names who
/// did it in the audit log (`auth.password_changed` or `user.password_reset`).
pub fn set_password(
    conn: &mut AnyConnection,
    id: i64,
    password_hash: &str,
    actor: &Actor,
    action: &'static str,
    now: NaiveDateTime,
) -> QueryResult<User> {
    db::write(conn, |conn| {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::token_version.eq(users::token_version + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        let user = reload(conn, id)?;
        audit::record(
            conn,
            actor,
            &Entry::new(action).target(format!("user:{id}")),
            now,
        )?;
        Ok(user)
    })
}

/// Set or clear the address reminders go to, audited (`user.email_changed`; the
/// address itself is not copied into the log, only whether there is one and its domain).
pub fn set_email(
    conn: &mut AnyConnection,
    id: i64,
    email: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<User> {
    db::write(conn, |conn| {
        diesel::update(users::table.find(id))
            .set((users::email.eq(email), users::updated_at.eq(now)))
            .execute(conn)?;
        let user = reload(conn, id)?;
        audit::record(
            conn,
            actor,
            &Entry::new("user.email_changed")
                .target(format!("user:{id}"))
                .detail(serde_json::json!({
                    "set": email.is_some(),
                    "domain": email.and_then(|e| e.rsplit_once('@')).map(|(_, d)| d),
                })),
            now,
        )?;
        Ok(user)
    })
}
