//! Centralized training sessions (集中培训): a title, a topic (one of the nine content
//! areas), instructors, a place and time, the minutes credited, a capacity. Attendance
//! is marked by an instructor or by the doctor checking in with the rotating code the
//! instructor's page shows; each attendance is a study record.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

pub use ops::upcoming;
pub use views::{SessionRow, SessionView};

/// A session as stored (its check-in secret is read separately).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::sessions)]
pub struct Session {
    pub id: i64,
    pub program_id: i64,
    pub title: String,
    pub topic: String,
    pub location: String,
    pub region_code: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub minutes: i32,
    pub capacity: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// `POST /api/v1/sessions`, as sent. Times are RFC 3339, or `YYYY-MM-DDTHH:MM` in
/// Beijing time (what a page's date-time field sends).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct SessionBody {
    pub title: Option<String>,
    pub topic: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub minutes: Option<i32>,
    pub location: Option<String>,
    pub region_code: Option<String>,
    pub capacity: Option<i32>,
    pub instructor_ids: Option<Vec<i64>>,
    pub program_id: Option<i64>,
}

/// A checked session.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub title: String,
    pub topic: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub minutes: i32,
    pub location: String,
    pub region_code: String,
    pub capacity: Option<i32>,
    pub instructor_ids: Vec<i64>,
    pub program_id: Option<i64>,
}
