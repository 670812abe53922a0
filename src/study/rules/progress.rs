//! Progress against the program (学时进度): the one computation behind the doctor's
//! progress, the county table and its export, and exams' eligibility. No I/O, no
//! clock: `today` is passed in.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::ledger::Ledger;
use crate::program::{Deadlines, Requirements};
use crate::study::StudyKind;

crate::text_enum! {
    /// Where a doctor stands on hours (学时).
    pub enum HoursStatus {
        InProgress = "in_progress" / "学习中",
        HoursMet = "hours_met" / "学时已达标",
        /// The program ended short of hours.
        MakeupStudy = "makeup_study" / "学时未达标，需补修",
    }
}

/// Hours of one kind: required, credited, awaiting review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindProgress {
    pub required_minutes: i32,
    pub credited_minutes: i32,
    pub pending_minutes: i32,
    /// credited ≥ required.
    pub met: bool,
}

/// Online study adds what the ongoing assessment uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnlineProgress {
    #[serde(flatten)]
    pub hours: KindProgress,
    /// credited / required, 0–1.
    pub completion_rate: f64,
    pub active_days: usize,
    /// Mean platform unit score (points), when any.
    pub average_unit_score: Option<f64>,
}

/// Several kinds that count together (Weifang).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CombinedProgress {
    pub kinds: Vec<StudyKind>,
    pub required_minutes: i32,
    pub credited_minutes: i32,
    pub met: bool,
}

/// One training year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearProgress {
    pub year: i32,
    pub online_minutes: i32,
    pub centralized_minutes: i32,
    pub shadowing_minutes: i32,
    pub tutoring_minutes: i32,
    pub skills_practice_minutes: i32,
    /// The annual assessment result, once the exams record one.
    pub assessment: Option<AnnualAssessment>,
}

/// The best submitted attempt at a training year's annual exam.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualAssessment {
    pub exam_id: i64,
    pub title: String,
    pub score: crate::points::Points,
    pub max_score: crate::points::Points,
    pub passed: bool,
}

/// Where the doctor stands on completion (结业).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completion {
    pub status: HoursStatus,
    pub hours_met: bool,
    /// Minutes still missing, by kind (and `combined`).
    pub missing_minutes: BTreeMap<&'static str, i32>,
    /// Behind the pace the program's calendar implies.
    pub behind_schedule: bool,
    /// The last day of the program's training.
    pub program_ends_on: Option<NaiveDate>,
    /// For `makeup_study`: make-up study and exam within this date.
    pub makeup_deadline: Option<NaiveDate>,
}

/// A doctor's progress (API.md `GET /api/v1/doctors/{id}/progress`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub online: OnlineProgress,
    pub centralized: KindProgress,
    pub shadowing: KindProgress,
    pub tutoring: KindProgress,
    pub skills_practice: KindProgress,
    pub combined: Option<CombinedProgress>,
    pub annual: Vec<YearProgress>,
    pub completion: Completion,
}

/// The last day of training: `training_done` (MM-DD) of the program's last year.
pub fn program_end(deadlines: &Deadlines, end_year: i32) -> Option<NaiveDate> {
    deadlines.training_done.in_year(end_year)
}

/// Share of the program's training period elapsed by `today`, 0–1.
pub fn elapsed_share(start_year: i32, end: NaiveDate, today: NaiveDate) -> f64 {
    let start = NaiveDate::from_ymd_opt(start_year, 1, 1).unwrap_or(end);
    let total = (end - start).num_days().max(1) as f64;
    ((today - start).num_days() as f64 / total).clamp(0.0, 1.0)
}

/// Behind schedule: some requirement's credited minutes fall short of what the elapsed
/// share of the period calls for.
pub fn behind(required: i32, credited: i32, share: f64) -> bool {
    f64::from(credited) + 1e-9 < f64::from(required) * share
}

fn kind(required: i32, credited: i32, pending: i32) -> KindProgress {
    KindProgress {
        required_minutes: required,
        credited_minutes: credited,
        pending_minutes: pending,
        met: credited >= required,
    }
}

