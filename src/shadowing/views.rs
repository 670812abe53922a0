//! Shadowing's response bodies, typed: the same JSON as always (with assessment scores
//! in points: 80 in, 80 out).

use serde::Serialize;

use super::{Placement, Rotation};

/// A placement with its base's name (a doctor's list of placements).
#[derive(Debug, Clone, Serialize, diesel::Queryable)]
pub struct PlacementAt {
    #[serde(flatten)]
    pub placement: Placement,
    pub base_name: String,
}

/// A placement in full: its base, its doctor, its rotations.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementView {
    #[serde(flatten)]
    pub placement: Placement,
    pub base_name: String,
    pub doctor_name: String,
    pub rotations: Vec<Rotation>,
}

/// `POST /api/v1/rotations/{id}/sign-off` → `{days_credited}`.
#[derive(Debug, Clone, Serialize)]
pub struct SignedOff {
    pub days_credited: usize,
}

/// `{items}`.
#[derive(Debug, Clone, Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}
