//! The study ledger (学时台账): every credited minute of a doctor, per kind of study,
//! traceable to its evidence — online platform exports and approved self-reports,
//! centralized-session attendance, signed-off shadowing days — and each doctor's
//! progress against the program's requirements.

pub mod api;
pub mod import;
pub mod pages;
pub mod rules;
pub mod store;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::program::StudyKind;
pub use api::compute_progress;

impl StudyKind {
    pub const ALL: [StudyKind; 5] = [
        StudyKind::Online,
        StudyKind::Centralized,
        StudyKind::Shadowing,
        StudyKind::Tutoring,
        StudyKind::SkillsPractice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StudyKind::Online => "online",
            StudyKind::Centralized => "centralized",
            StudyKind::Shadowing => "shadowing",
            StudyKind::Tutoring => "tutoring",
            StudyKind::SkillsPractice => "skills_practice",
        }
    }

    pub fn parse(s: &str) -> Option<StudyKind> {
        StudyKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Where a record's credit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A row of an online platform's export.
    Platform,
    /// The doctor's own report, with evidence, pending approval.
    SelfReport,
    /// Attendance at a centralized session.
    Attendance,
    /// A day of shadowing, credited when the rotation is signed off.
    ShadowingLog,
    /// Tutoring recorded by an instructor.
    Tutoring,
    /// Entered by an administrator.
    Manual,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Platform => "platform",
            Source::SelfReport => "self_report",
            Source::Attendance => "attendance",
            Source::ShadowingLog => "shadowing_log",
            Source::Tutoring => "tutoring",
            Source::Manual => "manual",
        }
    }
}

/// A record's review status: only approved records are credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Pending,
    Approved,
    Rejected,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Pending => "pending",
            RecordStatus::Approved => "approved",
            RecordStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<RecordStatus> {
        [
            RecordStatus::Pending,
            RecordStatus::Approved,
            RecordStatus::Rejected,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RecordStatus::Pending => "待审核",
            RecordStatus::Approved => "已认定",
            RecordStatus::Rejected => "未通过",
        }
    }
}

/// A study record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::study_records)]
pub struct StudyRecord {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub kind: String,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub course_id: Option<i64>,
    pub session_id: Option<i64>,
    pub rotation_id: Option<i64>,
    pub source: String,
    pub source_ref: String,
    pub status: String,
    pub evidence: Option<String>,
    pub unit_score: Option<i32>,
    pub created_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_note: Option<String>,
    pub created_at: NaiveDateTime,
}

impl StudyRecord {
    pub fn kind(&self) -> StudyKind {
        StudyKind::parse(&self.kind).unwrap_or(StudyKind::Online)
    }

    pub fn status(&self) -> RecordStatus {
        RecordStatus::parse(&self.status).unwrap_or(RecordStatus::Pending)
    }

    /// What the ledger rules need of it.
    pub fn entry(&self) -> rules::Entry {
        rules::Entry {
            kind: self.kind(),
            minutes: self.minutes,
            occurred_on: self.occurred_on,
            interval: self.starts_at.zip(self.ends_at),
            status: self.status(),
            course_id: self.course_id,
            unit_score: self.unit_score,
        }
    }

    pub fn view(&self) -> RecordView {
        RecordView {
            id: self.id,
            doctor_id: self.doctor_id,
            program_id: self.program_id,
            kind: self.kind.clone(),
            minutes: self.minutes,
            occurred_on: self.occurred_on,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            course_id: self.course_id,
            session_id: self.session_id,
            rotation_id: self.rotation_id,
            source: self.source.clone(),
            status: self.status.clone(),
            note: self.evidence.clone(),
            unit_score: self.unit_score.map(|s| f64::from(s) / 10.0),
            review_note: self.review_note.clone(),
            reviewed_at: self.reviewed_at,
            created_at: self.created_at,
        }
    }
}

/// A record as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub kind: String,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub starts_at: Option<NaiveDateTime>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub ends_at: Option<NaiveDateTime>,
    pub course_id: Option<i64>,
    pub session_id: Option<i64>,
    pub rotation_id: Option<i64>,
    pub source: String,
    pub status: String,
    pub note: Option<String>,
    pub unit_score: Option<f64>,
    pub review_note: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub reviewed_at: Option<NaiveDateTime>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

/// A new record, ready for the ledger checks and the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub doctor_id: i64,
    pub program_id: i64,
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub interval: Option<(NaiveDateTime, NaiveDateTime)>,
    pub course_id: Option<i64>,
    pub session_id: Option<i64>,
    pub rotation_id: Option<i64>,
    pub source: Source,
    pub source_ref: String,
    pub status: RecordStatus,
    pub evidence: Option<String>,
    pub unit_score: Option<i32>,
    pub created_by: Option<i64>,
}

impl NewRecord {
    pub fn entry(&self) -> rules::Entry {
        rules::Entry {
            kind: self.kind,
            minutes: self.minutes,
            occurred_on: self.occurred_on,
            interval: self.interval,
            status: self.status,
            course_id: self.course_id,
            unit_score: self.unit_score,
        }
    }
}

/// A course of a program's online catalog.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = crate::db::schema::courses)]
pub struct Course {
    pub id: i64,
    pub program_id: i64,
    pub code: String,
    pub title: String,
    pub area: String,
    pub minutes: i32,
    pub sort: i32,
}

/// `POST /api/v1/study-records`, as sent.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RecordBody {
    pub doctor_id: Option<i64>,
    pub kind: Option<String>,
    pub minutes: Option<i32>,
    pub occurred_on: Option<String>,
    pub course_code: Option<String>,
    pub note: Option<String>,
}
