use proptest::prelude::*;

use super::*;
use crate::exams::AttemptStatus;
use crate::exams::rules::testkit::at;

fn terms(kind: ExamKind) -> ExamTerms {
    ExamTerms {
        status: ExamStatus::Active,
        kind,
        program_id: 1,
        region_path: "/37/3704/370402/".into(),
        cohort_year: None,
        opens_at: at(9, 0),
        closes_at: at(12, 0),
        duration_minutes: 90,
        attempts_allowed: 2,
    }
}

fn candidate() -> Candidate {
    Candidate {
        program_id: 1,
        region_path: "/37/3704/370402/370402001/".into(),
        cohort_year: 2024,
        active: true,
        hours_met: true,
        passed_original: false,
    }
}

fn attempt(id: i64, open: bool, deadline: NaiveDateTime, passed: Option<bool>) -> AttemptSummary {
    AttemptSummary {
        exam_id: 7,
        id,
        attempt_no: id as i32,
        status: if open {
            AttemptStatus::InProgress
        } else {
            AttemptStatus::Submitted
        },
        score: passed.map(|p| Points::whole(if p { 9 } else { 3 })),
        passed,
        deadline,
    }
}

fn facts(mine: Vec<AttemptSummary>) -> StartFacts {
    StartFacts {
        exam: terms(ExamKind::Unit),
        candidate: candidate(),
        mine,
    }
}

#[test]
fn the_deadline_never_passes_the_window() {
    assert_eq!(deadline(at(9, 0), 90, at(12, 0)), at(10, 30));
    assert_eq!(deadline(at(11, 0), 90, at(12, 0)), at(12, 0));
}

#[test]
fn the_window_opens_inclusive_and_closes_exclusive() {
    assert_eq!(window(at(9, 0), at(10, 0), at(8, 59)), Window::Upcoming);
    assert_eq!(window(at(9, 0), at(10, 0), at(10, 0)), Window::Closed);
    assert_eq!(window(at(9, 0), at(10, 0), at(9, 0)), Window::Open);
}

#[test]
fn eligibility_rules() {
    let exam = terms(ExamKind::Completion);
    let c = candidate();
    assert_eq!(eligibility(&exam, &c), Ok(()));
    let with = |f: &dyn Fn(&mut Candidate)| {
        let mut c = c.clone();
        f(&mut c);
        eligibility(&exam, &c)
    };
    assert_eq!(with(&|c| c.hours_met = false), Err(Ineligible::HoursNotMet));
    assert_eq!(
        with(&|c| c.region_path = "/37/3704/370403/".into()),
        Err(Ineligible::OutsideRegion)
    );
    assert_eq!(with(&|c| c.program_id = 2), Err(Ineligible::OtherProgram));
    assert_eq!(with(&|c| c.active = false), Err(Ineligible::NotActive));
    let unit = ExamTerms {
        kind: ExamKind::Unit,
        cohort_year: Some(2025),
        ..exam.clone()
    };
    let no_hours = Candidate {
        hours_met: false,
        ..c.clone()
    };
    assert_eq!(eligibility(&unit, &no_hours), Err(Ineligible::OtherCohort));
    let unit = ExamTerms {
        cohort_year: None,
        ..unit
    };
    assert_eq!(eligibility(&unit, &no_hours), Ok(()), "units need no hours");
    let makeup = ExamTerms {
        kind: ExamKind::Makeup,
        ..exam
    };
    let passed = Candidate {
        passed_original: true,
        ..c.clone()
    };
    assert_eq!(
        eligibility(&makeup, &passed),
        Err(Ineligible::AlreadyPassed)
    );
    assert_eq!(eligibility(&makeup, &c), Ok(()));
}

#[test]
fn a_first_start_draws_a_paper_due_at_the_earlier_of_duration_and_close() {
    assert_eq!(
        decide_start(&facts(vec![]), at(9, 30)),
        Ok(StartDecision::Draw {
            attempt_no: 1,
            deadline: at(11, 0),
            grade_first: false,
        })
    );
    assert_eq!(
        decide_start(&facts(vec![]), at(11, 0)),
        Ok(StartDecision::Draw {
            attempt_no: 1,
            deadline: at(12, 0),
            grade_first: false,
        })
    );
}

#[test]
fn an_open_attempt_is_resumed_even_when_nothing_new_could_start() {
    let open = attempt(4, true, at(12, 0), None);
    let mut f = facts(vec![attempt(3, false, at(10, 0), Some(false)), open]);
    f.candidate.active = false;
    assert_eq!(
        decide_start(&f, at(11, 0)),
        Ok(StartDecision::Resume { attempt_id: 4 })
    );
}

