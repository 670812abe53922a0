//! The engine's in-memory caches (one per process): papers' shapes for answer saves,
//! drawing pools, and which item contents the database holds. Both hold only what cannot change or is checked against the database
//! before use.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::bank::{QType, Question};
use crate::db::AnyConnection;
use crate::db::schema::questions;
use crate::exams::rules::stored::Content;
use crate::exams::{Attempt, Blueprint};

/// What a save needs to know of an attempt, kept in memory: a paper never changes once
/// drawn, so this never goes stale (whether it is still open is the database's to say).
#[derive(Debug, Clone)]
pub struct Shape {
    pub attempt_id: i64,
    pub exam_id: i64,
    /// The account of the doctor who sits it.
    pub owner: Option<i64>,
    /// Question id → the item's type and option keys.
    pub items: HashMap<String, ShapeItem>,
}

/// An item's type and option keys: what checking an answer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeItem {
    pub qtype: QType,
    pub keys: Vec<char>,
}

impl Shape {
    pub fn of(attempt: &Attempt, owner: Option<i64>) -> Shape {
        let items = attempt
            .paper
            .items()
            .iter()
            .map(|i| {
                (
                    i.question_id.clone(),
                    ShapeItem {
                        qtype: i.qtype,
                        keys: i.keys(),
                    },
                )
            })
            .collect();
        Shape {
            attempt_id: attempt.id,
            exam_id: attempt.exam_id,
            owner,
            items,
        }
    }
}

/// The caches.
#[derive(Default)]
pub struct Caches {
    shapes: Mutex<HashMap<i64, Arc<Shape>>>,
    pools: Mutex<HashMap<i64, CachedPool>>,
    /// The keys of item contents this database is known to hold: written by a start of
    /// this process that committed (contents are never deleted).
    stored: Mutex<HashSet<String>>,
}

/// Content keys remembered as stored at most (a bank's items, each edit a new content).
const MAX_STORED: usize = 100_000;

/// Papers kept in memory at most (a county's sitting is a few thousand).
const MAX_SHAPES: usize = 50_000;

impl Caches {
    pub fn shape(&self, attempt_id: i64) -> Option<Arc<Shape>> {
        self.shapes.lock().ok()?.get(&attempt_id).cloned()
    }

    pub fn keep_shape(&self, shape: Shape) -> Arc<Shape> {
        let shape = Arc::new(shape);
        if let Ok(mut shapes) = self.shapes.lock() {
            if shapes.len() >= MAX_SHAPES {
                shapes.clear();
            }
            shapes.insert(shape.attempt_id, shape.clone());
        }
        shape
    }

    /// Of a paper's contents, those not known to be in the database yet (all of them if
    /// the set cannot be read): the start writes these, each unless already there.
    pub fn unstored(&self, contents: &[Content]) -> Vec<Content> {
        let Ok(stored) = self.stored.lock() else {
            return contents.to_vec();
        };
        contents
            .iter()
            .filter(|c| !stored.contains(&c.key))
            .cloned()
            .collect()
    }

    /// Contents a committed start wrote (or found written).
    pub fn mark_stored<'a>(&self, keys: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut stored) = self.stored.lock() {
            if stored.len() >= MAX_STORED {
                // Forgetting only costs a start an `INSERT … DO NOTHING` again.
                stored.clear();
            }
            for key in keys {
                if !stored.contains(key) {
                    stored.insert(key.to_owned());
                }
            }
        }
    }

    /// The drawing pool of an exam, reloaded whenever the bank has changed.
    pub fn pool(
        &self,
        conn: &mut AnyConnection,
        exam_id: i64,
        blueprint: &Blueprint,
    ) -> QueryResult<Arc<Vec<Question>>> {
        let now = fingerprint(conn)?;
        if let Some(cached) = self
            .pools
            .lock()
            .ok()
            .and_then(|p| p.get(&exam_id).cloned())
            && cached.seen == now
        {
            return Ok(cached.pool);
        }
        let loaded = Arc::new(super::bank::pool(conn, blueprint)?);
        if let Ok(mut pools) = self.pools.lock() {
            if pools.len() > 1_000 {
                pools.clear();
            }
            pools.insert(
                exam_id,
                CachedPool {
                    seen: now,
                    pool: loaded.clone(),
                },
            );
        }
        Ok(loaded)
    }
}

/// A drawing pool and the bank state it was loaded at.
#[derive(Clone)]
struct CachedPool {
    seen: Fingerprint,
    pool: Arc<Vec<Question>>,
}

/// What changes whenever any question is added, edited or retired: the newest id and the
/// latest edit. Each is one probe of an index (the primary key, `questions_updated`), on
/// both backends; the count it replaced read every row on PostgreSQL at every start
/// (11,862 scans of the bank in a minute of the province exam's starts). The server never
/// deletes a question (retiring is an edit), so these two see every change it makes.
type Fingerprint = (Option<i64>, Option<NaiveDateTime>);

fn fingerprint(conn: &mut AnyConnection) -> QueryResult<Fingerprint> {
    // Two scalar subqueries: a query with two aggregates would scan the table on SQLite,
    // whose min/max shortcut takes one aggregate alone.
    diesel::select((
        questions::table
            .select(diesel::dsl::max(questions::id))
            .single_value(),
        questions::table
            .select(diesel::dsl::max(questions::updated_at))
            .single_value(),
    ))
    .get_result(conn)
}

#[cfg(test)]
mod tests {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    use super::*;

    fn insert(conn: &mut AnyConnection, qid: &str, at: &str) {
        let AnyConnection::Sqlite(c) = conn else {
            unreachable!()
        };
        c.batch_execute(&format!(
            "INSERT INTO questions (qid, collection, area, topic, qtype, stem, options, answer, \
             explanation, source, content_hash, active, created_at, updated_at, frame, tcm, excludes) \
             VALUES ('{qid}', 'c', 'a', 't', 'A1', 's', '[]', 'A', '', 'src', 'h{qid}', 1, \
             '{at}', '{at}', 'public_health', 0, '[]')"
        ))
        .unwrap();
    }

    /// Every change the server makes to the bank (a new question, an edit, retiring one)
    /// moves the fingerprint, so a cached pool is never used past it.
    #[test]
    fn every_bank_change_the_server_makes_moves_the_fingerprint() {
        let mut conn =
            AnyConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        crate::db::run_migrations(&mut conn).unwrap();
        let empty = fingerprint(&mut conn).unwrap();
        assert_eq!(empty, (None, None));
        insert(&mut conn, "q1", "2026-01-02 00:00:00");
        insert(&mut conn, "q2", "2026-01-01 00:00:00");
        let two = fingerprint(&mut conn).unwrap();
        assert_ne!(two, empty);
        // A question added with an older edit time still moves the newest id.
        insert(&mut conn, "q3", "2025-01-01 00:00:00");
        let three = fingerprint(&mut conn).unwrap();
        assert_ne!(three, two);
        // An edit or a retirement stamps `updated_at`.
        diesel::update(questions::table.filter(questions::qid.eq("q2")))
            .set((
                questions::active.eq(false),
                questions::updated_at.eq(chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()),
            ))
            .execute(&mut conn)
            .unwrap();
        let retired = fingerprint(&mut conn).unwrap();
        assert_ne!(retired, three);
        assert_eq!(fingerprint(&mut conn).unwrap(), retired);
    }
}
