//! The facts a filing's statistics are computed from, for one county, program and
//! period: the county's doctors and their approved minutes, its sessions, placements
//! and exam sittings — gathered into [`StatsInput`]'s parts.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{
    attempts, doctors, exams, placements, program_quotas, regions, rotations, sessions,
    study_records,
};
use crate::exams::{AttemptStatus, ExamKind};
use crate::points::Points;
use crate::regions::{Scope, in_scope};
use crate::reports::rules::stats::{AttemptFacts, DoctorFacts, PlacementFacts, SessionFacts};
use crate::roster::DoctorStatus;
use crate::study::{RecordStatus, StudyKind};

/// 00:00 Beijing time of `day`, as a UTC instant.
pub fn cst_midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::hours(8)
}

fn cst_date(at: NaiveDateTime) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date()
}

/// What is gathered for one county.
#[derive(Debug, Clone, Default)]
pub struct CountyFacts {
    pub quota_places: i32,
    pub doctors: Vec<DoctorFacts>,
    pub sessions: Vec<SessionFacts>,
    pub placements: Vec<PlacementFacts>,
    pub attempts: Vec<AttemptFacts>,
}

/// Approved minutes by (doctor, kind) of the county's doctors between `from` and `to`.
fn minutes(
    conn: &mut AnyConnection,
    county: &str,
    program_id: i64,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> QueryResult<HashMap<i64, BTreeMap<StudyKind, i64>>> {
    let from = from.or(NaiveDate::from_ymd_opt(1900, 1, 1)).unwrap_or(to);
    let rows: Vec<(i64, StudyKind, Option<i64>)> = study_records::table
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(doctors::program_id.eq(program_id))
        .filter(study_records::status.eq(RecordStatus::Approved))
        .filter(study_records::occurred_on.le(to))
        .filter(study_records::occurred_on.ge(from))
        .group_by((study_records::doctor_id, study_records::kind))
        .select((
            study_records::doctor_id,
            study_records::kind,
            diesel::dsl::sum(study_records::minutes),
        ))
        .load(conn)?;
    let mut out: HashMap<i64, BTreeMap<StudyKind, i64>> = HashMap::new();
    for (doctor, kind, sum) in rows {
        out.entry(doctor)
            .or_default()
            .insert(kind, sum.unwrap_or(0));
    }
    Ok(out)
}

/// Gather the facts of a county (`scope` is its subtree) for a period of `year`, as of
/// `now`.
pub fn gather(
    conn: &mut AnyConnection,
    county: &str,
    scope: &Scope,
    program_id: i64,
    year: i32,
    period: (NaiveDate, NaiveDate),
    now: NaiveDateTime,
) -> QueryResult<CountyFacts> {
    let quota_places = program_quotas::table
        .filter(program_quotas::program_id.eq(program_id))
        .filter(program_quotas::region_code.eq(county))
        .filter(program_quotas::year.eq(year))
        .select(program_quotas::places)
        .first::<i32>(conn)
        .optional()?
        .unwrap_or(0);
    let (from, to) = period;
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(from);
    let mut in_period = minutes(conn, county, program_id, Some(from), to)?;
    let mut year_to_date = minutes(conn, county, program_id, Some(year_start), to)?;
    let mut to_date = minutes(conn, county, program_id, None, to)?;
    let people: Vec<(i64, String, DoctorStatus)> = doctors::table
        .filter(doctors::county_code.eq(county))
        .filter(doctors::program_id.eq(program_id))
        .order(doctors::id)
        .select((doctors::id, doctors::name, doctors::status))
        .load(conn)?;
    let names: HashMap<i64, String> = people.iter().map(|(i, n, _)| (*i, n.clone())).collect();
    let doctor_facts = people
        .into_iter()
        .map(|(id, name, status)| DoctorFacts {
            id,
            name,
            active: status.is_active(),
            in_period: in_period.remove(&id).unwrap_or_default(),
            year_to_date: year_to_date.remove(&id).unwrap_or_default(),
            to_date: to_date.remove(&id).unwrap_or_default(),
        })
        .collect();

    // Sessions held in the county in the period (started, by now).
    let start = cst_midnight(from);
    let end = cst_midnight(to.succ_opt().unwrap_or(to)).min(now);
    let held: Vec<(i64, String, NaiveDateTime)> = sessions::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(sessions::starts_at.ge(start))
        .filter(sessions::starts_at.lt(end))
        .order(sessions::starts_at)
        .select((sessions::id, sessions::title, sessions::starts_at))
        .load(conn)?;
    let ids: Vec<i64> = held.iter().map(|s| s.0).collect();
    let counts: HashMap<i64, i64> = study_records::table
        .filter(study_records::session_id.eq_any(&ids))
        .filter(study_records::status.eq(RecordStatus::Approved))
        .group_by(study_records::session_id)
        .select((study_records::session_id, diesel::dsl::count_star()))
        .load::<(Option<i64>, i64)>(conn)?
        .into_iter()
        .filter_map(|(s, n)| s.map(|s| (s, n)))
        .collect();
    let session_facts = held
        .into_iter()
        .map(|(id, title, at)| SessionFacts {
            id,
            title,
            held_on: cst_date(at),
            attendees: counts.get(&id).copied().unwrap_or(0),
        })
        .collect();

    // Placements of the county's doctors overlapping the period, with their rotations.
    let placed: Vec<(i64, i64, String)> = placements::table
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(placements::program_id.eq(program_id))
        .filter(placements::starts_on.le(to))
        .filter(placements::ends_on.ge(from))
        .order(placements::id)
        .select((placements::id, placements::doctor_id, doctors::name))
        .load(conn)?;
    let pids: Vec<i64> = placed.iter().map(|p| p.0).collect();
    let rots: Vec<(i64, Option<NaiveDateTime>)> = rotations::table
        .filter(rotations::placement_id.eq_any(&pids))
        .select((rotations::placement_id, rotations::signed_off_at))
        .load(conn)?;
    let period_end = cst_midnight(to.succ_opt().unwrap_or(to));
    let placement_facts = placed
        .into_iter()
        .map(|(id, doctor_id, doctor_name)| {
            let mine = rots.iter().filter(|r| r.0 == id);
            PlacementFacts {
                id,
                doctor_id,
                doctor_name,
                rotations: mine.clone().count() as i64,
                signed_off: mine
                    .filter(|r| r.1.is_some_and(|at| at < period_end))
                    .count() as i64,
            }
        })
        .collect();

    // Submitted attempts of the county's doctors, from 1 January to the period's end.
    type AttemptRow = (
        i64,
        i64,
        String,
        ExamKind,
        i32,
        Option<NaiveDateTime>,
        Option<Points>,
        Points,
        Option<bool>,
    );
    let sat: Vec<AttemptRow> = attempts::table
        .inner_join(exams::table)
        .inner_join(doctors::table)
        .filter(doctors::county_code.eq(county))
        .filter(attempts::status.eq(AttemptStatus::Submitted))
        .filter(attempts::submitted_at.ge(cst_midnight(year_start)))
        .filter(attempts::submitted_at.lt(period_end))
        .order(attempts::id)
        .select((
            attempts::doctor_id,
            exams::id,
            exams::title,
            exams::kind,
            exams::year,
            attempts::submitted_at,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .load(conn)?;
    let attempt_facts = sat
        .into_iter()
        .filter(|a| names.contains_key(&a.0))
        .map(
            |(doctor_id, exam_id, exam_title, kind, exam_year, at, score, max_score, passed)| {
                AttemptFacts {
                    doctor_id,
                    exam_id,
                    exam_title,
                    kind,
                    exam_year,
                    submitted_on: at.map(cst_date).unwrap_or(from),
                    score,
                    max_score,
                    passed,
                }
            },
        )
        .collect();
    Ok(CountyFacts {
        quota_places,
        doctors: doctor_facts,
        sessions: session_facts,
        placements: placement_facts,
        attempts: attempt_facts,
    })
}