#[test]
fn starts_are_refused_outside_the_window_the_allowance_and_eligibility() {
    assert_eq!(
        decide_start(&facts(vec![]), at(8, 0)),
        Err(StartRefusal::NotYetOpen)
    );
    assert_eq!(
        decide_start(&facts(vec![]), at(12, 0)),
        Err(StartRefusal::Closed)
    );
    let two = vec![
        attempt(1, false, at(9, 30), Some(false)),
        attempt(2, false, at(10, 0), Some(false)),
    ];
    assert_eq!(
        decide_start(&facts(two), at(10, 30)),
        Err(StartRefusal::Exhausted { allowed: 2 })
    );
    // An attempt open past its deadline is used: graded first, and counted.
    let overdue = vec![
        attempt(1, false, at(9, 30), Some(false)),
        attempt(2, true, at(10, 0), None),
    ];
    assert_eq!(
        decide_start(&facts(overdue.clone()), at(10, 30)),
        Err(StartRefusal::Exhausted { allowed: 2 })
    );
    assert_eq!(
        allowance(&overdue[1..], 2, at(10, 30)),
        Allowance::Next {
            attempt_no: 2,
            overdue: Some(2)
        }
    );
    let mut f = facts(vec![]);
    f.candidate.program_id = 9;
    assert_eq!(
        decide_start(&f, at(10, 0)),
        Err(StartRefusal::Ineligible(Ineligible::OtherProgram))
    );
    let mut f = facts(vec![]);
    f.exam.status = ExamStatus::Withdrawn;
    assert_eq!(decide_start(&f, at(10, 0)), Err(StartRefusal::Withdrawn));
}

#[test]
fn standing_follows_the_attempts_and_the_window() {
    let exam = crate::exams::rules::testkit::exam(7, at(9, 0), at(12, 0), 2);
    let s = standing(&exam, &[], at(8, 0));
    assert_eq!(
        (s.status, s.attempts_left, s.passed),
        (StandingStatus::Upcoming, 2, None)
    );
    assert_eq!(standing(&exam, &[], at(9, 0)).status, StandingStatus::Open);
    let open = [attempt(1, true, at(10, 30), None)];
    let s = standing(&exam, &open, at(10, 0));
    assert_eq!(
        (s.status, s.open_attempt_id),
        (StandingStatus::InProgress, Some(1))
    );
    let failed = [attempt(1, false, at(10, 30), Some(false))];
    let s = standing(&exam, &failed, at(11, 0));
    assert_eq!(
        (s.status, s.best_score, s.passed, s.last_attempt_id),
        (
            StandingStatus::Open,
            Some(Points::whole(3)),
            Some(false),
            Some(1)
        )
    );
    let passed = [attempt(1, false, at(10, 30), Some(true))];
    assert_eq!(
        standing(&exam, &passed, at(11, 0)).status,
        StandingStatus::Submitted
    );
    assert_eq!(
        standing(&exam, &passed, at(12, 0)).status,
        StandingStatus::Closed
    );
}

#[test]
fn the_key_is_shown_once_it_can_no_longer_help() {
    let failed = attempt(1, false, at(10, 30), Some(false));
    assert!(
        !review_open(2, at(12, 0), &failed, 1, at(11, 0)),
        "one attempt left"
    );
    assert!(
        review_open(2, at(12, 0), &failed, 2, at(11, 0)),
        "none left"
    );
    assert!(
        review_open(2, at(12, 0), &failed, 1, at(12, 0)),
        "window closed"
    );
    let passed = attempt(1, false, at(10, 30), Some(true));
    assert!(review_open(2, at(12, 0), &passed, 1, at(11, 0)), "passed");
    let open = attempt(1, true, at(10, 30), None);
    assert!(
        !review_open(1, at(12, 0), &open, 1, at(12, 30)),
        "still open"
    );
}

proptest! {
    /// Whatever the moment and the attempts so far, a new attempt is never due after
    /// the window closes, never numbered past the allowance, and never drawn while one
    /// is open before its deadline.
    #[test]
    fn a_start_never_breaks_the_window_or_the_allowance(
        minute in 0i64..300,
        done in 0usize..3,
        open_until in proptest::option::of(0i64..300),
    ) {
        let now = at(8, 0) + Duration::minutes(minute);
        let mut mine: Vec<AttemptSummary> = (0..done)
            .map(|i| attempt(i as i64 + 1, false, at(9, 0), Some(false)))
            .collect();
        if let Some(m) = open_until {
            mine.push(attempt(9, true, at(8, 0) + Duration::minutes(m), None));
        }
        let has_live = mine.iter().any(|a| a.is_open() && a.deadline > now);
        match decide_start(&facts(mine.clone()), now) {
            Ok(StartDecision::Draw { attempt_no, deadline, grade_first }) => {
                prop_assert!(!has_live);
                prop_assert_eq!(grade_first, mine.iter().any(|a| a.is_open()));
                prop_assert!(attempt_no <= 2 && attempt_no as usize == mine.len() + 1);
                prop_assert!(deadline <= at(12, 0) && deadline > now);
                prop_assert!(now >= at(9, 0));
            }
            Ok(StartDecision::Resume { attempt_id }) => {
                prop_assert!(has_live);
                prop_assert_eq!(attempt_id, 9);
            }
            Err(_) => prop_assert!(!has_live),
        }
    }
}
