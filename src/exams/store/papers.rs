//! `paper_items`: each drawn item's content once, by the hash of its JSON
//! ([`rules::stored`](crate::exams::rules::stored)); reading a stored paper back.
//!
//! A content never changes under its key (the key is the hash of the body, checked when
//! read), so the contents read or written are kept in memory for the whole process,
//! whatever database they came from. Which contents a database already *holds* is another
//! matter, per database: [`Caches`](super::Caches) keeps that.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::paper_items;
use crate::exams::Paper;
use crate::exams::rules::stored::{self, Content, ItemContent, Stored};

/// Contents kept in memory at most (a bank of a few thousand items, each ~600 bytes).
const MAX_CONTENTS: usize = 20_000;

fn contents() -> &'static Mutex<HashMap<String, Arc<ItemContent>>> {
    static CONTENTS: OnceLock<Mutex<HashMap<String, Arc<ItemContent>>>> = OnceLock::new();
    CONTENTS.get_or_init(Mutex::default)
}

/// Keep contents in memory (they are what their keys say: parsed from a split or checked
/// when read).
pub fn remember(parsed: impl IntoIterator<Item = (String, Arc<ItemContent>)>) {
    if let Ok(mut kept) = contents().lock() {
        for (key, content) in parsed {
            if kept.len() >= MAX_CONTENTS {
                kept.clear();
            }
            kept.insert(key, content);
        }
    }
}

fn corrupt(why: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(why.into())
}

/// Write the contents a paper refers to, in the order given (key order), each unless
/// already there. Inside the caller's transaction: a paper is never stored without them.
/// On PostgreSQL one statement (rows are written in the order given).
pub fn store_contents(conn: &mut AnyConnection, fresh: &[Content]) -> QueryResult<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = fresh
        .iter()
        .map(|c| (paper_items::hash.eq(&c.key), paper_items::body.eq(&c.body)))
        .collect();
    match conn {
        AnyConnection::Postgresql(c) => {
            diesel::insert_into(paper_items::table)
                .values(&rows)
                .on_conflict(paper_items::hash)
                .do_nothing()
                .execute(c)?;
        }
        AnyConnection::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(paper_items::table)
                    .values(row)
                    .on_conflict(paper_items::hash)
                    .do_nothing()
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// A stored paper column, read back: whole as it was stored, or joined with its
/// contents (from memory, else from `paper_items`). Anything damaged or missing is an
/// error, never an empty paper.
pub fn read(conn: &mut AnyConnection, text: &str) -> QueryResult<Paper> {
    let refs = match stored::parse(text).map_err(corrupt)? {
        Stored::Whole(paper) => return Ok(paper),
        Stored::Refs(refs) => refs,
    };
    let mut found: HashMap<String, Arc<ItemContent>> = HashMap::with_capacity(refs.len());
    let mut missing: Vec<&str> = Vec::new();
    if let Ok(kept) = contents().lock() {
        for r in &refs {
            match kept.get(&r.c) {
                Some(content) => {
                    found.insert(r.c.clone(), content.clone());
                }
                None => missing.push(&r.c),
            }
        }
    } else {
        missing = refs.iter().map(|r| r.c.as_str()).collect();
    }
    if !missing.is_empty() {
        missing.sort_unstable();
        missing.dedup();
        let rows: Vec<(String, String)> = paper_items::table
            .filter(paper_items::hash.eq_any(&missing))
            .select((paper_items::hash, paper_items::body))
            .load(conn)?;
        let mut loaded = Vec::with_capacity(rows.len());
        for (key, body) in rows {
            let content = Arc::new(stored::parse_content(&key, &body).map_err(corrupt)?);
            found.insert(key.clone(), content.clone());
            loaded.push((key, content));
        }
        remember(loaded);
    }
    stored::join(&refs, &found).map_err(corrupt)
}
