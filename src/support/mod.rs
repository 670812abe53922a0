//! The 3331 support visits (Zaozhuang annex 3 §二; Weifang annex 3): dispatched
//! three-person help groups (doctor, nurse, pharmacist) visit central village clinics
//! (中心村卫生室, where 名医基层工作站 are set up) at least three times a month, at least a
//! day each, touring, teaching and lecturing (巡诊、带教、授课); dispatched staff with two
//! or more unjustified absences fail their own assessment.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

pub use store::{DoctorVisit, dispatched_teams, visits_between, visits_of_doctor};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

crate::text_enum! {
    /// What a team did on a visit.
    pub enum VisitMode {
        Tour = "tour" / "巡诊",
        Teach = "teach" / "带教",
        Lecture = "lecture" / "授课",
    }
}

/// A visit as stored (`modes` comma-separated codes).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::support_visits)]
pub struct Visit {
    pub id: i64,
    pub team_id: i64,
    pub clinic_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub modes: String,
    pub hours: Option<i32>,
}

impl Visit {
    pub fn modes(&self) -> Vec<VisitMode> {
        self.modes.split(',').filter_map(VisitMode::parse).collect()
    }
}

/// A dispatched expert's absence.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::dispatch_absences)]
pub struct Absence {
    pub id: i64,
    pub instructor_id: i64,
    pub occurred_on: NaiveDate,
    pub justified: bool,
    pub reason: String,
}

/// `POST /api/v1/support/visits`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct VisitBody {
    pub team_id: Option<i64>,
    pub clinic_id: Option<i64>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// A single-day visit shorter than a working day: its hours (then not a full day).
    pub hours: Option<i32>,
    pub modes: Option<Vec<String>>,
    pub doctor_ids: Option<Vec<i64>>,
}

/// `POST /api/v1/support/absences`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct AbsenceBody {
    pub instructor_id: Option<i64>,
    pub occurred_on: Option<String>,
    pub justified: Option<bool>,
    pub reason: Option<String>,
}

/// `?month=YYYY-MM&region=CODE&year=YYYY&program_id=`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupportQuery {
    /// 月份，YYYY-MM
    pub month: Option<String>,
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    pub region: Option<String>,
    /// 年度，YYYY
    pub year: Option<i32>,
    /// 培训项目编号
    pub program_id: Option<i64>,
}
