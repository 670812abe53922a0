//! Archive documents (存档资料, Zaozhuang annex 2 §六): the notice, handbook, sign-in
//! sheet scan and expense detail of a centralized session or a county filing. A file is
//! accepted only when its bytes are one of the allowed types (PDF, JPEG, PNG, `.xlsx`,
//! `.docx` — judged by magic bytes, not by its name) and at most [`rules::MAX_BYTES`];
//! it is kept as a blob in the database (both backends), listed with its owner and in the
//! doctors' dossiers, downloaded with the owner's access check (another county → 404),
//! and deleted with an audit entry.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use ops::{of_report, of_sessions};
pub use views::DocumentView;

crate::text_enum! {
    /// What a document is.
    pub enum DocKind {
        /// 培训通知
        Notice = "notice" / "培训通知",
        /// 培训手册
        Handbook = "handbook" / "培训手册",
        /// 签到表扫描件
        SignIn = "sign_in" / "签到表",
        /// 经费明细
        Expense = "expense" / "经费明细",
        Other = "other" / "其他资料",
    }
}

/// What a document is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Session(i64),
    Report(i64),
}

impl Owner {
    /// `sessions` or `reports`, as in the owner's URL.
    pub fn segment(self) -> &'static str {
        match self {
            Owner::Session(_) => "sessions",
            Owner::Report(_) => "reports",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Owner::Session(id) | Owner::Report(id) => id,
        }
    }
}

/// A stored document, without its content.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::archive_documents)]
pub struct Document {
    pub id: i64,
    pub session_id: Option<i64>,
    pub report_id: Option<i64>,
    pub kind: DocKind,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Document {
    pub fn owner(&self) -> Owner {
        match (self.session_id, self.report_id) {
            (Some(s), _) => Owner::Session(s),
            (None, Some(r)) => Owner::Report(r),
            (None, None) => Owner::Report(0),
        }
    }
}
