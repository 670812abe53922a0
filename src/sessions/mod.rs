//! Centralized training sessions (集中培训): a title, a topic (one of the nine content
//! areas), instructors, a place and time, the minutes credited, a capacity. Attendance
//! is marked by an instructor or by the doctor checking in with the rotating code the
//! instructor's page shows; each attendance is a study record.

pub mod api;
pub mod pages;
pub mod rules;
pub mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

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

/// A session as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub id: i64,
    pub program_id: i64,
    pub title: String,
    pub topic: String,
    pub topic_label: String,
    pub location: String,
    pub region_code: String,
    pub region_name: String,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub starts_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub ends_at: NaiveDateTime,
    pub minutes: i32,
    pub capacity: Option<i32>,
    pub instructors: Vec<InstructorRef>,
    pub attendance: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InstructorRef {
    pub id: i64,
    pub name: String,
}

/// `POST /api/v1/sessions`, as sent. Times are RFC 3339, or `YYYY-MM-DDTHH:MM` in
/// Beijing time (what a page's date-time field sends).
#[derive(Debug, Default, Clone, Deserialize)]
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

pub use crate::time::parse_instant;

/// Check a session body's fields (region and program are resolved by the store).
pub fn check_body(body: &SessionBody) -> crate::error::AppResult<NewSession> {
    use crate::error::{AppError, Problems};
    let mut p = Problems::new();
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let title = text(&body.title);
    if title.is_empty() || title.chars().count() > 100 {
        p.add("title", "标题应为 1–100 个字符");
    }
    let topic = text(&body.topic);
    let topic = if topic.is_empty() {
        "clinical_skills".to_owned()
    } else {
        topic
    };
    if !crate::areas::is_area(&topic) {
        p.add(
            "topic",
            format!("培训内容应为 {} 之一", crate::areas::codes()),
        );
    }
    let location = text(&body.location);
    if location.is_empty() || location.chars().count() > 100 {
        p.add("location", "地点应为 1–100 个字符");
    }
    let starts_at = p.take("starts_at", parse_instant(&text(&body.starts_at)));
    let ends_at = p.take("ends_at", parse_instant(&text(&body.ends_at)));
    let minutes = body.minutes.unwrap_or(0);
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && let Err((field, message)) = rules::check_times(s, e, minutes)
    {
        p.add(field, message);
    } else if body.minutes.is_none() {
        p.add("minutes", "必填：认定的分钟数");
    }
    if body.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
        p.add("capacity", "人数上限应为 1 到 10000");
    }
    let region = p.take(
        "region_code",
        crate::regions::RegionCode::parse(&text(&body.region_code)),
    );
    p.finish()?;
    match (starts_at, ends_at, region) {
        (Some(starts_at), Some(ends_at), Some(region)) => Ok(NewSession {
            title,
            topic,
            starts_at,
            ends_at,
            minutes,
            location,
            region_code: region.as_str().to_owned(),
            capacity: body.capacity,
            instructor_ids: body.instructor_ids.clone().unwrap_or_default(),
            program_id: body.program_id,
        }),
        _ => Err(AppError::internal("checked session lost a field")),
    }
}
