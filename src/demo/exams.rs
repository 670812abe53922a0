//! Demo exams: last year's annual assessment, sat by a few hundred demo doctors whose
//! answers follow a simple ability model (so results and item analysis look like a real
//! sitting); a unit test open now for the demo doctor; the completion exam coming up.

use anyhow::Context;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::audit::Actor;
use crate::bank::{Difficulty, QType};
use crate::db::AnyConnection;
use crate::db::schema::{attempt_answers, attempt_items, attempts, doctors, exams, programs};
use crate::exams::store::{self, NewExam};
use crate::exams::{
    AttemptStatus, Blueprint, BlueprintLine, ExamKind, Paper, PaperItem, Points, SubmittedBy,
    XScoring, rules,
};

pub(super) fn line(area: &str, qtype: QType, count: u32, points: i32) -> BlueprintLine {
    BlueprintLine {
        area: area.into(),
        qtype,
        difficulty: None,
        collection: None,
        count,
        points: Points::whole(points),
    }
}

/// 09:00 Beijing on a day, in UTC.
pub(super) fn beijing(y: i32, m: u32, d: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .unwrap_or_default()
        - Duration::hours(8)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn exam(
    program: i64,
    title: &str,
    kind: ExamKind,
    region: &str,
    year: i32,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    duration: i32,
    pass_score: i32,
    attempts_allowed: i32,
    x_scoring: XScoring,
    blueprint: &Blueprint,
    now: NaiveDateTime,
) -> NewExam {
    NewExam {
        title: title.into(),
        kind,
        program_id: program,
        region_code: region.into(),
        cohort_year: None,
        year,
        makeup_of: None,
        opens_at,
        closes_at,
        duration_minutes: duration,
        pass_score: Points::whole(pass_score),
        max_score: blueprint.max_score(),
        attempts_allowed,
        x_scoring,
        shuffle_options: true,
        blueprint: serde_json::to_string(blueprint).unwrap_or_default(),
        created_by: None,
        created_at: now,
    }
}

/// Load the demo exams unless the demo program has some.
pub fn load(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    let program: i64 = programs::table
        .filter(programs::preset.eq("zaozhuang-2024"))
        .filter(programs::region_code.eq("370400"))
        .select(programs::id)
        .first(conn)
        .context("demo program")?;
    let existing: i64 = exams::table
        .filter(exams::program_id.eq(program))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let actor = Actor::cli();
    let annual_bp = Blueprint {
        items: vec![
            line("public_health", QType::A1, 20, 1),
            line("general_practice", QType::A2, 10, 1),
            line("public_health", QType::A3, 6, 1),
            line("public_health", QType::B1, 4, 1),
            line("emergency", QType::X, 3, 2),
            line("public_health", QType::TF, 5, 1),
        ],
    };
    let annual = store::insert_exam(
        conn,
        &exam(
            program,
            "2025 年度理论考核",
            ExamKind::Annual,
            "370400",
            2025,
            beijing(2025, 11, 10, 8),
            beijing(2025, 11, 20, 18),
            90,
            31,
            1,
            XScoring::AllOrNothing,
            &annual_bp,
            now,
        ),
        &actor,
    )?;
    let unit_bp = Blueprint {
        items: vec![
            line("public_health", QType::A1, 10, 2),
            line("public_health", QType::X, 2, 3),
            BlueprintLine {
                difficulty: Some(Difficulty::Easy),
                ..line("public_health", QType::TF, 4, 1)
            },
        ],
    };
    store::insert_exam(
        conn,
        &exam(
            program,
            "2026 年第四季度单元测试：基本公共卫生服务",
            ExamKind::Unit,
            "370402",
            2026,
            now - Duration::days(2),
            now + Duration::days(30),
            30,
            18,
            2,
            XScoring::Partial,
            &unit_bp,
            now,
        ),
        &actor,
    )?;
    store::insert_exam(
        conn,
        &exam(
            program,
            "2026 年结业考核（理论）",
            ExamKind::Completion,
            "370400",
            2026,
            beijing(2026, 12, 16, 8),
            beijing(2026, 12, 20, 18),
            120,
            31,
            1,
            XScoring::AllOrNothing,
            &annual_bp,
            now,
        ),
        &actor,
    )?;
    sit(conn, &annual, &annual_bp)
}

/// Every fifth demo doctor sat last year's annual assessment.
fn sit(
    conn: &mut AnyConnection,
    exam: &crate::exams::Exam,
    blueprint: &Blueprint,
) -> anyhow::Result<()> {
    let candidates: Vec<i64> = doctors::table
        .filter(doctors::program_id.eq(exam.program_id))
        .filter(doctors::user_id.is_null())
        .order(doctors::id)
        .select(doctors::id)
        .load::<i64>(conn)?
        .into_iter()
        .step_by(5)
        .collect();
    sit_as(conn, exam, blueprint, &candidates, 2025)
}

/// `candidates` sit `exam` once each (submitted papers, answers from the ability model,
/// graded by the exams' own rules), drawn from `seed`.
pub(super) fn sit_as(
    conn: &mut AnyConnection,
    exam: &crate::exams::Exam,
    blueprint: &Blueprint,
    candidates: &[i64],
    seed: u64,
) -> anyhow::Result<()> {
    let candidates = candidates.to_vec();
    let pool = store::pool(conn, blueprint)?;
    let mut rng = StdRng::seed_from_u64(seed);
    crate::db::write(conn, |conn| {
        for doctor in candidates {
            let seed: u64 = rng.random();
            let paper = rules::draw(blueprint, &pool, seed, true)
                .map_err(|s| anyhow::anyhow!(s.message))?;
            let ability: f64 = normal(&mut rng);
            let answers: std::collections::HashMap<String, String> = paper
                .iter()
                .filter_map(|item| {
                    answer(item, ability, &mut rng).map(|a| (item.question_id.clone(), a))
                })
                .collect();
            let graded = rules::grade_paper(&paper, &answers, exam.x_scoring);
            let started = exam.opens_at + Duration::minutes(rng.random_range(0..6000));
            let deadline = rules::deadline(started, exam.duration_minutes, exam.closes_at);
            let submitted = (started + Duration::minutes(rng.random_range(30..90))).min(deadline);
            let stored =
                rules::stored::split(&Paper(paper.clone())).map_err(|e| anyhow::anyhow!(e))?;
            store::store_contents(conn, &stored.contents)?;
            let id: i64 = diesel::insert_into(attempts::table)
                .values((
                    attempts::exam_id.eq(exam.id),
                    attempts::doctor_id.eq(doctor),
                    attempts::attempt_no.eq(1),
                    attempts::seed.eq(format!("{seed:016x}")),
                    attempts::started_at.eq(started),
                    attempts::deadline.eq(deadline),
                    attempts::status.eq(AttemptStatus::Submitted),
                    attempts::submitted_at.eq(Some(submitted)),
                    attempts::submitted_by.eq(Some(SubmittedBy::Candidate)),
                    attempts::score.eq(Some(graded.score)),
                    attempts::max_score.eq(graded.max_score),
                    attempts::passed.eq(Some(rules::passed(graded.score, exam.pass_score))),
                    attempts::paper.eq(&stored.refs),
                ))
                .returning(attempts::id)
                .get_result(conn)?;
            let saved: Vec<_> = answers
                .iter()
                .map(|(q, a)| {
                    (
                        attempt_answers::attempt_id.eq(id),
                        attempt_answers::question_id.eq(q.clone()),
                        attempt_answers::answer.eq(a.clone()),
                        attempt_answers::saved_at.eq(submitted),
                    )
                })
                .collect();
            crate::per_backend!(conn, |c| diesel::insert_into(attempt_answers::table)
                .values(&saved)
                .execute(c))?;
            let items: Vec<_> = graded
                .items
                .iter()
                .map(|g| {
                    (
                        attempt_items::attempt_id.eq(id),
                        attempt_items::position.eq(g.position as i32),
                        attempt_items::question_id.eq(g.question_id.clone()),
                        attempt_items::answer.eq(g.answer.clone()),
                        attempt_items::points.eq(g.points),
                        attempt_items::max_points.eq(g.max_points),
                    )
                })
                .collect();
            crate::per_backend!(conn, |c| diesel::insert_into(attempt_items::table)
                .values(&items)
                .execute(c))?;
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let (u, v): (f64, f64) = (rng.random_range(1e-9..1.0), rng.random());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// A simulated answer: right with a probability rising with ability; otherwise a wrong
/// option; now and then none.
fn answer(item: &PaperItem, ability: f64, rng: &mut StdRng) -> Option<String> {
    if rng.random::<f64>() < 0.03 {
        return None;
    }
    let difficulty = match item.qtype {
        QType::TF => -1.0,
        QType::X => 0.8,
        QType::A3 | QType::A4 | QType::B1 => 0.2,
        _ => 0.0,
    } + (item.question_id.bytes().map(u32::from).sum::<u32>() % 7) as f64 * 0.25
        - 0.75;
    let p = 1.0 / (1.0 + (-1.7 * (ability - difficulty)).exp());
    if rng.random::<f64>() < p {
        return Some(item.answer.clone());
    }
    let wrong: Vec<&str> = item
        .options
        .iter()
        .map(|o| o.key.as_str())
        .filter(|k| !item.answer.contains(k))
        .collect();
    if item.qtype == QType::X {
        // A partial pick: one right letter and maybe a wrong one.
        let mut pick = item.answer[..1].to_owned();
        if rng.random::<bool>()
            && let Some(w) = wrong.first()
        {
            pick.push_str(w);
        }
        let mut letters: Vec<char> = pick.chars().collect();
        letters.sort_unstable();
        return Some(letters.into_iter().collect());
    }
    wrong
        .get(rng.random_range(0..wrong.len().max(1)))
        .map(|w| (*w).to_owned())
}
