//! Off-duty shadowing (脱产跟班学习): a doctor placed at a training base, rotating
//! through departments (科室轮转) under supervising instructors, logging each day; the
//! supervisor's sign-off of a rotation credits its days, and each rotation and the
//! placement end with an assessment and a summary. Only signed-off time counts.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::points::Points;

pub use store::placements_of;
pub use views::PlacementAt;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = crate::db::schema::placements)]
pub struct Placement {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub base_org_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// End-of-placement assessment (结业考核), points.
    pub assessment_score: Option<Points>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = crate::db::schema::rotations)]
pub struct Rotation {
    pub id: i64,
    pub placement_id: i64,
    pub department: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub supervisor_id: Option<i64>,
    pub signed_off_by: Option<i64>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub signed_off_at: Option<NaiveDateTime>,
    /// The rotation's assessment (出科考核), points.
    pub assessment_score: Option<Points>,
    pub summary: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct PlacementBody {
    pub doctor_id: Option<i64>,
    pub base_org_id: Option<i64>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct RotationBody {
    pub department: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub supervisor_id: Option<i64>,
}

/// A day of shadowing: `start_time`/`end_time` are Beijing wall times (`08:00`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct LogBody {
    pub occurred_on: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub content: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct AssessmentBody {
    /// Points, 0–100 (one decimal).
    #[schema(value_type = Option<f64>)]
    pub assessment_score: Option<Points>,
    pub summary: Option<String>,
}
