//! What the regions API answers, typed.

use serde::Serialize;

use super::{Level, Region};

/// A region as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
    pub is_gb: bool,
    pub is_demo: bool,
}

impl From<&Region> for RegionView {
    fn from(r: &Region) -> Self {
        RegionView {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level,
            parent_code: r.parent_code.clone(),
            is_gb: r.is_gb,
            is_demo: r.is_demo,
        }
    }
}

/// `GET /api/v1/regions` → `{items}`.
#[derive(Debug, Serialize)]
pub struct RegionList {
    pub items: Vec<RegionView>,
}

/// `GET /api/v1/regions/{code}` → `{region, lineage}` (root first).
#[derive(Debug, Serialize)]
pub struct RegionWithLineage {
    pub region: RegionView,
    pub lineage: Vec<RegionView>,
}
