//! Questions in the database: the rows, counting, and loading pools for drawing papers;
//! writing batches and syncing the shipped bank (`write`); storing imports (`import`).

mod import;
mod write;

pub use self::import::{ImportStored, collection_owner, owners, store_import};
pub use self::write::{Stored, store, sync_core};

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::views::Summary;
use super::{Difficulty, Frame, QType, Question};
use crate::db::AnyConnection;
use crate::db::schema::questions;

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
pub(super) struct Row<'a> {
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

pub(super) fn row(q: &Question, now: NaiveDateTime) -> Row<'_> {
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
