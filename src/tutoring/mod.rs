//! Tutoring (辅导带教, Zaozhuang annex 2 §四(三), annex 3 §二; Weifang annex 3): tutoring
//! teams of dispatched experts (下沉专家) and local staff (本地骨干), learning groups
//! (学习小组) formed by education, age and qualification, the 公示 notice, the teams'
//! activities (答疑、指导、授课 — credited as `tutoring` minutes through
//! `crate::study::credit`), monthly evaluations and each group's archive.

pub mod api;
pub mod archive;
pub mod notice;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::points::Points;

pub use ops::groups::groups_in;
pub use rules::Month;
pub use store::{
    group, groups_of_doctor, groups_with_evaluated_months, team, teams_of, tutored, tutors,
};

crate::text_enum! {
    /// A team member's profession (团队成员专业).
    pub enum MemberRole {
        Doctor = "doctor" / "医生",
        Nurse = "nurse" / "护士",
        Pharmacist = "pharmacist" / "药师",
        Technician = "technician" / "技师",
        Other = "other" / "其他",
    }
}

crate::text_enum! {
    /// The level of a member's home organization (派出单位层级).
    pub enum HomeLevel {
        CountyHospital = "county_hospital" / "县级医院",
        TownshipCentre = "township_centre" / "乡镇卫生院",
        VillageClinic = "village_clinic" / "村卫生室",
    }
}

crate::text_enum! {
    /// A kind of tutoring activity.
    pub enum ActivityKind {
        Qa = "qa" / "辅导答疑",
        Guidance = "guidance" / "带教指导",
        Lecture = "lecture" / "专题授课",
    }
}

/// 带教团队.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::tutoring_teams)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub program_id: Option<i64>,
}

/// A member of a team, with the instructor's name and phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub team_id: i64,
    pub instructor_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub role: MemberRole,
    pub dispatched: bool,
    pub home_org: Option<String>,
    pub level: Option<HomeLevel>,
}

/// 学习小组.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::tutoring_groups)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub program_id: i64,
    pub region_code: String,
    pub team_id: i64,
    pub criteria: String,
}

/// A doctor's time in a group: a move closes the row and opens another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub id: i64,
    pub group_id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub joined_at: NaiveDateTime,
    pub left_at: Option<NaiveDateTime>,
}

/// A logged activity.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::tutoring_activities)]
pub struct ActivityRow {
    pub id: i64,
    pub group_id: i64,
    pub kind: ActivityKind,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub topic: String,
    pub note: Option<String>,
}

/// A monthly evaluation (月度学习进度评估).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::tutoring_evaluations)]
pub struct Evaluation {
    pub id: i64,
    pub group_id: i64,
    pub month: String,
    pub score: Points,
    pub progress: String,
    pub remarks: String,
    pub instructor_id: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct MemberBody {
    pub instructor_id: Option<i64>,
    pub role: Option<String>,
    pub dispatched: Option<bool>,
    pub home_org_id: Option<i64>,
    pub level: Option<String>,
}

/// `POST /api/v1/tutoring/teams`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct TeamBody {
    pub name: Option<String>,
    pub region_code: Option<String>,
    pub program_id: Option<i64>,
    pub members: Option<Vec<MemberBody>>,
}

/// `POST /api/v1/tutoring/groups/proposal`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProposalBody {
    pub program_id: Option<i64>,
    pub region_code: Option<String>,
    pub by: Option<Vec<String>>,
    pub max_size: Option<i64>,
}

/// `POST /api/v1/tutoring/groups`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct GroupBody {
    pub name: Option<String>,
    pub program_id: Option<i64>,
    pub region_code: Option<String>,
    pub team_id: Option<i64>,
    pub criteria: Option<String>,
    pub doctor_ids: Option<Vec<i64>>,
}

/// `PUT /api/v1/tutoring/groups/{id}/members`: the group's members from now on.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct MembersBody {
    pub doctor_ids: Option<Vec<i64>>,
}

/// `POST /api/v1/tutoring/groups/{id}/activities`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ActivityBody {
    pub kind: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub topic: Option<String>,
    pub doctor_ids: Option<Vec<i64>>,
    pub note: Option<String>,
}

/// `POST /api/v1/tutoring/groups/{id}/evaluations`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct EvaluationBody {
    pub month: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub score: Option<Points>,
    pub progress: Option<String>,
    pub remarks: Option<String>,
}

/// List filters: `?region=CODE&program_id=&month=YYYY-MM`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    pub region: Option<String>,
    /// 培训项目编号
    pub program_id: Option<i64>,
    /// 月份，YYYY-MM
    pub month: Option<String>,
}
