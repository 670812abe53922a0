//! The dossier as the API answers it and the pages and files show it.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::exams::ExamKind;
use crate::points::Points;
use crate::study::{Progress, Source, StudyKind};

/// Who the trainee is. `id_number` is masked unless `id_number_full`.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub name: String,
    pub id_number: String,
    pub id_number_full: bool,
    pub gender: &'static str,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub education: &'static str,
    pub qualification: &'static str,
    pub region_code: String,
    pub region_name: String,
    pub clinic_name: Option<String>,
    pub status: &'static str,
    pub program_id: i64,
    pub program_name: String,
    pub cohort_year: i32,
}

/// A credited record with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct RecordEntry {
    pub id: i64,
    pub kind: StudyKind,
    pub kind_label: &'static str,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub source: Source,
    pub source_label: &'static str,
    pub source_ref: String,
    /// What it came from: the course, the session, the rotation, the note.
    pub evidence: String,
    pub has_file: bool,
}

/// A centralized session attended.
#[derive(Debug, Clone, Serialize)]
pub struct SessionEntry {
    pub session_id: i64,
    pub title: String,
    pub occurred_on: NaiveDate,
    pub minutes: i32,
}

/// A rotation of a placement, with its sign-off.
#[derive(Debug, Clone, Serialize)]
pub struct RotationEntry {
    pub id: i64,
    pub department: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub supervisor: Option<String>,
    pub signed_off_by: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub signed_off_at: Option<NaiveDateTime>,
    pub assessment_score: Option<Points>,
    pub summary: Option<String>,
    /// Minutes credited by its sign-off.
    pub credited_minutes: i64,
}

impl RotationEntry {
    pub fn signed_cst(&self) -> String {
        self.signed_off_at
            .map(crate::time::display_cst)
            .unwrap_or_default()
    }
}

/// A shadowing placement.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementEntry {
    pub id: i64,
    pub base_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub assessment_score: Option<Points>,
    pub summary: Option<String>,
    pub rotations: Vec<RotationEntry>,
}

/// An exam sat.
#[derive(Debug, Clone, Serialize)]
pub struct ExamEntry {
    pub exam_id: i64,
    pub title: String,
    pub kind: ExamKind,
    pub kind_label: &'static str,
    pub year: i32,
    pub attempt_no: i32,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub submitted_at: Option<NaiveDateTime>,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
}

impl ExamEntry {
    pub fn result_label(&self) -> &'static str {
        match self.passed {
            Some(true) => "合格",
            Some(false) => "不合格",
            None => "待评分",
        }
    }
}

/// A 3331 support visit the doctor took part in.
#[derive(Debug, Clone, Serialize)]
pub struct VisitEntry {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// 巡诊 / 带教 / 授课.
    pub modes: Vec<&'static str>,
    pub hours: Option<i32>,
    pub team: String,
    pub clinic: String,
}

/// `GET /api/v1/doctors/{id}/dossier`: the 一人一册 record.
#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    pub doctor_id: i64,
    pub identity: Identity,
    pub progress: Progress,
    /// Credited minutes by kind.
    pub totals: BTreeMap<StudyKind, i64>,
    pub records: Vec<RecordEntry>,
    pub sessions: Vec<SessionEntry>,
    pub shadowing: Vec<PlacementEntry>,
    pub exams: Vec<ExamEntry>,
    /// Skills exams sat, station by station (技能考核评分).
    pub skills: Vec<crate::skills::SatExam>,
    /// Learning groups with their teams and monthly evaluations (学习小组).
    pub tutoring: Vec<crate::tutoring::views::DoctorGroup>,
    /// The 3331 support visits the doctor took part in.
    pub visits: Vec<VisitEntry>,
    /// Ongoing and annual assessment year by year, and completion (平时、年度、结业考核).
    pub assessment: crate::assessment::History,
    /// The valid completion certificate (the doctor and admins; `null` otherwise).
    pub certificate: Option<crate::assessment::views::CertificateView>,
    /// Archive documents of the sessions attended (a doctor reading its own: notices
    /// and handbooks only).
    pub documents: Vec<crate::archive::DocumentView>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub generated_at: NaiveDateTime,
}

impl DossierView {
    /// `(label, minutes)` of each kind with credit, for pages.
    pub fn total_lines(&self) -> Vec<(&'static str, i64)> {
        self.totals.iter().map(|(k, m)| (k.label(), *m)).collect()
    }
}

/// A county's bulk dossier export and its progress.
#[derive(Debug, Clone, Serialize)]
pub struct ExportView {
    pub id: i64,
    pub county_code: String,
    pub status: crate::dossier::ExportStatus,
    pub status_label: &'static str,
    pub total: i32,
    pub done: i32,
    pub size_bytes: Option<i64>,
    pub error: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub finished_at: Option<NaiveDateTime>,
    /// `/api/v1/dossier-exports/{id}/download`, once done.
    pub download: Option<String>,
}

impl ExportView {
    pub fn of(r: &crate::dossier::ExportRow) -> ExportView {
        let done = r.status == crate::dossier::ExportStatus::Done;
        ExportView {
            id: r.id,
            county_code: r.county_code.clone(),
            status: r.status,
            status_label: r.status.label(),
            total: r.total,
            done: r.done,
            size_bytes: r.size_bytes,
            error: r.error.clone(),
            created_at: r.created_at,
            finished_at: r.finished_at,
            download: done.then(|| format!("/api/v1/dossier-exports/{}/download", r.id)),
        }
    }

    /// Progress as a whole percentage (an empty county is complete).
    pub fn percent(&self) -> i64 {
        crate::dossier::rules::percent(self.done, self.total)
    }

    pub fn created_cst(&self) -> String {
        crate::time::display_cst(self.created_at)
    }

    pub fn running(&self) -> bool {
        self.status == crate::dossier::ExportStatus::Running
    }
}

/// `GET /api/v1/dossier-exports`.
#[derive(Debug, Clone, Serialize)]
pub struct ExportsView {
    /// A county administrator may start one.
    pub can_start: bool,
    pub items: Vec<ExportView>,
}
