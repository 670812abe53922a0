//! Demo skills exams for 市中区 (370402): a completed single-skills round (three
//! stations, one examiner each) and a completion skills exam of five stations with two
//! examiners on CPR and the abdominal exam, sat by ten doctors who have met their hours
//! and scored for the first six (the fifth misses a critical CPR step) — the demo
//! instructor examines every station and can score the rest from a phone. Marks follow
//! a simple ability model so results and statistics look real.

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::audit::Actor;
use crate::db::schema::{instructors, programs, skill_exams};
use crate::db::{self, AnyConnection};
use crate::points::Points;
use crate::skills::rules::{self, bodies};
use crate::skills::store::exams::{self as exam_store, ExamStation};
use crate::skills::store::sheets::{self as sheet_store, SheetKey, SheetValues};
use crate::skills::store::stations as station_store;
use crate::skills::{Mark, NewExam, SheetStatus, SkillExamKind};

const COUNTY: &str = "370402";

pub fn load(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    let program: i64 = programs::table
        .filter(programs::preset.eq("zaozhuang-2024"))
        .filter(programs::region_code.eq("370400"))
        .select(programs::id)
        .first(conn)
        .context("demo program")?;
    let existing: i64 = skill_exams::table
        .filter(skill_exams::program_id.eq(program))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let county = crate::regions::find(conn, COUNTY)?.context("demo county")?;
    let doctors: Vec<i64> = exam_store::doctors_in(conn, program, &county.scope(), 10)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let examiners: Vec<i64> = instructors::table
        .filter(instructors::region_code.eq(COUNTY))
        .order(instructors::id)
        .select(instructors::id)
        .load(conn)?;
    let (Some(&lead), Some(&second)) = (examiners.first(), examiners.get(1)) else {
        return Ok(());
    };
    if doctors.is_empty() {
        return Ok(());
    }
    let station = |conn: &mut AnyConnection, code: &str| -> anyhow::Result<i64> {
        Ok(station_store::by_code(conn, code)?
            .with_context(|| format!("shipped station {code}"))?
            .id)
    };
    let mut rng = StdRng::seed_from_u64(2026);
    let single = NewExam {
        title: "2026年上半年单项技能考核".into(),
        kind: SkillExamKind::Single,
        program_id: program,
        region_code: COUNTY.into(),
        held_on: date(2026, 6, 16),
        starts_at: bodies::cst_to_utc(date(2026, 6, 16).and_hms_opt(8, 30, 0).unwrap_or_default()),
        stations: vec![
            (station(conn, "bp_measurement")?, vec![lead]),
            (station(conn, "fingertip_glucose")?, vec![second]),
            (station(conn, "cupping")?, vec![lead]),
        ],
        pass_score: Points::whole(180),
        candidate_ids: doctors.clone(),
        review_threshold: Points::whole(10),
    };
    let id = exam_store::insert(conn, &single, &Actor::cli(), now)?;
    score_all(conn, &mut rng, id, &doctors, None, now)?;
    // The completion exam is sat by doctors who have met their hours (as the theory
    // half requires), the first ten of the county.
    let mut ready = Vec::new();
    for (doctor, _) in exam_store::doctors_in(conn, program, &county.scope(), 10_000)? {
        if ready.len() == 10 {
            break;
        }
        let progress = crate::study::compute_progress(conn, doctor, program)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if progress.completion.hours_met {
            ready.push(doctor);
        }
    }
    if ready.is_empty() {
        return Ok(());
    }
    let completion = NewExam {
        title: "2026年度结业技能考核".into(),
        kind: SkillExamKind::Completion,
        program_id: program,
        region_code: COUNTY.into(),
        held_on: date(2026, 11, 28),
        starts_at: bodies::cst_to_utc(date(2026, 11, 28).and_hms_opt(8, 30, 0).unwrap_or_default()),
        stations: vec![
            (station(conn, "cpr_aed")?, vec![lead, second]),
            (station(conn, "history_fever")?, vec![lead]),
            (station(conn, "abdominal_exam")?, vec![lead, second]),
            (station(conn, "ecg_12_lead")?, vec![lead]),
            (station(conn, "moxibustion")?, vec![lead]),
        ],
        pass_score: Points::whole(300),
        candidate_ids: ready.clone(),
        review_threshold: Points::whole(10),
    };
    let id = exam_store::insert(conn, &completion, &Actor::cli(), now)?;
    let scored: Vec<i64> = ready.iter().copied().take(6).collect();
    // The fifth misses a critical CPR step in both examiners' eyes: the skills half is
    // failed, a make-up follows (crate::demo::assessment decides it from these sheets).
    score_all(conn, &mut rng, id, &scored, scored.get(4).copied(), now)?;
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Every examiner scores every listed candidate at its stations (submitted sheets).
fn score_all(
    conn: &mut AnyConnection,
    rng: &mut StdRng,
    exam_id: i64,
    doctors: &[i64],
    misses_cpr: Option<i64>,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let stations = exam_store::stations(conn, exam_id)?;
    db::write(conn, |conn| {
        for &doctor in doctors {
            let ability: f64 = rng.random_range(0.45..0.97);
            for s in &stations {
                let miss = misses_cpr == Some(doctor) && s.code == "cpr_aed";
                for (examiner, _) in &s.examiners {
                    // Two examiners see the same performance, each with a little noise.
                    let values = sheet(rng, s, ability, miss)?;
                    let key = SheetKey {
                        exam_id,
                        doctor_id: doctor,
                        station_id: s.station_id,
                        examiner_id: *examiner,
                    };
                    sheet_store::insert(conn, key, 1, &values, None, None, now).map(|_| ())?;
                }
            }
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// One examiner's sheet; `miss` makes the station's first critical item missed.
fn sheet(
    rng: &mut StdRng,
    s: &ExamStation,
    ability: f64,
    miss: bool,
) -> anyhow::Result<SheetValues> {
    let first_critical = s.items.iter().position(|i| i.critical);
    let marks: Vec<(String, Points)> = s
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let forced = miss && first_critical == Some(i);
            let missed = forced || item.critical && rng.random_bool(0.03);
            let share = (ability + rng.random_range(-0.15..0.15)).clamp(0.0, 1.0);
            let halves = (f64::from(item.points.as_tenths()) / 5.0 * share).round() as i32;
            let points = if missed {
                Points::ZERO
            } else {
                Points::tenths(halves * 5)
            };
            (item.code.clone(), points)
        })
        .collect();
    let as_marks: Vec<Mark<'_>> = marks
        .iter()
        .map(|(code, points)| Mark::given(code, *points))
        .collect();
    let Ok(scored) = rules::score(&s.items, s.pass_points, &as_marks) else {
        anyhow::bail!("demo sheet for station {} does not score", s.code);
    };
    let share = scored.points.ratio(s.max_points);
    let rating = match share {
        x if x < 0.5 => 1,
        x if x < 0.62 => 2,
        x if x < 0.75 => 3,
        x if x < 0.88 => 4,
        _ => 5,
    };
    Ok(SheetValues {
        items: serde_json::to_string(
            &marks
                .iter()
                .map(|(code, points)| serde_json::json!({"code": code, "points": points}))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default(),
        global_rating: Some(rating),
        notes: String::new(),
        points: scored.points,
        critical_missed: !scored.missed_critical.is_empty(),
        passed: scored.passed,
        status: SheetStatus::Submitted,
    })
}
