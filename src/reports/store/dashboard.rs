//! The dashboard's counts: each district's cohort and its completion outcomes.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{attempts, doctors, exams, program_quotas};
use crate::exams::{AttemptStatus, ExamKind};
use crate::reports::rules::dashboard::Trainee;
use crate::roster::DoctorStatus;

/// Quota places per district of a program for a year.
pub fn places(
    conn: &mut AnyConnection,
    program_id: i64,
    year: i32,
) -> QueryResult<HashMap<String, i32>> {
    Ok(program_quotas::table
        .filter(program_quotas::program_id.eq(program_id))
        .filter(program_quotas::year.eq(year))
        .select((program_quotas::region_code, program_quotas::places))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect())
}

/// The cohort of `year` per county: each trainee's post and completion exams.
pub fn cohorts(
    conn: &mut AnyConnection,
    program_id: i64,
    year: i32,
    counties: &[String],
) -> QueryResult<HashMap<String, Vec<Trainee>>> {
    let people: Vec<(i64, String, DoctorStatus)> = doctors::table
        .filter(doctors::program_id.eq(program_id))
        .filter(doctors::cohort_year.eq(year))
        .filter(doctors::county_code.eq_any(counties))
        .select((doctors::id, doctors::county_code, doctors::status))
        .load(conn)?;
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
    let sittings: Vec<(i64, Option<bool>)> = attempts::table
        .inner_join(exams::table)
        .filter(attempts::doctor_id.eq_any(&ids))
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .filter(exams::kind.eq_any([ExamKind::Completion, ExamKind::Makeup]))
        .select((attempts::doctor_id, attempts::passed))
        .load(conn)?;
    let mut sat: HashMap<i64, bool> = HashMap::new();
    for (doctor, passed) in sittings {
        let e = sat.entry(doctor).or_insert(false);
        *e |= passed == Some(true);
    }
    let mut out: HashMap<String, Vec<Trainee>> = HashMap::new();
    for (id, county, status) in people {
        out.entry(county).or_default().push(Trainee {
            active: status.is_active(),
            sat: sat.contains_key(&id),
            passed: sat.get(&id).copied().unwrap_or(false),
        });
    }
    Ok(out)
}
