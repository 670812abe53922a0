//! Assessment (考核): the ongoing assessment (平时考核) and the annual comprehensive score
//! (年度考核) per doctor and year, locked once the county confirms; completion (结业) with
//! its make-up window (补修、补考 within 3 months); and the completion certificates with
//! their public check. Weifang plan 五, Zaozhuang annex 2.
//!
//! Other areas call [`require_passed_previous_year`] (the gate: only those who pass go
//! on) and [`decided_makeup`] (the ledger's make-up window).

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::points::Points;

pub use ops::certificates::certificate_in;
pub use ops::doctor::{History, history_in};
pub use ops::gate::require_passed_previous_year;
pub use store::annual::confirmed_in_county;
pub use store::completions::{decided_makeup, makeups_in_county};

crate::text_enum! {
    /// 结业状态.
    pub enum CompletionStatus {
        InProgress = "in_progress" / "培训中",
        Eligible = "eligible" / "可参加结业考核",
        Passed = "passed" / "已结业",
        Makeup = "makeup" / "补修补考",
        Failed = "failed" / "未结业",
    }
}

/// One attempt at a year's annual assessment, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::annual_assessments)]
pub struct AnnualRow {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub year: i32,
    pub attempt: i32,
    pub online: Points,
    pub offline: Points,
    pub ongoing: Points,
    pub exam: Option<Points>,
    pub score: Points,
    pub passed: bool,
    pub rating: Option<Points>,
    pub rated_by: Option<i64>,
    pub confirmed_at: Option<NaiveDateTime>,
    pub confirmed_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A doctor's completion, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::completions)]
pub struct CompletionRow {
    pub id: i64,
    pub doctor_id: i64,
    pub program_id: i64,
    pub status: CompletionStatus,
    pub theory_passed: Option<bool>,
    pub skills_passed: Option<bool>,
    pub hours_met: bool,
    pub makeup_deadline: Option<NaiveDate>,
    pub decided_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// A certificate, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::certificates)]
pub struct CertificateRow {
    pub id: i64,
    pub code: String,
    pub doctor_id: i64,
    pub program_id: i64,
    pub issued_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<i64>,
    pub reason: Option<String>,
}

/// `?year=` (and `?region=`, paging) of the assessment reads.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// 年度，YYYY
    pub year: Option<String>,
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    pub region: Option<String>,
    /// 页码，从 1 起（默认 1）
    pub page: Option<String>,
    /// 每页条数，1–500（默认 50）
    pub per_page: Option<String>,
}

/// `POST /api/v1/assessment/annual/confirm`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ConfirmBody {
    pub region_code: Option<String>,
    pub year: Option<serde_json::Value>,
}

/// `PUT /api/v1/doctors/{id}/assessment/rating`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct RatingBody {
    pub year: Option<serde_json::Value>,
    pub rating: Option<serde_json::Value>,
}

/// `POST /api/v1/doctors/{id}/assessment/reassess`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReassessBody {
    pub year: Option<serde_json::Value>,
}

/// `POST /api/v1/certificates/{code}/revoke`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct RevokeBody {
    pub reason: Option<String>,
}
