//! A doctor's standing on the program's pace, as the progress table stores it: the first
//! day behind schedule and the chart's fifth. Both follow from the per-doctor totals and
//! the program alone — the pace only rises with the date (the elapsed share of the period
//! never falls) — so they are computed once per ledger write, not per page view, and
//! "behind today" becomes the indexed predicate `behind_from <= today`.

use std::ops::RangeInclusive;

use chrono::{Days, NaiveDate};

use super::progress::{behind, elapsed_share, program_end};
use crate::program::{Deadlines, Requirements};
use crate::study::StudyKind;

/// A doctor's credited minutes by kind (the per-doctor totals; never negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Credited {
    pub online: i32,
    pub centralized: i32,
    pub shadowing: i32,
    pub tutoring: i32,
    pub skills_practice: i32,
}

impl Credited {
    fn of(&self, kind: StudyKind) -> i32 {
        match kind {
            StudyKind::Online => self.online,
            StudyKind::Centralized => self.centralized,
            StudyKind::Shadowing => self.shadowing,
            StudyKind::Tutoring => self.tutoring,
            StudyKind::SkillsPractice => self.skills_practice,
        }
    }
}

/// What the progress table keeps per doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The first day behind schedule with hours not met (`None`: never).
    pub behind_from: Option<NaiveDate>,
    /// The chart's fifth: 5 when hours are met, else ⌊5 × credited share⌋.
    pub bin: i32,
}

/// (required, credited) of each requirement [`super::progress`] checks: online,
/// centralized, shadowing and, for Weifang, the combined one.
fn needs(req: &Requirements, credited: &Credited) -> Vec<(i32, i32)> {
    let mut out = vec![
        (req.online_minutes, credited.online),
        (req.centralized_minutes, credited.centralized),
        (req.shadowing_minutes, credited.shadowing),
    ];
    if let Some(c) = &req.combined {
        out.push((c.minutes, c.kinds.iter().map(|k| credited.of(*k)).sum()));
    }
    out
}

/// The doctor's standing: `behind_from` is the first day on which
/// `Completion::behind_schedule` holds (it then holds every later day), the bin is
/// `Progress::share` in fifths (Zaozhuang annex 2 §四 schedule; Weifang's combined hours).
pub fn standing(
    req: &Requirements,
    deadlines: &Deadlines,
    years: RangeInclusive<i32>,
    credited: &Credited,
) -> Standing {
    let needs = needs(req, credited);
    let met = needs.iter().all(|(r, c)| c >= r);
    let required: i64 = needs.iter().map(|(r, _)| i64::from(*r)).sum();
    let capped: i64 = needs.iter().map(|(r, c)| i64::from(*c.min(r))).sum();
    let bin = if met {
        5
    } else if required > 0 {
        i32::try_from((5 * capped) / required).unwrap_or(0)
    } else {
        4
    };
    let behind_from = match program_end(deadlines, *years.end()) {
        Some(end) if !met => first_behind(*years.start(), end, &needs),
        _ => None,
    };
    Standing { behind_from, bin }
}

/// The first day some requirement is behind, by bisection: the share is 0 up to the
/// period's first day and 1 from the day after its end, and never falls in between.
fn first_behind(start_year: i32, end: NaiveDate, needs: &[(i32, i32)]) -> Option<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(start_year, 1, 1).unwrap_or(end);
    let on = |day: NaiveDate| {
        let share = elapsed_share(start_year, end, day);
        needs.iter().any(|(r, c)| behind(*r, *c, share))
    };
    let mut hi = end.max(start).checked_add_days(Days::new(1))?;
    if !on(hi) {
        return None;
    }
    // Credits are never negative: nothing is behind at share 0, before the start.
    let mut lo = start;
    if on(lo) {
        return Some(lo);
    }
    // Invariant: not behind on `lo`, behind on `hi`.
    while (hi - lo).num_days() > 1 {
        let mid = lo.checked_add_days(Days::new(
            u64::try_from((hi - lo).num_days() / 2).unwrap_or(1),
        ))?;
        if on(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

#[cfg(test)]
#[path = "standing_tests.rs"]
mod tests;
