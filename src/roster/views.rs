//! What the roster's API answers, typed: the doctor (its ID number always masked), the
//! revealed ID number.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{DoctorRecord, DoctorStatus, Education, Gender, Qualification};

/// A doctor as the API shows it; `id_number` is always masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DoctorView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Education,
    pub qualification: Qualification,
    /// The most specific region known (village, township or county).
    pub region_code: String,
    pub region_name: String,
    pub county_code: String,
    pub township_code: Option<String>,
    pub village_code: Option<String>,
    pub clinic_id: Option<i64>,
    pub clinic_name: Option<String>,
    pub program_id: i64,
    pub cohort_year: i32,
    pub status: DoctorStatus,
    pub status_changed_on: Option<NaiveDate>,
    pub status_note: Option<String>,
    pub user_id: Option<i64>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

impl DoctorRecord {
    /// The doctor as the API shows it: township and village codes read off its path.
    pub fn view(&self) -> DoctorView {
        let d = &self.doctor;
        let codes: Vec<&str> = self
            .region_path
            .split('/')
            .filter(|c| !c.is_empty())
            .collect();
        let of_len = |n: usize| codes.iter().find(|c| c.len() == n).map(|c| (*c).to_owned());
        DoctorView {
            id: d.id,
            name: d.name.clone(),
            id_number: d.id_number_masked.clone(),
            phone: d.phone.clone(),
            gender: d.gender,
            birth_date: d.birth_date,
            education: d.education,
            qualification: d.qualification,
            region_code: d.region_code.clone(),
            region_name: self.region_name.clone(),
            county_code: d.county_code.clone(),
            township_code: of_len(9),
            village_code: of_len(12),
            clinic_id: d.clinic_id,
            clinic_name: self.clinic_name.clone(),
            program_id: d.program_id,
            cohort_year: d.cohort_year,
            status: d.status,
            status_changed_on: d.status_changed_on,
            status_note: d.status_note.clone(),
            user_id: d.user_id,
            created_at: d.created_at,
        }
    }
}

/// `GET /api/v1/doctors/{id}/id-number` → `{id_number}`.
#[derive(Debug, Clone, Serialize)]
pub struct IdNumberView {
    pub id_number: String,
}
