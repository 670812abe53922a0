//! Typed answers of the assessment, for the API and the pages.

use chrono::NaiveDate;
use serde::Serialize;

use super::CompletionStatus;
use crate::points::Points;

/// 平时考核 of a year (API.md: `ongoing:{online,offline,score}`).
#[derive(Debug, Clone, Serialize)]
pub struct OngoingView {
    pub online: Points,
    pub offline: Points,
    pub score: Points,
}

/// 年度考核 of a year (API.md: `annual:{score,passed}`).
#[derive(Debug, Clone, Serialize)]
pub struct AnnualView {
    pub score: Points,
    pub passed: bool,
    /// The annual exam, percent of full marks (`null`: not sat).
    pub exam: Option<Points>,
    /// The county confirmed (the scores are locked).
    pub confirmed: bool,
    /// 1 for the first assessment, 2… for re-assessments.
    pub attempt: i32,
    /// The county's rating of attitude and ability.
    pub rating: Option<Points>,
}

/// 结业 (API.md: `completion:{theory,skills,status,makeup_deadline}`).
#[derive(Debug, Clone, Serialize)]
pub struct CompletionView {
    /// The theory exam: passed, failed (`false`) or not sat (`null`).
    pub theory: Option<bool>,
    /// The skills exam, the same way.
    pub skills: Option<bool>,
    pub hours_met: bool,
    pub status: CompletionStatus,
    pub status_label: &'static str,
    pub makeup_deadline: Option<NaiveDate>,
    /// What make-up is still needed: `study`, `theory_exam`, `skills_exam`.
    pub makeup_needs: Vec<&'static str>,
}

/// What counted in a year, for the doctor's page.
#[derive(Debug, Clone, Serialize)]
pub struct YearDetail {
    pub online_minutes: i32,
    pub online_target: i32,
    pub active_days: i32,
    pub active_days_target: i32,
    pub unit_average: Option<Points>,
    pub centralized_minutes: i32,
    pub centralized_target: i32,
    pub single_skills_average: Option<Points>,
    /// What is still missing, in Chinese.
    pub missing: Vec<String>,
}

/// `GET /api/v1/doctors/{id}/assessment?year=YYYY`.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub doctor_id: i64,
    pub program_id: i64,
    pub year: i32,
    pub ongoing: OngoingView,
    pub annual: AnnualView,
    pub completion: CompletionView,
    pub detail: YearDetail,
}

/// One line of `GET /api/v1/assessment/annual`.
#[derive(Debug, Clone, Serialize)]
pub struct AnnualItem {
    pub doctor_id: i64,
    pub name: String,
    pub county_code: String,
    pub score: Points,
    pub passed: bool,
    pub ongoing: Points,
    pub exam: Option<Points>,
    pub rating: Option<Points>,
    pub confirmed: bool,
    pub attempt: i32,
}

/// `POST /api/v1/assessment/annual/confirm` → what was locked.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmed {
    pub region_code: String,
    pub year: i32,
    /// Attempts locked by this call.
    pub confirmed: usize,
    /// Already locked before.
    pub already: usize,
    pub passed: usize,
    pub failed: usize,
}

/// One doctor on the make-up lists.
#[derive(Debug, Clone, Serialize)]
pub struct MakeupItem {
    pub doctor_id: i64,
    pub name: String,
    pub district_code: String,
    pub district_name: String,
    pub status: CompletionStatus,
    pub status_label: &'static str,
    /// `study`, `theory_exam`, `skills_exam`.
    pub needs: Vec<&'static str>,
    pub makeup_deadline: Option<NaiveDate>,
}

/// Counts of one district (the 核减 basis).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DistrictCounts {
    pub code: String,
    pub name: String,
    pub total: usize,
    pub passed: usize,
    pub makeup: usize,
    pub makeup_study: usize,
    pub makeup_theory_exam: usize,
    pub makeup_skills_exam: usize,
    pub failed: usize,
    pub in_progress: usize,
    pub eligible: usize,
}

/// `GET /api/v1/assessment/makeup?region=&year=`.
#[derive(Debug, Clone, Serialize)]
pub struct MakeupLists {
    pub region_code: String,
    pub year: i32,
    /// Who needs make-up study (补修).
    pub makeup_study: Vec<MakeupItem>,
    /// Who needs a make-up exam, with which half in `needs`.
    pub makeup_exam: Vec<MakeupItem>,
    pub passed: Vec<MakeupItem>,
    pub failed: Vec<MakeupItem>,
    pub districts: Vec<DistrictCounts>,
}

/// The public check of a certificate (`/verify/{code}`).
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub code: String,
    pub name: String,
    pub id_number: String,
    pub program: String,
    pub issued_on: NaiveDate,
}

/// A certificate, for its holder and the admins.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    pub code: String,
    pub doctor_id: i64,
    pub program_id: i64,
    pub issued_on: NaiveDate,
    pub revoked: bool,
    pub reason: Option<String>,
}

/// `POST /api/v1/assessment/completions/decide` → what changed.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub region_code: String,
    pub decided: usize,
    pub by_status: std::collections::BTreeMap<&'static str, usize>,
    /// Certificates issued by this call.
    pub certificates: usize,
}
