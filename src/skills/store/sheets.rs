//! Examiners' sheets: one row per version; a submitted version is never changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::skill_sheets;
use crate::points::Points;
use crate::skills::SheetStatus;

/// A sheet version as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = skill_sheets)]
pub struct SheetRow {
    pub id: i64,
    pub exam_id: i64,
    pub doctor_id: i64,
    pub station_id: i64,
    pub examiner_id: i64,
    pub version: i32,
    pub items: String,
    pub global_rating: Option<i32>,
    pub notes: String,
    pub points: Points,
    pub critical_missed: bool,
    pub passed: bool,
    pub status: SheetStatus,
    pub reason: Option<String>,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
}

impl SheetRow {
    /// The marks: (item code, points, scored 不适用).
    pub fn marks(&self) -> Vec<(String, Points, bool)> {
        #[derive(serde::Deserialize)]
        struct M {
            code: String,
            points: Points,
            #[serde(default)]
            not_applicable: bool,
        }
        serde_json::from_str::<Vec<M>>(&self.items)
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.code, m.points, m.not_applicable))
            .collect()
    }
}

/// What a version holds.
#[derive(Debug, Clone)]
pub struct SheetValues {
    pub items: String,
    pub global_rating: Option<i32>,
    pub notes: String,
    pub points: Points,
    pub critical_missed: bool,
    pub passed: bool,
    pub status: SheetStatus,
}

/// The key of one examiner's sheet.
#[derive(Debug, Clone, Copy)]
pub struct SheetKey {
    pub exam_id: i64,
    pub doctor_id: i64,
    pub station_id: i64,
    pub examiner_id: i64,
}

/// The latest version of one examiner's sheet.
pub fn latest(conn: &mut AnyConnection, key: SheetKey) -> QueryResult<Option<SheetRow>> {
    skill_sheets::table
        .filter(skill_sheets::exam_id.eq(key.exam_id))
        .filter(skill_sheets::doctor_id.eq(key.doctor_id))
        .filter(skill_sheets::station_id.eq(key.station_id))
        .filter(skill_sheets::examiner_id.eq(key.examiner_id))
        .order(skill_sheets::version.desc())
        .select(SheetRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<SheetRow> {
    skill_sheets::table
        .find(id)
        .select(SheetRow::as_select())
        .first(conn)
}

/// A new version (inside the caller's transaction).
pub fn insert(
    conn: &mut AnyConnection,
    key: SheetKey,
    version: i32,
    values: &SheetValues,
    reason: Option<&str>,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let submitted = values.status == SheetStatus::Submitted;
    diesel::insert_into(skill_sheets::table)
        .values((
            skill_sheets::exam_id.eq(key.exam_id),
            skill_sheets::doctor_id.eq(key.doctor_id),
            skill_sheets::station_id.eq(key.station_id),
            skill_sheets::examiner_id.eq(key.examiner_id),
            skill_sheets::version.eq(version),
            skill_sheets::items.eq(&values.items),
            skill_sheets::global_rating.eq(values.global_rating),
            skill_sheets::notes.eq(&values.notes),
            skill_sheets::points.eq(values.points),
            skill_sheets::critical_missed.eq(values.critical_missed),
            skill_sheets::passed.eq(values.passed),
            skill_sheets::status.eq(values.status),
            skill_sheets::reason.eq(reason),
            skill_sheets::created_by.eq(created_by),
            skill_sheets::created_at.eq(now),
            skill_sheets::updated_at.eq(now),
            skill_sheets::submitted_at.eq(submitted.then_some(now)),
        ))
        .returning(skill_sheets::id)
        .get_result(conn)
}

/// Overwrite a draft (never a submitted version: the filter makes sure).
pub fn update_draft(
    conn: &mut AnyConnection,
    id: i64,
    values: &SheetValues,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let submitted = values.status == SheetStatus::Submitted;
    diesel::update(
        skill_sheets::table
            .find(id)
            .filter(skill_sheets::status.eq(SheetStatus::Draft)),
    )
    .set((
        skill_sheets::items.eq(&values.items),
        skill_sheets::global_rating.eq(values.global_rating),
        skill_sheets::notes.eq(&values.notes),
        skill_sheets::points.eq(values.points),
        skill_sheets::critical_missed.eq(values.critical_missed),
        skill_sheets::passed.eq(values.passed),
        skill_sheets::status.eq(values.status),
        skill_sheets::updated_at.eq(now),
        skill_sheets::submitted_at.eq(submitted.then_some(now)),
    ))
    .execute(conn)
}

/// Every version of every sheet of an exam (optionally one doctor's), by key then
/// version.
pub fn of_exam(
    conn: &mut AnyConnection,
    exam_id: i64,
    doctor_id: Option<i64>,
) -> QueryResult<Vec<SheetRow>> {
    let mut q = skill_sheets::table
        .filter(skill_sheets::exam_id.eq(exam_id))
        .into_boxed();
    if let Some(d) = doctor_id {
        q = q.filter(skill_sheets::doctor_id.eq(d));
    }
    q.order((
        skill_sheets::doctor_id,
        skill_sheets::station_id,
        skill_sheets::examiner_id,
        skill_sheets::version,
    ))
    .select(SheetRow::as_select())
    .load(conn)
}

/// How many sheet versions there are (tests and the demo check nothing else was written).
pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    skill_sheets::table.count().get_result(conn)
}
