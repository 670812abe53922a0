//! The 一人一册 dossier (学员档案, Zaozhuang annex 2 §五): everything about one trainee
//! in one record — identity (the ID number masked except for county and city admins),
//! program and cohort, every credited minute with its evidence, the sessions attended,
//! shadowing rotations with their sign-offs, exams sat, skills exams station by station,
//! learning groups with their monthly evaluations, the 3331 visits taken part in, the
//! assessment year by year with completion and the certificate (those sections read
//! through the owning areas' public faces: `ops/sections.rs`) — as JSON, a spreadsheet,
//! a PDF and a page for the doctor itself, with the archive documents of the sessions
//! attended; and a county administrator's bulk export — a zip of every doctor's PDF
//! built in the background with its progress ([`ops::export`]).

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

pub use views::DossierView;

use chrono::NaiveDateTime;
use diesel::prelude::*;

crate::text_enum! {
    /// Where a county's bulk dossier export stands.
    pub enum ExportStatus {
        Running = "running" / "生成中",
        Done = "done" / "已完成",
        Failed = "failed" / "失败",
    }
}

/// A county-wide export of every doctor's dossier PDF into one zip.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::dossier_exports)]
pub struct ExportRow {
    pub id: i64,
    pub county_code: String,
    pub requested_by: i64,
    pub status: ExportStatus,
    pub total: i32,
    pub done: i32,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// The last dossier written (`None` before the first).
    pub heartbeat_at: Option<NaiveDateTime>,
}
