//! Archive documents as answered.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{DocKind, Document};

/// A document (without its content) and where to download it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub id: i64,
    /// `session` or `report`.
    pub owner: &'static str,
    pub owner_id: i64,
    pub kind: DocKind,
    pub kind_label: &'static str,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    #[serde(serialize_with = "crate::time::serde_rfc3339::serialize")]
    pub uploaded_at: NaiveDateTime,
    /// `/api/v1/attachments/{id}`.
    pub download: String,
}

impl DocumentView {
    pub fn of(d: &Document, uploaded_by: String) -> DocumentView {
        let owner = d.owner();
        DocumentView {
            id: d.id,
            owner: match owner {
                super::Owner::Session(_) => "session",
                super::Owner::Report(_) => "report",
            },
            owner_id: owner.id(),
            kind: d.kind,
            kind_label: d.kind.label(),
            filename: d.filename.clone(),
            content_type: d.content_type.clone(),
            size_bytes: d.size_bytes,
            sha256: d.sha256.clone(),
            uploaded_by,
            uploaded_at: d.created_at,
            download: format!("/api/v1/attachments/{}", d.id),
        }
    }

    /// The size for people: KB, or MB past one.
    pub fn size_label(&self) -> String {
        if self.size_bytes >= 1024 * 1024 {
            format!("{:.1} MB", self.size_bytes as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", (self.size_bytes + 1023) / 1024)
        }
    }

    /// The upload time in Beijing time.
    pub fn uploaded_cst(&self) -> String {
        crate::time::display_cst(self.uploaded_at)
    }
}

/// `GET /api/v1/{sessions|reports}/{id}/attachments`.
#[derive(Debug, Clone, Serialize)]
pub struct ListView {
    /// `session` or `report`.
    pub owner: String,
    pub owner_id: i64,
    /// Whether the caller may attach and delete now.
    pub editable: bool,
    pub items: Vec<DocumentView>,
}
