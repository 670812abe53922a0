//! Demo assessment: last year's (2025) annual assessment of 薛城区, rated and confirmed
//! through the same computation as the county's confirm (so the scores, and the
//! failures among them, come from the demo's own study and exam data: a doctor who did
//! not sit the annual exam fails); in 市中区 — the demo accounts' district, whose 2025
//! is left open for the demo county to rate and confirm — a few doctors placed in
//! make-up and a few completed doctors with certificates. Running the demo twice
//! changes nothing.

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::assessment::CompletionStatus;
use crate::assessment::ops::completion::issue;
use crate::assessment::ops::compute::Loaded;
use crate::assessment::store::{annual, completions};
use crate::db::AnyConnection;
use crate::db::schema::{annual_assessments, doctors, programs};
use crate::points::Points;

/// The demo's last training year.
const YEAR: i32 = 2025;
/// The district whose year is confirmed.
const CONFIRMED: &str = "370403";
/// The demo accounts' district: make-up and certificates.
const DISTRICT: &str = "370402";

pub fn load(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    let program: i64 = programs::table
        .filter(programs::preset.eq("zaozhuang-2024"))
        .filter(programs::region_code.eq("370400"))
        .select(programs::id)
        .first(conn)
        .context("demo program")?;
    let done: i64 = annual_assessments::table
        .filter(annual_assessments::program_id.eq(program))
        .count()
        .get_result(conn)?;
    if done > 0 {
        return Ok(());
    }
    let ids = |conn: &mut AnyConnection, district: &str| {
        doctors::table
            .filter(doctors::program_id.eq(program))
            .filter(doctors::county_code.eq(district))
            .order(doctors::id)
            .select(doctors::id)
            .load::<i64>(conn)
    };
    let confirmed = ids(conn, CONFIRMED)?;
    let local = ids(conn, DISTRICT)?;
    let mut rng = StdRng::seed_from_u64(2025);
    let today = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(now, chrono::Utc)
        .with_timezone(&crate::time::cst())
        .date_naive();
    let deadline = NaiveDate::from_ymd_opt(2027, 2, 28);
    crate::db::write(conn, |conn| {
        for id in &confirmed {
            // The county rates attitude and ability, mostly between 60 and 98.
            let rating = Points::tenths(rng.random_range(600..=980));
            let attempt =
                annual::open_attempt(conn, *id, program, YEAR, 1, Some((rating, None)), now)?;
            let loaded = Loaded::read(conn, *id, program).map_err(|e| anyhow::anyhow!("{e}"))?;
            let y = loaded.year(YEAR);
            let scores = annual::Scores {
                online: y.ongoing.online,
                offline: y.ongoing.offline,
                ongoing: y.ongoing.score,
                exam: y.annual.exam,
                score: y.annual.score,
                passed: y.annual.passed,
            };
            annual::confirm(conn, attempt, &scores, None, now)?;
        }
        let decision = |status, theory, skills, deadline| completions::Decision {
            status,
            theory_passed: theory,
            skills_passed: skills,
            hours_met: status == CompletionStatus::Passed,
            makeup_deadline: deadline,
        };
        // Every 40th doctor from the 8th, 20th and 24th in make-up; every 40th from the
        // 32nd completed (four of them).
        for (i, id) in local.iter().enumerate() {
            let d = match i % 40 {
                7 | 19 => decision(CompletionStatus::Makeup, Some(false), Some(true), deadline),
                23 => decision(CompletionStatus::Makeup, Some(true), Some(false), deadline),
                31 if i < 160 => decision(CompletionStatus::Passed, Some(true), Some(true), None),
                _ => continue,
            };
            completions::put(conn, *id, program, &d, now)?;
            if d.status == CompletionStatus::Passed {
                issue(conn, *id, program, today, now).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        Ok::<_, anyhow::Error>(())
    })
}
