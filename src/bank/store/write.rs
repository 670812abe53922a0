//! Writing questions: a batch (new ones inserted, changed ones rewritten), and the
//! shipped collection `core` kept in line with the binary.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::row;
use crate::bank::Question;
use crate::bank::files::CORE;
use crate::db::schema::questions;
use crate::db::{self, AnyConnection};

/// What storing a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stored {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Core questions no longer shipped: kept for past papers, no longer drawn.
    pub retired: usize,
}

/// Insert new questions and rewrite changed ones (matched by id), in one transaction.
pub fn store(
    conn: &mut AnyConnection,
    batch: &[Question],
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<Stored> {
    db::write(conn, |conn| {
        let mut existing: HashMap<String, (i64, String, bool)> = HashMap::new();
        let ids: Vec<String> = batch.iter().map(|q| q.qid.clone()).collect();
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String, String, bool)> = questions::table
                .filter(questions::qid.eq_any(chunk))
                .select((
                    questions::id,
                    questions::qid,
                    questions::content_hash,
                    questions::active,
                ))
                .load(conn)?;
            existing.extend(
                rows.into_iter()
                    .map(|(id, qid, hash, active)| (qid, (id, hash, active))),
            );
        }
        let mut stored = Stored::default();
        for q in batch {
            let r = row(q, now);
            match existing.get(&q.qid) {
                Some((_, hash, true)) if *hash == r.content_hash => stored.unchanged += 1,
                Some((id, _, _)) => {
                    diesel::update(questions::table.find(*id))
                        .set(&r)
                        .execute(conn)?;
                    stored.updated += 1;
                }
                None => {
                    diesel::insert_into(questions::table)
                        .values((
                            &r,
                            questions::created_by.eq(created_by),
                            questions::created_at.eq(now),
                        ))
                        .execute(conn)?;
                    stored.added += 1;
                }
            }
        }
        Ok(stored)
    })
}

/// Bring collection `core` in line with the shipped bank: add and update what changed,
/// retire (deactivate) what is no longer shipped. Cheap when nothing changed. Enemy
/// items are stored on both sides (`rules::symmetric_excludes`).
pub fn sync_core(
    conn: &mut AnyConnection,
    shipped: &[Question],
    now: NaiveDateTime,
) -> QueryResult<Stored> {
    let resolved = crate::bank::rules::symmetric_excludes(shipped);
    db::write(conn, |conn| {
        let mut stored = store(conn, &resolved, None, now)?;
        let keep: std::collections::HashSet<&str> =
            shipped.iter().map(|q| q.qid.as_str()).collect();
        let active: Vec<(i64, String)> = questions::table
            .filter(
                questions::collection
                    .eq(CORE)
                    .and(questions::active.eq(true)),
            )
            .select((questions::id, questions::qid))
            .load(conn)?;
        let gone: Vec<i64> = active
            .into_iter()
            .filter(|(_, q)| !keep.contains(q.as_str()))
            .map(|(id, _)| id)
            .collect();
        for chunk in gone.chunks(500) {
            diesel::update(questions::table.filter(questions::id.eq_any(chunk)))
                .set((questions::active.eq(false), questions::updated_at.eq(now)))
                .execute(conn)?;
        }
        stored.retired = gone.len();
        Ok(stored)
    })
}
