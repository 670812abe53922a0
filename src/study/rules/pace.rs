//! The program's pace as thresholds on totals: what lets the progress table filter
//! "behind schedule" in SQL with the same answer as [`super::progress`].

use std::ops::RangeInclusive;

use chrono::NaiveDate;

use super::progress::{behind, elapsed_share, program_end};
use crate::program::{Deadlines, Requirements};
use crate::study::StudyKind;

/// One requirement: the minutes it asks, and the fewest credited minutes that are not
/// behind the elapsed share of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub required: i32,
    pub on_pace: i32,
}

/// A program's needs on a day: each kind's requirement and, for Weifang, the combined one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pace {
    pub online: Need,
    pub centralized: Need,
    pub shadowing: Need,
    pub combined: Option<(Vec<StudyKind>, Need)>,
}

/// The fewest credited minutes for which [`behind`] is false — the same float comparison,
/// turned into an integer threshold (behind ⇔ credited < threshold) — schedule as in
/// Zaozhuang annex 2 §四.
pub fn on_pace(required: i32, share: f64) -> i32 {
    let mut c = (f64::from(required) * share)
        .ceil()
        .clamp(0.0, f64::from(i32::MAX)) as i32;
    while c > 0 && !behind(required, c - 1, share) {
        c -= 1;
    }
    while behind(required, c, share) {
        c += 1;
    }
    c
}

fn need(required: i32, share: f64) -> Need {
    Need {
        required,
        on_pace: on_pace(required, share),
    }
}

/// The program's needs on `today` (the elapsed share as [`super::progress`] computes it).
pub fn pace(
    req: &Requirements,
    deadlines: &Deadlines,
    years: RangeInclusive<i32>,
    today: NaiveDate,
) -> Pace {
    let share = program_end(deadlines, *years.end())
        .map_or(0.0, |end| elapsed_share(*years.start(), end, today));
    Pace {
        online: need(req.online_minutes, share),
        centralized: need(req.centralized_minutes, share),
        shadowing: need(req.shadowing_minutes, share),
        combined: req
            .combined
            .as_ref()
            .map(|c| (c.kinds.clone(), need(c.minutes, share))),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn nothing_required_or_nothing_elapsed_is_never_behind() {
        assert_eq!(on_pace(0, 0.7), 0);
        assert_eq!(on_pace(9480, 0.0), 0);
    }

    #[test]
    fn half_the_period_asks_half_the_minutes() {
        assert_eq!(on_pace(3600, 0.5), 1800);
        assert_eq!(on_pace(3601, 0.5), 1801);
        assert_eq!(on_pace(3600, 1.0), 3600);
    }

    proptest! {
        #[test]
        fn the_threshold_is_the_behind_rule(required in 0i32..20_000, share in 0.0f64..=1.0, credited in 0i32..25_000) {
            prop_assert_eq!(credited < on_pace(required, share), behind(required, credited, share));
        }
    }
}
