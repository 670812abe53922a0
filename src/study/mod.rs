//! The study ledger (学时台账): every credited minute of a doctor, per kind of study,
//! traceable to its evidence — online platform exports and approved self-reports,
//! centralized-session attendance, signed-off shadowing days — and each doctor's
//! progress against the program's requirements.
//!
//! One function writes credited minutes: [`credit`]. Self-reports and their approval,
//! attendance, shadowing days and their sign-off, the platform import (and tutoring and
//! support visits) all go through it, and it checks the ledger's invariants inside its
//! write transaction.

pub mod api;
pub mod import;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::points::Points;

pub use import::{ImportReport, ImportTarget, run as import_platform_export};
pub use ops::credit::{Credit, CreditError, Credited, LineRefusal, Outcome, credit};
pub use ops::progress::compute_progress;
pub use rules::Progress;
pub use store::records::{
    entries_of as ledger_entries, get as record, of_rotation as records_of_rotation,
};
pub use store::standing::{
    refresh as refresh_standing, refresh_program as refresh_program_standing,
    refresh_uncomputed as refresh_uncomputed_standing,
};
pub use views::RecordView;

crate::text_enum! {
    /// A kind of study a requirement counts (学习形式).
    pub enum StudyKind {
        /// 个人自学（线上）
        Online = "online" / "线上自学",
        /// 集中培训
        Centralized = "centralized" / "集中培训",
        /// 脱产跟班学习
        Shadowing = "shadowing" / "脱产跟班",
        /// 辅导带教
        Tutoring = "tutoring" / "辅导带教",
        /// 技能操作 (Weifang counts it with tutoring and shadowing)
        SkillsPractice = "skills_practice" / "技能操作",
    }
}

crate::text_enum! {
    /// Where a record's credit comes from.
    pub enum Source {
        /// A row of an online platform's export.
        Platform = "platform" / "平台导入",
        /// The doctor's own report, with evidence, pending approval.
        SelfReport = "self_report" / "本人申报",
        /// Attendance at a centralized session.
        Attendance = "attendance" / "签到",
        /// A day of shadowing, credited when the rotation is signed off.
        ShadowingLog = "shadowing_log" / "跟班日志",
        /// Tutoring recorded by an instructor.
        Tutoring = "tutoring" / "带教登记",
        /// Entered by an administrator.
        Manual = "manual" / "管理员登记",
    }
}

crate::text_enum! {
    /// A record's review status: only approved records are credited.
    pub enum RecordStatus {
        Pending = "pending" / "待审核",
        Approved = "approved" / "已认定",
        Rejected = "rejected" / "未通过",
    }
}

/// A study record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::study_records)]
pub struct StudyRecord {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub course_id: Option<i64>,
    pub session_id: Option<i64>,
    pub rotation_id: Option<i64>,
    pub source: Source,
    pub source_ref: String,
    pub status: RecordStatus,
    pub evidence: Option<String>,
    /// Platform unit score.
    pub unit_score: Option<Points>,
    pub created_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_note: Option<String>,
    pub created_at: NaiveDateTime,
}

impl StudyRecord {
    /// What the ledger rules need of it.
    pub fn entry(&self) -> rules::Entry {
        rules::Entry {
            kind: self.kind,
            minutes: self.minutes,
            occurred_on: self.occurred_on,
            interval: self.starts_at.zip(self.ends_at),
            status: self.status,
            course_id: self.course_id,
            unit_score: self.unit_score,
        }
    }

    pub fn view(&self) -> RecordView {
        RecordView::of(self)
    }
}

/// Minutes of study to credit to one doctor: a line of [`Credit`]. The record's program
/// is the doctor's, read by [`credit`] with the doctor's row locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub doctor_id: i64,
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    /// When it happened, for sessions and shadowing days (UTC instants).
    pub interval: Option<(NaiveDateTime, NaiveDateTime)>,
    pub course_id: Option<i64>,
    pub session_id: Option<i64>,
    pub rotation_id: Option<i64>,
    pub source: Source,
    /// What makes the record unique for its doctor (a platform row, a session, a day).
    pub source_ref: String,
    /// `Pending` (awaits review or sign-off) or `Approved` (credited at once).
    pub status: RecordStatus,
    pub evidence: Option<String>,
    pub unit_score: Option<Points>,
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

/// One activity credited alike to several doctors — a session's attendance, a tutoring
/// activity (辅导带教), a support visit (3331 巡诊带教) — each doctor's record carrying
/// the activity's source reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub interval: Option<(NaiveDateTime, NaiveDateTime)>,
    pub session_id: Option<i64>,
    pub source: Source,
    pub source_ref: String,
    pub evidence: Option<String>,
    pub created_by: Option<i64>,
}

impl Activity {
    /// The activity's record for each doctor, approved (the activity is the evidence).
    pub fn for_doctors(&self, doctor_ids: &[i64]) -> Vec<NewRecord> {
        doctor_ids
            .iter()
            .map(|&doctor_id| NewRecord {
                doctor_id,
                kind: self.kind,
                minutes: self.minutes,
                occurred_on: self.occurred_on,
                interval: self.interval,
                course_id: None,
                session_id: self.session_id,
                rotation_id: None,
                source: self.source,
                source_ref: self.source_ref.clone(),
                status: RecordStatus::Approved,
                evidence: self.evidence.clone(),
                unit_score: None,
                created_by: self.created_by,
            })
            .collect()
    }
}

/// A course of a program's online catalog.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
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
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecordBody {
    pub doctor_id: Option<i64>,
    pub kind: Option<String>,
    pub minutes: Option<i32>,
    pub occurred_on: Option<String>,
    pub course_code: Option<String>,
    pub note: Option<String>,
}

/// `POST /api/v1/study-records/{id}/approve` and `/reject`, as sent (the body may be
/// absent).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReviewBody {
    pub note: Option<String>,
}
