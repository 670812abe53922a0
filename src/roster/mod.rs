//! The roster (花名册): village doctors in training, their personal data protected,
//! loaded from the spreadsheets counties already keep. One record per doctor, never
//! deleted: leaving the post or dying is a status.

pub mod api;
pub mod import;
pub mod pages;
pub mod rules;
pub mod sheets;
pub mod store;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use rules::{IdNumber, Phone};

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal [$($alias:literal),*]),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The Chinese label shown on pages and written in spreadsheets.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            /// From the code, the label, or a common way of writing it.
            pub fn parse(raw: &str) -> Option<$name> {
                let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                let s = s.as_str();
                $(if s.eq_ignore_ascii_case($code) || s == $label $(|| s == $alias)* { return Some($name::$variant); })*
                None
            }

            /// The labels, for messages and drop-downs.
            pub fn labels() -> Vec<&'static str> {
                vec![$($label),*]
            }
        }
    };
}

coded_enum!(
    /// 性别
    Gender {
        Male = "male" / "男" ["M", "男性"],
        Female = "female" / "女" ["F", "女性"],
    }
);

coded_enum!(
    /// 学历
    Education {
        JuniorHigh = "junior_high" / "初中及以下" ["初中", "小学", "初中以下"],
        Secondary = "secondary" / "中专（高中）" ["中专", "高中", "中专(高中)", "中职", "中技", "职高"],
        College = "college" / "大专" ["专科", "高职", "大学专科"],
        Bachelor = "bachelor" / "本科" ["大学本科", "学士"],
        Master = "master" / "硕士及以上" ["硕士", "研究生", "博士"],
    }
);

coded_enum!(
    /// 执业资格
    Qualification {
        VillageDoctorCert = "village_doctor_cert" / "乡村医生执业证书" ["乡村医生", "村医证", "乡村医生执业证", "乡村医生证"],
        AssistantPhysician = "assistant_physician" / "执业助理医师" ["助理医师", "乡村全科执业助理医师", "执业助理"],
        Physician = "physician" / "执业医师" ["医师"],
        None = "none" / "无" ["暂无", "没有"],
    }
);

coded_enum!(
    /// 在岗状态
    DoctorStatus {
        Active = "active" / "在岗" ["在职"],
        LeftPost = "left_post" / "离岗" ["不在岗", "离职", "调离", "退休"],
        Deceased = "deceased" / "死亡" ["已故", "去世"],
    }
);

/// A doctor as stored (the encrypted ID is read only by the reveal).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::doctors)]
pub struct Doctor {
    pub id: i64,
    pub name: String,
    pub id_number_masked: String,
    pub phone: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub education: String,
    pub qualification: String,
    pub region_code: String,
    pub county_code: String,
    pub clinic_id: Option<i64>,
    pub program_id: i64,
    pub cohort_year: i32,
    pub status: String,
    pub status_changed_on: Option<NaiveDate>,
    pub status_note: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A doctor as the API shows it; `id_number` is always masked.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub education: String,
    pub qualification: String,
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
    pub status: String,
    pub status_changed_on: Option<NaiveDate>,
    pub status_note: Option<String>,
    pub user_id: Option<i64>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

/// A doctor with the names that go with it.
#[derive(Debug, Clone)]
pub struct DoctorRecord {
    pub doctor: Doctor,
    pub region_name: String,
    pub region_path: String,
    pub clinic_name: Option<String>,
}

impl DoctorRecord {
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
            gender: d.gender.clone(),
            birth_date: d.birth_date,
            education: d.education.clone(),
            qualification: d.qualification.clone(),
            region_code: d.region_code.clone(),
            region_name: self.region_name.clone(),
            county_code: d.county_code.clone(),
            township_code: of_len(9),
            village_code: of_len(12),
            clinic_id: d.clinic_id,
            clinic_name: self.clinic_name.clone(),
            program_id: d.program_id,
            cohort_year: d.cohort_year,
            status: d.status.clone(),
            status_changed_on: d.status_changed_on,
            status_note: d.status_note.clone(),
            user_id: d.user_id,
            created_at: d.created_at,
        }
    }
}

/// Where a doctor works, as given: codes (API) or names (spreadsheets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Code(String),
    Names {
        township: Option<String>,
        village: Option<String>,
    },
}

/// A checked doctor, before its place, program and clinic are resolved.
#[derive(Debug, Clone)]
pub struct DoctorInput {
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Phone,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Education,
    pub qualification: Qualification,
    pub cohort_year: i32,
    pub status: DoctorStatus,
    pub place: Place,
    pub clinic: Option<String>,
    pub program_id: Option<i64>,
}

/// `POST /api/v1/doctors` and `PUT /api/v1/doctors/{id}`, as sent.
#[derive(Debug, Default, Clone, Deserialize)]
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
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    pub rows: usize,
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
