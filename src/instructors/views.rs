//! What the instructors API answers, typed.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::Instructor;

/// An instructor as the API shows it; `id_number` masked.
#[derive(Debug, Clone, Serialize)]
pub struct InstructorView {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub organization_id: Option<i64>,
    pub title: Option<String>,
    pub specialty: Option<String>,
    pub region_code: String,
    pub user_id: Option<i64>,
    pub active: bool,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

impl From<&Instructor> for InstructorView {
    fn from(i: &Instructor) -> Self {
        InstructorView {
            id: i.id,
            name: i.name.clone(),
            phone: i.phone.clone(),
            id_number: i.id_number_masked.clone(),
            organization_id: i.organization_id,
            title: i.title.clone(),
            specialty: i.specialty.clone(),
            region_code: i.region_code.clone(),
            user_id: i.user_id,
            active: i.active,
            created_at: i.created_at,
        }
    }
}
