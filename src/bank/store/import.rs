//! Storing an import: whose a collection is, which ids other collections hold, and the
//! import's questions written with its audit entry, or refused whole.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Filter, Stored, list, store};
use crate::bank::rules::duplicates::{self, Duplicate};
use crate::bank::rules::import::Owner;
use crate::bank::{Malformed, Refusal, Skipped};
use crate::db::schema::questions;
use crate::db::{self, AnyConnection};

/// Which collection each of these ids already belongs to.
pub fn owners(conn: &mut AnyConnection, qids: &[String]) -> QueryResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in qids.chunks(500) {
        let rows: Vec<(String, String)> = questions::table
            .filter(questions::qid.eq_any(chunk))
            .select((questions::qid, questions::collection))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Whose a collection is: nobody's when it does not exist, else the region of the user
/// who imported its first question (or the command line's).
pub fn collection_owner(conn: &mut AnyConnection, name: &str) -> QueryResult<Owner> {
    use crate::db::schema::{regions, users};
    let first: Option<Option<i64>> = questions::table
        .filter(questions::collection.eq(name))
        .order(questions::id)
        .select(questions::created_by)
        .first(conn)
        .optional()?;
    let Some(creator) = first else {
        return Ok(Owner::Nobody);
    };
    let Some(creator) = creator else {
        return Ok(Owner::CommandLine);
    };
    let path: Option<String> = users::table
        .inner_join(regions::table)
        .filter(users::id.eq(creator))
        .select(regions::path)
        .first(conn)
        .optional()?;
    // An account always has a region; a row without one is kept from the web like a
    // command-line import.
    Ok(path.map_or(Owner::CommandLine, Owner::Region))
}

/// What storing an import did, and what it left because the collection already holds
/// the same question.
#[derive(Debug)]
pub struct ImportStored {
    pub stored: Stored,
    pub skipped: Vec<Skipped>,
}

/// Store an import's questions in one transaction with its audit entry — unless one of
/// its explicit ids already belongs to another collection, or a question repeats one
/// already in the collection with a different key (then nothing is written and every
/// such fault is listed). A repeat with the same key is skipped.
pub fn store_import(
    conn: &mut AnyConnection,
    imported: &crate::bank::formats::Imported,
    collection: &str,
    format: crate::bank::formats::Format,
    actor: &crate::audit::Actor,
    now: NaiveDateTime,
) -> QueryResult<Result<ImportStored, Refusal>> {
    let ids: Vec<String> = imported.questions.iter().map(|q| q.qid.clone()).collect();
    let owners = owners(conn, &ids)?;
    let mut faults = Vec::new();
    for (q, position) in imported.questions.iter().zip(&imported.positions) {
        if let Some(owner) = owners.get(&q.qid).filter(|c| *c != collection) {
            faults.push(Malformed {
                position: position.clone(),
                message: format!("编号 {} 已属于题库 {owner}，请清空编号列后再导入", q.qid),
            });
        }
    }
    let existing = list(
        conn,
        &Filter {
            collection: Some(collection.to_owned()),
            areas: None,
            active_only: true,
        },
    )?;
    let repeats = duplicates::against(&imported.questions, &existing);
    let mut batch = Vec::with_capacity(imported.questions.len());
    let mut skipped = Vec::new();
    for ((q, position), repeat) in imported
        .questions
        .iter()
        .zip(&imported.positions)
        .zip(repeats)
    {
        match repeat {
            Some(Duplicate::Same(s)) => skipped.push(Skipped {
                position: position.clone(),
                reason: format!(
                    "与题库 {collection} 中已有的题目 {} 重复，未重复导入",
                    existing[s].qid
                ),
            }),
            Some(Duplicate::Contradicts(s)) => faults.push(Malformed {
                position: position.clone(),
                message: format!(
                    "与题库 {collection} 中已有的题目 {} 相同，但答案不同（{} 与 {}），请核对",
                    existing[s].qid,
                    duplicates::key_described(&existing[s]),
                    duplicates::key_described(q)
                ),
            }),
            None => batch.push(q.clone()),
        }
    }
    if !faults.is_empty() {
        return Ok(Err(Refusal { faults }));
    }
    db::write(conn, |conn| {
        let stored = store(conn, &batch, actor.id, now)?;
        crate::audit::record(
            conn,
            actor,
            &crate::audit::Entry::new("bank.imported")
                .target(format!("collection:{collection}"))
                .detail(serde_json::json!({
                    "format": format.as_str(), "added": stored.added, "updated": stored.updated,
                    "unchanged": stored.unchanged,
                    "skipped": imported.skipped.len() + skipped.len(),
                    "warnings": imported.warnings.len(),
                })),
            now,
        )?;
        Ok(Ok(ImportStored { stored, skipped }))
    })
}
