//! The facts a filing takes from the other areas, for one county, program and year:
//! tutoring groups and their evaluated months, the county's teams and 3331 visits
//! (through `crate::support`'s face), skills exams' complete results (through
//! `crate::skills::outcomes`), confirmed annual assessments and make-ups.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::facts::cst_midnight;
use crate::assessment::CompletionStatus;
use crate::db::AnyConnection;
use crate::db::schema::{
    annual_assessments, completions, doctors, regions, skill_exams, tutoring_evaluations,
    tutoring_groups,
};
use crate::error::AppResult;
use crate::points::Points;
use crate::regions::{Scope, in_scope};
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
    let rows: Vec<(i64, String, NaiveDateTime)> = tutoring_groups::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(tutoring_groups::program_id.eq(program_id))
        .order((tutoring_groups::name, tutoring_groups::id))
        .select((
            tutoring_groups::id,
            tutoring_groups::name,
            tutoring_groups::created_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let evaluated: Vec<(i64, String)> = tutoring_evaluations::table
        .filter(tutoring_evaluations::group_id.eq_any(&ids))
        .select((tutoring_evaluations::group_id, tutoring_evaluations::month))
        .load(conn)?;
    let groups = rows
        .into_iter()
        .map(|(id, name, created)| GroupFacts {
            evaluated: evaluated
                .iter()
                .filter(|e| e.0 == id)
                .map(|e| e.1.clone())
                .collect::<BTreeSet<_>>(),
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
    let exam_ids: Vec<i64> = skill_exams::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(skill_exams::program_id.eq(program_id))
        .filter(skill_exams::held_on.ge(year_start))
        .filter(skill_exams::held_on.le(to))
        .order(skill_exams::id)
        .select(skill_exams::id)
        .load(conn)?;
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
    type AnnualTuple = (
        i64,
        i32,
        Points,
        Option<Points>,
        Points,
        bool,
        Option<NaiveDateTime>,
    );
    let annual_rows: Vec<AnnualTuple> = annual_assessments::table
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(annual_assessments::program_id.eq(program_id))
        .filter(annual_assessments::year.eq(year))
        .filter(annual_assessments::confirmed_at.is_not_null())
        .filter(annual_assessments::confirmed_at.lt(cst_midnight(to.succ_opt().unwrap_or(to))))
        .order((annual_assessments::doctor_id, annual_assessments::attempt))
        .select((
            annual_assessments::doctor_id,
            annual_assessments::attempt,
            annual_assessments::ongoing,
            annual_assessments::exam,
            annual_assessments::score,
            annual_assessments::passed,
            annual_assessments::confirmed_at,
        ))
        .load(conn)?;
    let annual = annual_rows
        .into_iter()
        .map(
            |(doctor_id, attempt, ongoing, exam, score, passed, at)| AnnualFacts {
                doctor_id,
                year,
                attempt,
                ongoing,
                exam,
                score,
                passed,
                confirmed_on: at.map(cst_date).unwrap_or(to),
            },
        )
        .collect();

    // Doctors sent to make-up study (补修补考), now or before.
    let makeup_rows: Vec<(i64, CompletionStatus, Option<NaiveDate>)> = completions::table
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(completions::program_id.eq(program_id))
        .filter(
            completions::status
                .eq(CompletionStatus::Makeup)
                .or(completions::makeup_deadline.is_not_null()),
        )
        .order(completions::doctor_id)
        .select((
            completions::doctor_id,
            completions::status,
            completions::makeup_deadline,
        ))
        .load(conn)?;
    let makeups = makeup_rows
        .into_iter()
        .map(|(doctor_id, _, deadline)| MakeupFacts {
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
