//! Questions in the database: syncing the shipped bank at start, storing imports,
//! counting, and loading pools for drawing papers.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::files::CORE;
use super::rules::duplicates::{self, Duplicate};
use super::rules::import::Owner;
use super::views::Summary;
use super::{Difficulty, Frame, Malformed, QType, Question, Refusal, Skipped};
use crate::db::schema::questions;
use crate::db::{self, AnyConnection};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questions)]
pub struct QuestionRow {
    pub id: i64,
    pub qid: String,
    pub collection: String,
    pub area: String,
    pub topic: String,
    pub qtype: String,
    pub difficulty: Option<String>,
    pub group_id: Option<String>,
    pub case_text: Option<String>,
    pub stem: String,
    pub options: String,
    pub answer: String,
    pub explanation: String,
    pub source: String,
    pub content_hash: String,
    pub active: bool,
    pub frame: String,
    pub tcm: bool,
    pub excludes: String,
}

impl QuestionRow {
    pub fn question(&self) -> Question {
        Question {
            qid: self.qid.clone(),
            collection: self.collection.clone(),
            area: self.area.clone(),
            topic: self.topic.clone(),
            qtype: QType::parse(&self.qtype).unwrap_or(QType::A1),
            difficulty: self.difficulty.as_deref().and_then(Difficulty::parse),
            group_id: self.group_id.clone(),
            case_text: self.case_text.clone(),
            stem: self.stem.clone(),
            options: serde_json::from_str(&self.options).unwrap_or_default(),
            answer: self.answer.clone(),
            explanation: self.explanation.clone(),
            source: self.source.clone(),
            frame: Frame::parse(&self.frame).unwrap_or_else(|| Frame::of_area(&self.area)),
            tcm: self.tcm,
            excludes: serde_json::from_str(&self.excludes).unwrap_or_default(),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = questions)]
struct Row<'a> {
    qid: &'a str,
    collection: &'a str,
    area: &'a str,
    topic: &'a str,
    qtype: &'a str,
    difficulty: Option<&'a str>,
    group_id: Option<&'a str>,
    case_text: Option<&'a str>,
    stem: &'a str,
    options: String,
    answer: &'a str,
    explanation: &'a str,
    source: &'a str,
    content_hash: String,
    active: bool,
    updated_at: NaiveDateTime,
    frame: &'a str,
    tcm: bool,
    excludes: String,
}

fn row(q: &Question, now: NaiveDateTime) -> Row<'_> {
    Row {
        qid: &q.qid,
        collection: &q.collection,
        area: &q.area,
        topic: &q.topic,
        qtype: q.qtype.as_str(),
        difficulty: q.difficulty.map(Difficulty::as_str),
        group_id: q.group_id.as_deref(),
        case_text: q.case_text.as_deref(),
        stem: &q.stem,
        options: serde_json::to_string(&q.options).unwrap_or_else(|_| "[]".into()),
        answer: &q.answer,
        explanation: &q.explanation,
        source: &q.source,
        content_hash: content_hash(q),
        active: true,
        updated_at: now,
        frame: q.frame.as_str(),
        tcm: q.tcm,
        excludes: serde_json::to_string(&q.excludes).unwrap_or_else(|_| "[]".into()),
    }
}

/// A fingerprint of everything a question says: unchanged questions are not rewritten.
pub fn content_hash(q: &Question) -> String {
    let json = serde_json::to_vec(q).unwrap_or_default();
    hex::encode(&Sha256::digest(&json)[..16])
}

/// What storing a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stored {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Core questions no longer shipped: kept for past papers, no longer drawn.
    pub retired: usize,
}

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
    let resolved = super::rules::symmetric_excludes(shipped);
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

/// Active questions by area, type, collection and difficulty.
pub fn summary(conn: &mut AnyConnection) -> QueryResult<Summary> {
    let active = questions::active.eq(true);
    let by_area: Vec<(String, i64)> = questions::table
        .filter(active)
        .group_by(questions::area)
        .select((questions::area, diesel::dsl::count_star()))
        .load(conn)?;
    let by_type: Vec<(String, i64)> = questions::table
        .filter(active)
        .group_by(questions::qtype)
        .select((questions::qtype, diesel::dsl::count_star()))
        .load(conn)?;
    let by_collection: Vec<(String, i64)> = questions::table
        .filter(active)
        .group_by(questions::collection)
        .select((questions::collection, diesel::dsl::count_star()))
        .load(conn)?;
    let by_difficulty: Vec<(Option<String>, i64)> = questions::table
        .filter(active)
        .group_by(questions::difficulty)
        .select((questions::difficulty, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(Summary {
        total: by_area.iter().map(|(_, n)| n).sum(),
        by_area: by_area.into_iter().collect(),
        by_type: by_type.into_iter().collect(),
        by_collection: by_collection.into_iter().collect(),
        by_difficulty: by_difficulty
            .into_iter()
            .map(|(d, n)| (d.unwrap_or_else(|| "unset".into()), n))
            .collect(),
    })
}

/// One question by its id (active or retired).
pub fn get(conn: &mut AnyConnection, qid: &str) -> QueryResult<Option<QuestionRow>> {
    questions::table
        .filter(questions::qid.eq(qid))
        .select(QuestionRow::as_select())
        .first(conn)
        .optional()
}

/// Active questions by (area, type).
pub fn counts_by_area_and_type(
    conn: &mut AnyConnection,
) -> QueryResult<HashMap<(String, String), i64>> {
    let rows: Vec<(String, String, i64)> = questions::table
        .filter(questions::active.eq(true))
        .group_by((questions::area, questions::qtype))
        .select((questions::area, questions::qtype, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(a, t, n)| ((a, t), n)).collect())
}

/// Which questions to load.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub collection: Option<String>,
    pub areas: Option<Vec<String>>,
    pub active_only: bool,
}

/// Questions in bank order (the order they were added: file order for the shipped bank,
/// so a group's items keep their order).
pub fn list(conn: &mut AnyConnection, filter: &Filter) -> QueryResult<Vec<Question>> {
    let mut q = questions::table
        .select(QuestionRow::as_select())
        .order(questions::id)
        .into_boxed();
    if let Some(c) = &filter.collection {
        q = q.filter(questions::collection.eq(c.clone()));
    }
    if let Some(areas) = &filter.areas {
        q = q.filter(questions::area.eq_any(areas.clone()));
    }
    if filter.active_only {
        q = q.filter(questions::active.eq(true));
    }
    Ok(q.load(conn)?.iter().map(QuestionRow::question).collect())
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

/// Does a collection exist (with any active question)?
pub fn collection_exists(conn: &mut AnyConnection, name: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        questions::table.filter(
            questions::collection
                .eq(name)
                .and(questions::active.eq(true)),
        ),
    ))
    .get_result(conn)
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
    imported: &super::formats::Imported,
    collection: &str,
    format: super::formats::Format,
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
