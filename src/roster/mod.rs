//! The roster (花名册): village doctors in training, their personal data protected,
//! loaded from the spreadsheets counties already keep. One record per doctor, never
//! deleted: leaving the post or dying is a status.
//!
//! Other areas reach the roster through the names re-exported here.

pub mod api;
pub mod import;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod sheets;
pub mod store;
pub mod views;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use ops::{import_county, upload_limits};
pub use rules::{
    DoctorStatus, Education, Gender, IdNumber, PersonName, Phone, Qualification, ancestor_scope,
    check_char, cohort_year, county_of_path, loose_date,
};
pub use store::{DoctorRow, by_user, get, get_scoped, insert_many, list};
pub use views::DoctorView;

/// A doctor as stored (the encrypted ID is read only by the reveal).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::doctors)]
pub struct Doctor {
    pub id: i64,
    pub name: String,
    pub id_number_masked: String,
    pub phone: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Education,
    pub qualification: Qualification,
    pub region_code: String,
    pub county_code: String,
    pub clinic_id: Option<i64>,
    pub program_id: i64,
    pub cohort_year: i32,
    pub status: DoctorStatus,
    pub status_changed_on: Option<NaiveDate>,
    pub status_note: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A doctor with the names that go with it.
#[derive(Debug, Clone)]
pub struct DoctorRecord {
    pub doctor: Doctor,
    pub region_name: String,
    pub region_path: String,
    pub clinic_name: Option<String>,
}

/// The person on a roster line, every field checked.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: PersonName,
    pub id_number: IdNumber,
    pub phone: Phone,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Education,
    pub qualification: Qualification,
    pub cohort_year: i32,
    pub status: DoctorStatus,
}

/// A checked spreadsheet row: the person and where they work, by name or code, as the
/// county wrote it (resolved against the county's regions by the import).
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub person: Person,
    pub township: Option<String>,
    pub village: Option<String>,
    pub clinic: Option<String>,
}

/// A checked `POST`/`PUT /api/v1/doctors` body (resolved against the database by
/// [`rules::place`]).
#[derive(Debug, Clone)]
pub struct Registration {
    pub person: Person,
    pub region: crate::regions::RegionCode,
    /// The field that named the region (`village_code` or `region_code`), for errors.
    pub region_field: &'static str,
    pub program_id: i64,
    pub clinic_id: Option<i64>,
}

/// `POST /api/v1/doctors` and `PUT /api/v1/doctors/{id}`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct DoctorBody {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub education: Option<String>,
    pub qualification: Option<String>,
    pub region_code: Option<String>,
    pub village_code: Option<String>,
    pub program_id: Option<i64>,
    pub cohort_year: Option<i32>,
    pub clinic_id: Option<i64>,
    pub status: Option<String>,
}

/// `POST /api/v1/doctors/{id}/status` (and the page's form), as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct StatusBody {
    pub status: Option<String>,
    pub effective_on: Option<String>,
    pub note: Option<String>,
}

/// A checked status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: DoctorStatus,
    pub on: NaiveDate,
    pub note: Option<String>,
}

/// `POST /api/v1/doctors/{id}/account` (and the page's form), as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = roster::AccountBody)]
pub struct AccountBody {
    pub username: Option<String>,
    pub password: Option<String>,
}

/// `GET /api/v1/doctors` (and `/roster`) filters, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: crate::extract::PageParams,
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    pub region: Option<String>,
    /// 姓名（部分匹配）
    pub q: Option<String>,
    /// 在岗状态：active（在岗）、left_post（离岗）、deceased（死亡）
    pub status: Option<String>,
    /// 入册（培训）年份，YYYY
    pub cohort_year: Option<String>,
    /// 培训项目编号
    pub program_id: Option<String>,
}

/// `GET /api/v1/doctors/export.xlsx`: the list's filters and whether to show full ID
/// numbers.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub list: ListQuery,
    /// true：导出完整身份证号（仅区县和市级管理员；导出一律记入审计日志）
    pub full_id: Option<String>,
}

/// `POST /api/v1/doctors/import` options, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// true：只校验、报告错误，不写入任何数据
    pub dry_run: Option<String>,
    /// 县（市、区）代码（市级及以上账号须给出）
    pub county: Option<String>,
    /// 培训项目编号
    pub program_id: Option<String>,
}

/// List filters.
#[derive(Debug, Default, Clone)]
pub struct DoctorFilter {
    pub region: Option<crate::regions::Scope>,
    /// Name contains, phone equals, or (when it is one) the ID number equals.
    pub q: Option<String>,
    pub id_index: Option<String>,
    pub status: Option<DoctorStatus>,
    pub cohort_year: Option<i32>,
    pub program_id: Option<i64>,
}

/// What an import did or would do.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub clinics_created: usize,
    /// The first [`ERRORS_SHOWN`] problems, by row.
    pub errors: Vec<RowError>,
    /// How many more problems there are beyond those listed ("and N more").
    pub errors_more: usize,
    pub dry_run: bool,
    pub rows: usize,
}

/// How many row problems a report lists; the rest are only counted, so a file with a
/// million bad rows gets a short answer.
pub const ERRORS_SHOWN: usize = 200;

/// Collect a row problem, keeping at most a few pages of them in memory (rows arrive in
/// order, so the first ones are kept); the rest are counted in `more`.
pub fn push_error(errors: &mut Vec<RowError>, more: &mut usize, error: RowError) {
    if errors.len() < ERRORS_SHOWN * 5 {
        errors.push(error);
    } else {
        *more += 1;
    }
}

/// Order problems by row and keep the first [`ERRORS_SHOWN`]; returns how many more
/// there are (with those already counted in `more`).
pub fn cap_errors(errors: &mut Vec<RowError>, more: usize) -> usize {
    errors.sort_by_key(|e| e.row);
    let dropped = errors.len().saturating_sub(ERRORS_SHOWN);
    errors.truncate(ERRORS_SHOWN);
    more + dropped
}

/// A bad cell: its row in the file (header = 1), the field, the column as written in
/// the file with its letter, and a Chinese message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub column: String,
    pub message: String,
}