/// Progress against the program — the 158/60/60 hours (Zaozhuang annex 2 §四) or
/// Weifang's combined 60 — and, once the program has ended short of hours, the make-up
/// window (Weifang 五(三): 3 个月内安排补修和补考).
pub fn progress(
    req: &Requirements,
    deadlines: &Deadlines,
    years: RangeInclusive<i32>,
    ledger: &Ledger,
    today: NaiveDate,
) -> Progress {
    let credited = |k| ledger.credited(k);
    let pending = |k| ledger.pending.get(&k).copied().unwrap_or(0);
    let online_hours = kind(
        req.online_minutes,
        credited(StudyKind::Online),
        pending(StudyKind::Online),
    );
    let completion_rate = if req.online_minutes > 0 {
        (f64::from(online_hours.credited_minutes) / f64::from(req.online_minutes)).min(1.0)
    } else {
        1.0
    };
    let (score_sum, score_n) = ledger.unit_scores;
    let online = OnlineProgress {
        completion_rate: (completion_rate * 1000.0).round() / 1000.0,
        active_days: ledger.online_days,
        // Mean in tenths, rounded, shown in points with one decimal.
        average_unit_score: (score_n > 0)
            .then(|| (score_sum as f64 / score_n as f64).round() / 10.0),
        hours: online_hours,
    };
    let centralized = kind(
        req.centralized_minutes,
        credited(StudyKind::Centralized),
        pending(StudyKind::Centralized),
    );
    let shadowing = kind(
        req.shadowing_minutes,
        credited(StudyKind::Shadowing),
        pending(StudyKind::Shadowing),
    );
    let tutoring = kind(
        0,
        credited(StudyKind::Tutoring),
        pending(StudyKind::Tutoring),
    );
    let skills_practice = kind(
        0,
        credited(StudyKind::SkillsPractice),
        pending(StudyKind::SkillsPractice),
    );
    let combined = req.combined.as_ref().map(|c| {
        let got: i32 = c.kinds.iter().map(|k| credited(*k)).sum();
        CombinedProgress {
            kinds: c.kinds.clone(),
            required_minutes: c.minutes,
            credited_minutes: got,
            met: got >= c.minutes,
        }
    });
    let mut missing = BTreeMap::new();
    for (name, p) in [
        ("online", &online.hours),
        ("centralized", &centralized),
        ("shadowing", &shadowing),
    ] {
        if !p.met {
            missing.insert(name, p.required_minutes - p.credited_minutes);
        }
    }
    if let Some(c) = &combined
        && !c.met
    {
        missing.insert("combined", c.required_minutes - c.credited_minutes);
    }
    let hours_met = missing.is_empty();
    let ends = program_end(deadlines, *years.end());
    let share = ends.map_or(0.0, |end| elapsed_share(*years.start(), end, today));
    let mut behind_schedule = [&online.hours, &centralized, &shadowing]
        .iter()
        .any(|p| behind(p.required_minutes, p.credited_minutes, share));
    if let Some(c) = &combined {
        behind_schedule |= behind(c.required_minutes, c.credited_minutes, share);
    }
    let ended = ends.is_some_and(|e| today > e);
    let (status, makeup_deadline) = match (hours_met, ended) {
        (true, _) => (HoursStatus::HoursMet, None),
        (false, true) => (
            HoursStatus::MakeupStudy,
            ends.and_then(|e| {
                e.checked_add_months(Months::new(req.makeup_window_months.max(0).unsigned_abs()))
            }),
        ),
        (false, false) => (HoursStatus::InProgress, None),
    };
    let annual = years
        .map(|year| {
            let k = ledger.by_year.get(&year);
            let get = |kind| k.and_then(|m| m.get(&kind)).copied().unwrap_or(0);
            YearProgress {
                year,
                online_minutes: get(StudyKind::Online),
                centralized_minutes: get(StudyKind::Centralized),
                shadowing_minutes: get(StudyKind::Shadowing),
                tutoring_minutes: get(StudyKind::Tutoring),
                skills_practice_minutes: get(StudyKind::SkillsPractice),
                assessment: None,
            }
        })
        .collect();
    Progress {
        online,
        centralized,
        shadowing,
        tutoring,
        skills_practice,
        combined,
        annual,
        completion: Completion {
            status,
            hours_met,
            missing_minutes: missing,
            behind_schedule: behind_schedule && !hours_met,
            program_ends_on: ends,
            makeup_deadline,
        },
    }
}

impl Progress {
    /// Minutes awaiting review, all kinds together.
    pub fn pending_minutes(&self) -> i32 {
        [
            &self.online.hours,
            &self.centralized,
            &self.shadowing,
            &self.tutoring,
            &self.skills_practice,
        ]
        .iter()
        .map(|k| k.pending_minutes)
        .sum()
    }

    /// Credited share of all required hours, 0–1 (each requirement counted up to what it
    /// asks: surplus in one kind never makes up for another).
    pub fn share(&self) -> f64 {
        let mut needs = vec![
            (
                self.online.hours.required_minutes,
                self.online.hours.credited_minutes,
            ),
            (
                self.centralized.required_minutes,
                self.centralized.credited_minutes,
            ),
            (
                self.shadowing.required_minutes,
                self.shadowing.credited_minutes,
            ),
        ];
        if let Some(c) = &self.combined {
            needs.push((c.required_minutes, c.credited_minutes));
        }
        let required: i64 = needs.iter().map(|(r, _)| i64::from(*r)).sum();
        let credited: i64 = needs.iter().map(|(r, c)| i64::from(*c.min(r))).sum();
        if required > 0 {
            credited as f64 / required as f64
        } else {
            1.0
        }
    }
}

#[cfg(test)]
#[path = "progress_tests.rs"]
mod tests;
