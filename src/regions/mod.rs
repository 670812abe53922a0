//! The region tree (行政区划, GB/T 2260): province → city → county → township → village.
//! Every account and, later, every doctor, session and report hangs on one node of it,
//! and access is scoped to a node's subtree.

pub mod api;
pub mod csv;
pub mod import;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use ops::parse_dry_run;
pub use rules::{Level, RegionCode, Scope};
pub use store::{children, counties_in, find, in_scope, lineage, resolve, seed_builtin};

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = crate::db::schema::regions)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
    #[serde(skip)]
    pub path: String,
    /// False for functional zones and other codes outside GB/T 2260.
    pub is_gb: bool,
    /// Synthetic townships/villages loaded by `cunyi demo`.
    pub is_demo: bool,
}

impl Region {
    /// The subtree this node roots.
    pub fn scope(&self) -> Scope {
        Scope::new(&self.code, &self.path)
    }

    pub fn level(&self) -> Level {
        self.level
    }

    /// Chinese name of the level, for pages.
    pub fn level_label(&self) -> &'static str {
        self.level.label()
    }
}

/// One row of a region import (CSV), as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub is_gb: bool,
}

/// What an import did, or would do on a dry run.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<ImportError>,
    pub dry_run: bool,
}

/// `GET /api/v1/regions?parent=` and `GET /regions?parent=`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BrowseQuery {
    /// 上级地区代码；省略时为调用者所见的最高一级
    pub parent: Option<String>,
}

/// `POST /api/v1/regions/import?dry_run=`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// true：只校验、报告错误，不写入任何数据
    pub dry_run: Option<String>,
}

/// A bad row: its 1-based row number in the file (the header is row 1), the column and
/// a Chinese message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportError {
    pub row: usize,
    pub field: String,
    pub message: String,
}
