//! Demo assessment: last year's (2025) annual assessment of 薛城区, rated and confirmed
//! through the same computation as the county's confirm (so the scores, and the
//! failures among them, come from the demo's own study and exam data: a doctor who did
//! not sit the annual exam fails); in 市中区 — the demo accounts' district, whose 2025
//! is left open for the demo county to rate and confirm — the completions of the
//! completion skills exam's candidates, decided from their theory attempts, skills
//! sheets and hours (some completed with certificates, some in make-up for the half
//! they failed). Running the demo twice changes nothing.

use anyhow::Context;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::exams::{beijing, exam, line, sit_as};
use crate::assessment::ops::completion::decide_one;
use crate::assessment::ops::compute::Loaded;
use crate::assessment::store::annual;
use crate::audit::Actor;
use crate::bank::QType;
use crate::db::AnyConnection;
use crate::db::schema::{annual_assessments, doctors, programs, skill_candidates, skill_exams};
use crate::exams::{Blueprint, ExamKind, XScoring};
use crate::points::Points;
use crate::skills::SkillExamKind;

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
    let mut rng = StdRng::seed_from_u64(2025);
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
        Ok::<_, anyhow::Error>(())
    })?;
    completions(conn, program, now)
}

/// 市中区's completions, decided from what the doctors did: the county's early sitting
/// of the theory completion exam (sat by the completion skills exam's candidates —
/// doctors who have met their hours — through the exams' own grading), the skills
/// sheets of `crate::demo::skills`, and the ledger; each candidate's status is then
/// decided by the same code as the county's "decide" (`decide_one`), which issues the
/// certificates. Who passes, who is in make-up and for which half follow from the data.
fn completions(conn: &mut AnyConnection, program: i64, now: NaiveDateTime) -> anyhow::Result<()> {
    let Some(skills_exam) = skill_exams::table
        .filter(skill_exams::program_id.eq(program))
        .filter(skill_exams::region_code.eq(DISTRICT))
        .filter(skill_exams::kind.eq(SkillExamKind::Completion))
        .select(skill_exams::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let candidates: Vec<i64> = skill_candidates::table
        .filter(skill_candidates::exam_id.eq(skills_exam))
        .order(skill_candidates::position)
        .select(skill_candidates::doctor_id)
        .load(conn)?;
    let blueprint = Blueprint {
        items: vec![
            line("public_health", QType::A1, 20, 1),
            line("general_practice", QType::A2, 10, 1),
            line("public_health", QType::A3, 6, 1),
            line("public_health", QType::B1, 4, 1),
            line("emergency", QType::X, 3, 2),
            line("public_health", QType::TF, 5, 1),
        ],
    };
    let theory = crate::exams::store::insert_exam(
        conn,
        &exam(
            program,
            "2026 年结业考核（理论）· 市中区首场",
            ExamKind::Completion,
            DISTRICT,
            2026,
            beijing(2026, 11, 19, 8),
            beijing(2026, 11, 25, 18),
            120,
            31,
            1,
            XScoring::AllOrNothing,
            &blueprint,
            now,
        ),
        &Actor::cli(),
    )?;
    sit_as(conn, &theory, &blueprint, &candidates, 2026)?;
    let today = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(now, chrono::Utc)
        .with_timezone(&crate::time::cst())
        .date_naive();
    crate::db::write(conn, |conn| {
        for id in &candidates {
            let loaded = Loaded::read(conn, *id, program).map_err(|e| anyhow::anyhow!("{e}"))?;
            decide_one(conn, &loaded, today, now).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok::<_, anyhow::Error>(())
    })
}
