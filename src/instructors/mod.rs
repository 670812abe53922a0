//! Instructors (师资、带教老师、下沉专家): who teaches sessions, supervises shadowing and
//! tutors groups — an affiliation, a title, a specialty, usually a login account.

pub mod api;
pub mod ops;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

pub use store::{by_user, get_scoped, list};

/// An instructor as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::instructors)]
pub struct Instructor {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    /// Masked (`370402********1234`) when an ID number was given.
    pub id_number_masked: Option<String>,
    pub organization_id: Option<i64>,
    pub title: Option<String>,
    pub specialty: Option<String>,
    pub region_code: String,
    pub user_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// `POST /api/v1/instructors`, as sent. `username` and `password` together also open
/// an instructor account linked to the record.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct InstructorBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub organization_id: Option<i64>,
    pub title: Option<String>,
    pub specialty: Option<String>,
    pub region_code: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// `GET /api/v1/instructors` filters, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: crate::extract::PageParams,
    /// A region code: only the instructors of its subtree (inside the caller's).
    pub region: Option<String>,
}

/// A checked instructor.
#[derive(Debug, Clone)]
pub struct NewInstructor {
    pub name: String,
    pub phone: Option<crate::roster::Phone>,
    pub id_number: Option<crate::roster::IdNumber>,
    pub organization_id: Option<i64>,
    pub title: Option<String>,
    pub specialty: Option<String>,
    pub region_code: crate::regions::RegionCode,
}
