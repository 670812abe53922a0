//! Stations: the shipped ones synced at start, those added through the API.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::skill_stations;
use crate::db::{self, AnyConnection};
use crate::points::Points;
use crate::skills::{ItemDef, StationDef};

/// A stored station.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = skill_stations)]
pub struct StationRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub area: String,
    pub minutes: i32,
    pub max_points: Points,
    pub pass_points: Points,
    pub items: String,
    pub rating: String,
    pub source: String,
    pub shipped: bool,
    pub active: bool,
}

impl StationRow {
    pub fn items(&self) -> Vec<ItemDef> {
        serde_json::from_str(&self.items).unwrap_or_default()
    }

    pub fn rating(&self) -> Vec<String> {
        serde_json::from_str(&self.rating).unwrap_or_default()
    }
}

fn hash(def: &StationDef) -> String {
    let json = serde_json::to_vec(&(
        &def.code,
        &def.title,
        &def.area,
        def.minutes,
        def.max_points,
        def.pass_points,
        &def.items,
        &def.rating,
        &def.source,
    ))
    .unwrap_or_default();
    hex::encode(&Sha256::digest(&json)[..16])
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Synced {
    pub added: usize,
    pub updated: usize,
    pub retired: usize,
}

/// Bring the shipped stations in line with the files: add, update what changed, retire
/// (deactivate) what is no longer shipped. A station added through the API with a
/// shipped code is left alone.
pub fn sync_shipped(
    conn: &mut AnyConnection,
    shipped: &[StationDef],
    now: NaiveDateTime,
) -> QueryResult<Synced> {
    db::write(conn, |conn| {
        let mut done = Synced::default();
        let existing: Vec<(i64, String, String, bool, bool)> = skill_stations::table
            .select((
                skill_stations::id,
                skill_stations::code,
                skill_stations::content_hash,
                skill_stations::shipped,
                skill_stations::active,
            ))
            .load(conn)?;
        for def in shipped {
            let h = hash(def);
            match existing.iter().find(|e| e.1 == def.code) {
                None => {
                    insert(conn, def, &h, true, None, now)?;
                    done.added += 1;
                }
                Some((id, _, old, true, active)) if *old != h || !active => {
                    diesel::update(skill_stations::table.find(*id))
                        .set((
                            skill_stations::title.eq(&def.title),
                            skill_stations::area.eq(&def.area),
                            skill_stations::minutes.eq(def.minutes),
                            skill_stations::max_points.eq(def.max_points),
                            skill_stations::pass_points.eq(def.pass_points),
                            skill_stations::items.eq(json(&def.items)),
                            skill_stations::rating.eq(json(&def.rating)),
                            skill_stations::source.eq(&def.source),
                            skill_stations::content_hash.eq(&h),
                            skill_stations::active.eq(true),
                            skill_stations::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    done.updated += 1;
                }
                Some(_) => {}
            }
        }
        for (id, code, _, was_shipped, active) in &existing {
            if *was_shipped && *active && !shipped.iter().any(|d| &d.code == code) {
                diesel::update(skill_stations::table.find(*id))
                    .set((
                        skill_stations::active.eq(false),
                        skill_stations::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                done.retired += 1;
            }
        }
        Ok(done)
    })
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Store a station; its id.
pub fn insert(
    conn: &mut AnyConnection,
    def: &StationDef,
    content_hash: &str,
    shipped: bool,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(skill_stations::table)
        .values((
            skill_stations::code.eq(&def.code),
            skill_stations::title.eq(&def.title),
            skill_stations::area.eq(&def.area),
            skill_stations::minutes.eq(def.minutes),
            skill_stations::max_points.eq(def.max_points),
            skill_stations::pass_points.eq(def.pass_points),
            skill_stations::items.eq(json(&def.items)),
            skill_stations::rating.eq(json(&def.rating)),
            skill_stations::source.eq(&def.source),
            skill_stations::shipped.eq(shipped),
            skill_stations::active.eq(true),
            skill_stations::content_hash.eq(content_hash),
            skill_stations::created_by.eq(created_by),
            skill_stations::created_at.eq(now),
            skill_stations::updated_at.eq(now),
        ))
        .returning(skill_stations::id)
        .get_result(conn)
}

/// A station added through the API.
pub fn create(
    conn: &mut AnyConnection,
    def: &StationDef,
    created_by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    db::write(conn, |conn| {
        insert(conn, def, &hash(def), false, Some(created_by), now)
    })
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<StationRow>> {
    skill_stations::table
        .find(id)
        .select(StationRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<StationRow>> {
    skill_stations::table
        .filter(skill_stations::code.eq(code))
        .select(StationRow::as_select())
        .first(conn)
        .optional()
}

/// The active stations, by area then code.
pub fn active(conn: &mut AnyConnection) -> QueryResult<Vec<StationRow>> {
    skill_stations::table
        .filter(skill_stations::active.eq(true))
        .order((skill_stations::area, skill_stations::code))
        .select(StationRow::as_select())
        .load(conn)
}

pub fn many(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<StationRow>> {
    skill_stations::table
        .filter(skill_stations::id.eq_any(ids))
        .select(StationRow::as_select())
        .load(conn)
}
