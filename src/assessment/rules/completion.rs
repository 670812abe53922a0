//! 结业 (Weifang plan 五(三)): completion is the theory exam passed AND the skills exam
//! passed AND the hours met; otherwise make-up study and a make-up exam within the
//! window (3 months from the end of training), then `failed`. The status only moves
//! along the allowed paths.

use chrono::{Months, NaiveDate};

use crate::assessment::CompletionStatus;

/// Where a doctor stands on completion, as facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletionFacts {
    pub hours_met: bool,
    /// The completion (or make-up) theory exam: `None` not sat, else passed or not.
    pub theory: Option<bool>,
    /// The completion (or make-up) skills exam, the same way.
    pub skills: Option<bool>,
    /// The last day of training (11-30 of the program's last year).
    pub training_ends: Option<NaiveDate>,
    /// The end of the make-up window.
    pub makeup_deadline: Option<NaiveDate>,
}

/// The make-up deadline: `months` after the end of training (Weifang 五(三): 3个月内
/// 安排补修和补考; the program's `makeup_window_months`).
pub fn makeup_deadline(training_ends: NaiveDate, months: i32) -> Option<NaiveDate> {
    training_ends.checked_add_months(Months::new(months.max(0).unsigned_abs()))
}

/// The allowed moves: in_progress → eligible → passed | makeup; makeup → passed |
/// failed. A doctor whose training ends short of hours goes from in_progress straight
/// to makeup (没有达到规定学时…安排补修). `passed` and `failed` are final.
pub fn allowed(from: CompletionStatus, to: CompletionStatus) -> bool {
    use CompletionStatus::*;
    matches!(
        (from, to),
        (InProgress, Eligible)
            | (InProgress, Makeup)
            | (Eligible, Passed)
            | (Eligible, Makeup)
            | (Makeup, Passed)
            | (Makeup, Failed)
    )
}

/// What the facts call for on `today` (before the path is considered): everything
/// passed → passed; a failed half, or the training over short of what it takes →
/// make-up until the deadline, failed after it; otherwise eligible once the hours are
/// met, else in progress.
pub fn target(f: &CompletionFacts, today: NaiveDate) -> CompletionStatus {
    use CompletionStatus::*;
    if f.hours_met && f.theory == Some(true) && f.skills == Some(true) {
        return Passed;
    }
    let ended = f.training_ends.is_some_and(|e| today > e);
    let window_over = f.makeup_deadline.is_some_and(|d| today > d);
    let failed_half = f.theory == Some(false) || f.skills == Some(false);
    if ended && window_over {
        return Failed;
    }
    if failed_half || (ended && !f.hours_met) {
        return Makeup;
    }
    if f.hours_met { Eligible } else { InProgress }
}

/// The next status from `current` toward `to`: directly when allowed, through
/// `eligible` or `makeup` when one step leads there, else no move.
pub fn advance(current: CompletionStatus, to: CompletionStatus) -> CompletionStatus {
    use CompletionStatus::*;
    if current == to || allowed(current, to) {
        return to;
    }
    for via in [Eligible, Makeup] {
        if allowed(current, via) && allowed(via, to) {
            return to;
        }
    }
    current
}

/// Which half a make-up exam covers (补考 covers only the failed half).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakeupNeed {
    /// Short of hours: make-up study (补修).
    Study,
    /// The theory half failed.
    TheoryExam,
    /// The skills half failed.
    SkillsExam,
}

/// What a doctor in make-up still has to do.
pub fn makeup_needs(f: &CompletionFacts) -> Vec<MakeupNeed> {
    let mut out = Vec::new();
    if !f.hours_met {
        out.push(MakeupNeed::Study);
    }
    if f.theory == Some(false) {
        out.push(MakeupNeed::TheoryExam);
    }
    if f.skills == Some(false) {
        out.push(MakeupNeed::SkillsExam);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompletionStatus::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn facts(hours: bool, theory: Option<bool>, skills: Option<bool>) -> CompletionFacts {
        CompletionFacts {
            hours_met: hours,
            theory,
            skills,
            training_ends: Some(ymd(2026, 11, 30)),
            makeup_deadline: makeup_deadline(ymd(2026, 11, 30), 3),
        }
    }

    #[test]
    fn the_window_is_three_months_from_11_30() {
        assert_eq!(
            makeup_deadline(ymd(2026, 11, 30), 3),
            Some(ymd(2027, 2, 28))
        );
        assert_eq!(
            makeup_deadline(ymd(2027, 11, 30), 3),
            Some(ymd(2028, 2, 29))
        );
        assert_eq!(
            makeup_deadline(ymd(2026, 11, 30), 0),
            Some(ymd(2026, 11, 30))
        );
    }

    #[test]
    fn only_the_allowed_transitions() {
        let all = CompletionStatus::ALL;
        let mut ok = Vec::new();
        for from in all {
            for to in all {
                if allowed(*from, *to) {
                    ok.push((from.as_str(), to.as_str()));
                }
            }
        }
        assert_eq!(
            ok,
            [
                ("in_progress", "eligible"),
                ("in_progress", "makeup"),
                ("eligible", "passed"),
                ("eligible", "makeup"),
                ("makeup", "passed"),
                ("makeup", "failed"),
            ]
        );
        // Final states stay; make-up never goes back to eligible.
        assert_eq!(advance(Passed, Makeup), Passed);
        assert_eq!(advance(Failed, Passed), Failed);
        assert_eq!(advance(Makeup, Eligible), Makeup);
        assert_eq!(advance(Passed, InProgress), Passed);
        // Two steps along the path are taken at once.
        assert_eq!(advance(InProgress, Passed), Passed);
        assert_eq!(advance(InProgress, Failed), Failed);
        assert_eq!(advance(Eligible, Failed), Failed);
    }

    #[test]
    fn completion_takes_theory_skills_and_hours() {
        let before = ymd(2026, 11, 1);
        assert_eq!(target(&facts(true, Some(true), Some(true)), before), Passed);
        assert_eq!(
            target(&facts(false, Some(true), Some(true)), before),
            InProgress
        );
        assert_eq!(target(&facts(true, None, None), before), Eligible);
        assert_eq!(
            target(&facts(true, Some(true), Some(false)), before),
            Makeup
        );
        let after = ymd(2026, 12, 1);
        assert_eq!(target(&facts(false, None, None), after), Makeup);
        assert_eq!(target(&facts(true, None, None), after), Eligible);
        assert_eq!(
            target(&facts(true, Some(false), None), ymd(2027, 2, 28)),
            Makeup
        );
        assert_eq!(
            target(&facts(true, Some(false), None), ymd(2027, 3, 1)),
            Failed
        );
        assert_eq!(
            target(&facts(true, Some(true), Some(true)), ymd(2027, 3, 1)),
            Passed
        );
    }

    #[test]
    fn make_up_covers_only_what_failed() {
        assert_eq!(
            makeup_needs(&facts(true, Some(true), Some(false))),
            [MakeupNeed::SkillsExam]
        );
        assert_eq!(
            makeup_needs(&facts(false, Some(false), Some(true))),
            [MakeupNeed::Study, MakeupNeed::TheoryExam]
        );
    }
}
