//! Uploads kept between a page's dry run and its confirmation, so a clerk checks a file
//! once and confirms without uploading it again. In the database (not memory), so any
//! instance can take the confirmation; an hour old, they are gone. The content is
//! encrypted with the ID key (a roster file is full of ID numbers): a copy of the
//! database does not reveal it.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;

use crate::db::AnyConnection;
use crate::db::schema::upload_stash;
use crate::pii::Pii;

/// How long a checked upload waits for its confirmation.
pub const LIFETIME: Duration = Duration::hours(1);

/// A stashed upload.
#[derive(Debug, Clone)]
pub struct Stashed {
    pub filename: Option<String>,
    pub params: serde_json::Value,
    pub content: Vec<u8>,
}

/// Keep an upload; returns the token that claims it. Expired uploads are swept first.
pub fn put(
    conn: &mut AnyConnection,
    pii: &Pii,
    user_id: i64,
    purpose: &str,
    stashed: &Stashed,
    now: NaiveDateTime,
) -> QueryResult<String> {
    diesel::delete(upload_stash::table.filter(upload_stash::created_at.lt(now - LIFETIME)))
        .execute(conn)?;
    let mut token = [0u8; 16];
    rand::rng().fill_bytes(&mut token);
    let token = hex::encode(token);
    diesel::insert_into(upload_stash::table)
        .values((
            upload_stash::token.eq(&token),
            upload_stash::user_id.eq(user_id),
            upload_stash::purpose.eq(purpose),
            upload_stash::filename.eq(&stashed.filename),
            upload_stash::params.eq(stashed.params.to_string()),
            upload_stash::content.eq(pii.seal(&stashed.content)),
            upload_stash::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Claim an upload: only its owner, for its purpose, within its lifetime; it is removed.
pub fn take(
    conn: &mut AnyConnection,
    pii: &Pii,
    token: &str,
    user_id: i64,
    purpose: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Stashed>> {
    let found: Option<(Option<String>, String, Vec<u8>, NaiveDateTime)> = upload_stash::table
        .filter(upload_stash::token.eq(token))
        .filter(upload_stash::user_id.eq(user_id))
        .filter(upload_stash::purpose.eq(purpose))
        .select((
            upload_stash::filename,
            upload_stash::params,
            upload_stash::content,
            upload_stash::created_at,
        ))
        .first(conn)
        .optional()?;
    diesel::delete(upload_stash::table.filter(upload_stash::token.eq(token))).execute(conn)?;
    // Expired, or sealed under a key since rotated: gone either way.
    Ok(found
        .filter(|(.., at)| now - *at < LIFETIME)
        .and_then(|(filename, params, sealed, _)| {
            Some(Stashed {
                filename,
                params: serde_json::from_str(&params).ok()?,
                content: pii.open(&sealed).ok()?,
            })
        }))
}
