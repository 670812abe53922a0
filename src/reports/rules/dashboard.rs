//! The city dashboard's judgements: where each county stands on each filing, and the
//! funding basis per district — places, enrolled, completed, failed or not finished →
//! the next year's deduction (Zaozhuang annex 2 §六(二): 对因培训考核不合格等原因未完成培训计划的，在下年度拨付经费时予以核减).

use chrono::NaiveDate;
use serde::Serialize;

use super::super::ReportStatus;

crate::text_enum! {
    /// A county's standing on one filing.
    pub enum FilingState {
        /// Not due yet, not submitted.
        Pending = "pending" / "未到期",
        /// Due date passed without a submission.
        Missing = "missing" / "逾期未报",
        Submitted = "submitted" / "已报送待审",
        Returned = "returned" / "已退回",
        Accepted = "accepted" / "已通过",
    }
}

/// Where a county stands on a filing due on `due`, given what it has filed, today.
pub fn filing_state(due: NaiveDate, filed: Option<ReportStatus>, today: NaiveDate) -> FilingState {
    match filed {
        Some(ReportStatus::Submitted) => FilingState::Submitted,
        Some(ReportStatus::Accepted) => FilingState::Accepted,
        Some(ReportStatus::Returned) => FilingState::Returned,
        Some(ReportStatus::Draft) | None if today > due => FilingState::Missing,
        Some(ReportStatus::Draft) | None => FilingState::Pending,
    }
}

/// One trainee of a district's cohort, for the funding basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trainee {
    /// Still in post.
    pub active: bool,
    /// Sat a completion or make-up exam.
    pub sat: bool,
    /// Passed one.
    pub passed: bool,
}

/// Places against outcomes for a district and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Funding {
    pub places: i64,
    pub enrolled: i64,
    pub completed: i64,
    pub failed: i64,
    pub not_finished: i64,
    /// failed + not finished: places deducted next year (核减).
    pub deductions: i64,
}

/// The funding basis: every enrolled trainee who passed completed; one who sat and never
/// passed failed; one who did not sit and left the post — or any, once the training
/// ended — did not finish. Failed and not finished reduce next year's places.
pub fn funding(places: i64, trainees: &[Trainee], training_ended: bool) -> Funding {
    let completed = trainees.iter().filter(|t| t.passed).count() as i64;
    let failed = trainees.iter().filter(|t| t.sat && !t.passed).count() as i64;
    let not_finished = trainees
        .iter()
        .filter(|t| !t.sat && !t.passed && (!t.active || training_ended))
        .count() as i64;
    Funding {
        places,
        enrolled: trainees.len() as i64,
        completed,
        failed,
        not_finished,
        deductions: failed + not_finished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    #[test]
    fn states_follow_the_due_date() {
        assert_eq!(filing_state(d(3, 30), None, d(3, 30)), FilingState::Pending);
        assert_eq!(filing_state(d(3, 30), None, d(3, 31)), FilingState::Missing);
        assert_eq!(
            filing_state(d(3, 30), Some(ReportStatus::Draft), d(4, 1)),
            FilingState::Missing
        );
        assert_eq!(
            filing_state(d(3, 30), Some(ReportStatus::Returned), d(3, 1)),
            FilingState::Returned
        );
        assert_eq!(
            filing_state(d(3, 30), Some(ReportStatus::Accepted), d(5, 1)),
            FilingState::Accepted
        );
    }

    #[test]
    fn deductions_count_failures_and_dropouts() {
        let t = |active, sat, passed| Trainee {
            active,
            sat,
            passed,
        };
        let cohort = [
            t(true, true, true),
            t(true, true, false),
            t(false, false, false),
            t(true, false, false),
        ];
        let f = funding(5, &cohort, false);
        assert_eq!(
            (
                f.enrolled,
                f.completed,
                f.failed,
                f.not_finished,
                f.deductions
            ),
            (4, 1, 1, 1, 2)
        );
        assert_eq!(funding(5, &cohort, true).deductions, 3);
    }

    proptest! {
        /// Every trainee is counted at most once among completed, failed, not finished.
        #[test]
        fn outcomes_partition(ts in proptest::collection::vec((any::<bool>(), any::<bool>()), 0..50), ended in any::<bool>()) {
            let cohort: Vec<Trainee> = ts.iter().map(|(a, s)| Trainee { active: *a, sat: *s, passed: false }).collect();
            let f = funding(0, &cohort, ended);
            prop_assert!(f.completed + f.failed + f.not_finished <= f.enrolled);
            prop_assert_eq!(f.deductions, f.failed + f.not_finished);
        }
    }
}
