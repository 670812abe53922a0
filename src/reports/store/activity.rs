//! The facts a filing takes from the other areas, for one county, program and year, each
//! through the owning area's public face: tutoring groups and their evaluated months
//! (`crate::tutoring`), the county's teams and 3331 visits (`crate::support`), skills
//! exams' complete results (`crate::skills`), confirmed annual assessments and make-ups
//! (`crate::assessment`). No table of another area is named here.

use chrono::{NaiveDate, NaiveDateTime};

use super::facts::cst_midnight;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::regions::Scope;
use crate::reports::rules::activity::{
    ActivityFacts, AnnualFacts, GroupFacts, MakeupFacts, SkillFacts, VisitFacts,
};

fn cst_date(at: NaiveDateTime) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date()
}

/// Gather what the other areas contribute for a county (`scope` its subtree) from
/// 1 January of `year` to `to`.
pub fn gather(
    conn: &mut AnyConnection,
    county: &str,
    scope: &Scope,
    program_id: i64,
    year: i32,
    to: NaiveDate,
) -> AppResult<ActivityFacts> {
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(to);

    // Tutoring groups of the program in the county, and the months each was evaluated.
    let groups = crate::tutoring::groups_with_evaluated_months(conn, scope, program_id)?
        .into_iter()
        .map(|(id, name, created, evaluated)| GroupFacts {
            evaluated,
            id,
            name,
            formed_on: cst_date(created),
        })
        .collect();

    // 3331: the county's teams owing visits and their visits this year.
    let teams = crate::support::dispatched_teams(conn, scope)?;
    let visits = crate::support::visits_between(conn, scope, year_start, to)?
        .into_iter()
        .map(|(span, team, clinic)| VisitFacts { span, team, clinic })
        .collect();

    // Skills exams of the program held in the county this year, complete results only.
    let exam_ids = crate::skills::held_in(conn, scope, program_id, year_start, to)?;
    let skills = crate::skills::outcomes(conn, &exam_ids)?
        .into_iter()
        .map(|o| SkillFacts {
            exam_id: o.exam_id,
            title: o.title,
            kind: o.kind,
            held_on: o.held_on,
            doctor_id: o.doctor_id,
            total: o.total,
            passed: o.passed,
        })
        .collect();

    // Confirmed annual assessments of the county's doctors for the year.
    let before = cst_midnight(to.succ_opt().unwrap_or(to));
    let annual = crate::assessment::confirmed_in_county(conn, county, program_id, year, before)?
        .into_iter()
        .map(|a| AnnualFacts {
            doctor_id: a.doctor_id,
            year,
            attempt: a.attempt,
            ongoing: a.ongoing,
            exam: a.exam,
            score: a.score,
            passed: a.passed,
            confirmed_on: a.confirmed_at.map(cst_date).unwrap_or(to),
        })
        .collect();

    // Doctors sent to make-up study (补修补考), now or before.
    let makeups = crate::assessment::makeups_in_county(conn, county, program_id)?
        .into_iter()
        .map(|(doctor_id, deadline)| MakeupFacts {
            doctor_id,
            deadline,
        })
        .collect();

    Ok(ActivityFacts {
        groups,
        teams,
        visits,
        skills,
        annual,
        makeups,
    })
}
