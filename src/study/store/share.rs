//! The counts behind the centralized-training share.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{doctors, study_records};
use crate::study::{RecordStatus, StudyKind};

/// Distinct doctors per county with approved centralized or shadowing time in `year`
/// (the 1/3 rule counts people, not hours).
pub fn centralized_learners(
    conn: &mut AnyConnection,
    program_id: i64,
    year: i32,
) -> QueryResult<HashMap<String, i64>> {
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(HashMap::new());
    };
    let rows: Vec<(String, i64)> = study_records::table
        .inner_join(doctors::table)
        .filter(study_records::program_id.eq(program_id))
        .filter(study_records::status.eq(RecordStatus::Approved))
        .filter(study_records::kind.eq_any([StudyKind::Centralized, StudyKind::Shadowing]))
        .filter(study_records::occurred_on.between(from, to))
        .select((doctors::county_code, study_records::doctor_id))
        .distinct()
        .load(conn)?;
    let mut out = HashMap::new();
    for (county, _) in rows {
        *out.entry(county).or_insert(0) += 1;
    }
    Ok(out)
}

/// Doctors in post per county of a program.
pub fn doctors_per_county(
    conn: &mut AnyConnection,
    program_id: i64,
) -> QueryResult<HashMap<String, i64>> {
    Ok(doctors::table
        .filter(doctors::program_id.eq(program_id))
        .filter(doctors::status.eq(crate::roster::DoctorStatus::Active.as_str()))
        .group_by(doctors::county_code)
        .select((doctors::county_code, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}
