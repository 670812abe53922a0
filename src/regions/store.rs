//! Queries on the region tree.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Region;
use super::rules::{self, CheckedRow, Level, RegionCode, Scope};
use crate::db::schema::regions;
use crate::db::{self, AnyConnection};

/// The SQL condition "this region row lies in `scope`": one range on the indexed path.
pub fn in_scope(
    scope: &Scope,
) -> diesel::dsl::And<
    diesel::dsl::GtEq<regions::path, String>,
    diesel::dsl::Lt<regions::path, String>,
> {
    regions::path
        .ge(scope.lower().to_owned())
        .and(regions::path.lt(scope.upper()))
}

pub fn find(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<Region>> {
    regions::table
        .find(code)
        .select(Region::as_select())
        .first(conn)
        .optional()
}

/// The children of `parent`, or the roots when `None`, ordered by code.
pub fn children(conn: &mut AnyConnection, parent: Option<&str>) -> QueryResult<Vec<Region>> {
    let query = regions::table
        .select(Region::as_select())
        .order(regions::code);
    match parent {
        Some(p) => query.filter(regions::parent_code.eq(p)).load(conn),
        None => query.filter(regions::parent_code.is_null()).load(conn),
    }
}

/// The node's ancestors and itself, root first (read off its path in one query).
pub fn lineage(conn: &mut AnyConnection, region: &Region) -> QueryResult<Vec<Region>> {
    let codes: Vec<&str> = region.path.split('/').filter(|c| !c.is_empty()).collect();
    let mut found = regions::table
        .filter(regions::code.eq_any(&codes))
        .select(Region::as_select())
        .load(conn)?;
    found.sort_by_key(|r| r.path.len());
    Ok(found)
}

/// The county-level regions of a subtree, by code.
pub fn counties_in(conn: &mut AnyConnection, scope: &Scope) -> QueryResult<Vec<Region>> {
    regions::table
        .filter(in_scope(scope))
        .filter(regions::level.eq(Level::County))
        .order(regions::code)
        .select(Region::as_select())
        .load(conn)
}

/// Number of nodes in the subtree, the root included.
pub fn count_in_scope(conn: &mut AnyConnection, scope: &Scope) -> QueryResult<i64> {
    regions::table
        .filter(in_scope(scope))
        .count()
        .get_result(conn)
}

/// code → path for every node in the subtree.
pub fn paths_in_scope(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> QueryResult<HashMap<String, String>> {
    let pairs: Vec<(String, String)> = regions::table
        .filter(in_scope(scope))
        .select((regions::code, regions::path))
        .load(conn)?;
    Ok(pairs.into_iter().collect())
}

#[derive(Insertable)]
#[diesel(table_name = regions)]
struct NewRegion {
    code: String,
    name: String,
    level: Level,
    parent_code: Option<String>,
    path: String,
    is_gb: bool,
    is_demo: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Counts of what [`apply`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Write checked import rows in one transaction: new codes are inserted (parents before
/// children, as checked), known codes get their name and GB flag updated.
pub fn apply(
    conn: &mut AnyConnection,
    rows: &[CheckedRow],
    is_demo: bool,
    now: NaiveDateTime,
) -> QueryResult<Applied> {
    db::write(conn, |conn| {
        let mut applied = Applied::default();
        let existing: HashMap<String, (String, String, bool)> = regions::table
            .filter(regions::code.eq_any(rows.iter().map(|r| r.code.as_str())))
            .select((regions::code, regions::name, regions::path, regions::is_gb))
            .load::<(String, String, String, bool)>(conn)?
            .into_iter()
            .map(|(code, name, path, gb)| (code, (name, path, gb)))
            .collect();
        let mut paths: HashMap<String, String> = HashMap::new();
        let mut fresh = Vec::new();
        for row in rows {
            if let Some((name, _, gb)) = existing.get(row.code.as_str()) {
                if *name == row.name && *gb == row.is_gb {
                    applied.unchanged += 1;
                } else {
                    diesel::update(regions::table.find(row.code.as_str()))
                        .set((
                            regions::name.eq(&row.name),
                            regions::is_gb.eq(row.is_gb),
                            regions::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    applied.updated += 1;
                }
                continue;
            }
            let parent_path = match paths.get(row.parent.as_str()) {
                Some(p) => p.clone(),
                None => regions::table
                    .find(row.parent.as_str())
                    .select(regions::path)
                    .first::<String>(conn)?,
            };
            let path = rules::child_path(Some(&parent_path), &row.code);
            paths.insert(row.code.as_str().to_owned(), path.clone());
            fresh.push(NewRegion {
                code: row.code.as_str().to_owned(),
                name: row.name.clone(),
                level: row.code.level(),
                parent_code: Some(row.parent.as_str().to_owned()),
                path,
                is_gb: row.is_gb,
                is_demo,
                created_at: now,
                updated_at: now,
            });
        }
        for chunk in fresh.chunks(500) {
            // The multi-backend cannot batch inserts; each backend can.
            applied.created += crate::per_backend!(conn, |c| diesel::insert_into(regions::table)
                .values(chunk)
                .execute(c))?;
        }
        Ok(applied)
    })
}

/// The divisions shipped in the binary (山东省, 枣庄市, 潍坊市 and their county-level
/// divisions), inserted where missing. Safe to run at every start.
pub fn seed_builtin(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let rows = rules::builtin_rows(include_str!("gb2260.csv"))
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
    db::write(conn, |conn| {
        let known: Vec<String> = regions::table.select(regions::code).load(conn)?;
        let mut paths: HashMap<String, String> = regions::table
            .filter(regions::code.eq_any(rows.iter().map(|(c, _)| c.as_str())))
            .select((regions::code, regions::path))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let mut inserted = 0;
        for (code, name) in &rows {
            if known.iter().any(|k| k == code.as_str()) {
                continue;
            }
            let parent = code.implied_parent();
            let parent_path = parent.as_ref().and_then(|p| paths.get(p.as_str())).cloned();
            let path = rules::child_path(parent_path.as_deref(), code);
            diesel::insert_into(regions::table)
                .values(NewRegion {
                    code: code.as_str().to_owned(),
                    name: name.clone(),
                    level: code.level(),
                    parent_code: parent.map(|p| p.as_str().to_owned()),
                    path: path.clone(),
                    is_gb: true,
                    is_demo: false,
                    created_at: now,
                    updated_at: now,
                })
                .execute(conn)?;
            paths.insert(code.as_str().to_owned(), path);
            inserted += 1;
        }
        Ok(inserted)
    })
}

/// Parse a code and look it up; `None` if malformed or unknown.
pub fn resolve(conn: &mut AnyConnection, raw: &str) -> QueryResult<Option<Region>> {
    match RegionCode::parse(raw) {
        Ok(code) => find(conn, code.as_str()),
        Err(_) => Ok(None),
    }
}
