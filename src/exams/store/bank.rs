//! The question bank, as the exam engine reads it: the drawing pool, whether a named
//! collection exists, the bank's counts for the new-exam form — through the bank's
//! public face (`crate::bank::{list, Filter, collection_exists, summary}`).

use diesel::QueryResult;

use crate::bank::Question;
use crate::db::AnyConnection;
use crate::exams::Blueprint;

/// The active questions a blueprint may draw from, in bank order.
pub fn pool(conn: &mut AnyConnection, blueprint: &Blueprint) -> QueryResult<Vec<Question>> {
    let mut areas: Vec<String> = blueprint.items.iter().map(|l| l.area.clone()).collect();
    areas.sort();
    areas.dedup();
    crate::bank::list(
        conn,
        &crate::bank::Filter {
            collection: None,
            areas: Some(areas),
            active_only: true,
        },
    )
}

/// Is there a collection of this name?
pub fn collection_exists(conn: &mut AnyConnection, name: &str) -> QueryResult<bool> {
    crate::bank::collection_exists(conn, name)
}

/// How many questions an area has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCount {
    pub area: String,
    pub count: i64,
}

/// How many questions each area has.
pub fn counts_by_area(conn: &mut AnyConnection) -> QueryResult<Vec<AreaCount>> {
    Ok(crate::bank::summary(conn)?
        .by_area
        .into_iter()
        .map(|(area, count)| AreaCount { area, count })
        .collect())
}
