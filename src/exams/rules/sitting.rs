//! Sitting an exam (参加考试): who may sit, when, how many times, until when — the start
//! decided by one pure function of the facts and `now` — where a doctor stands with an
//! exam, and when the key may be shown.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::exams::{AttemptSummary, Exam, ExamKind, ExamStatus, Points};

/// What sitting decisions read of an exam.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamTerms {
    pub status: ExamStatus,
    pub kind: ExamKind,
    pub program_id: i64,
    /// The path of the region the exam is set for.
    pub region_path: String,
    pub cohort_year: Option<i32>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub attempts_allowed: i32,
}

/// The attempt's deadline: start + duration, never past the window's close (API.md: the
/// server's deadline, whatever the client's clock).
pub fn deadline(
    started_at: NaiveDateTime,
    duration_minutes: i32,
    closes_at: NaiveDateTime,
) -> NaiveDateTime {
    (started_at + Duration::minutes(i64::from(duration_minutes))).min(closes_at)
}

/// Where `now` falls in an exam's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Upcoming,
    Open,
    Closed,
}

/// The window: open from `opens_at` (inclusive) until `closes_at` (exclusive).
pub fn window(opens_at: NaiveDateTime, closes_at: NaiveDateTime, now: NaiveDateTime) -> Window {
    if now < opens_at {
        Window::Upcoming
    } else if now >= closes_at {
        Window::Closed
    } else {
        Window::Open
    }
}

/// What eligibility looks at, about the candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub program_id: i64,
    pub region_path: String,
    pub cohort_year: i32,
    pub active: bool,
    /// The program's required hours are credited (the ledger).
    pub hours_met: bool,
    /// Passed the completion exam a make-up exam makes up for.
    pub passed_original: bool,
}

/// Why a doctor may not sit (403, with this message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    OtherProgram,
    OutsideRegion,
    OtherCohort,
    NotActive,
    HoursNotMet,
    AlreadyPassed,
}

impl Ineligible {
    /// What the doctor is told (403).
    pub fn message(self) -> &'static str {
        match self {
            Ineligible::OtherProgram => "本考试不属于您参加的培训项目",
            Ineligible::OutsideRegion => "本考试不面向您所在的地区",
            Ineligible::OtherCohort => "本考试不面向您的培训年度",
            Ineligible::NotActive => "您已不在岗，不能参加考试",
            Ineligible::HoursNotMet => {
                "学时未达到要求（线上、集中培训和跟班学习），暂不能参加结业考核；请先完成补修"
            }
            Ineligible::AlreadyPassed => "您已通过结业考核，无需补考",
        }
    }
}

/// Who may sit: a doctor of the exam's program, in its region's subtree and cohort, in
/// post; the completion exam and its make-up only with the required hours; the make-up
/// only without a pass of the original (Zaozhuang annex 2 §5).
pub fn eligibility(exam: &ExamTerms, c: &Candidate) -> Result<(), Ineligible> {
    if c.program_id != exam.program_id {
        return Err(Ineligible::OtherProgram);
    }
    if !c.region_path.starts_with(&exam.region_path) {
        return Err(Ineligible::OutsideRegion);
    }
    if exam.cohort_year.is_some_and(|y| y != c.cohort_year) {
        return Err(Ineligible::OtherCohort);
    }
    if !c.active {
        return Err(Ineligible::NotActive);
    }
    match exam.kind {
        ExamKind::Completion | ExamKind::Makeup if !c.hours_met => Err(Ineligible::HoursNotMet),
        ExamKind::Makeup if c.passed_original => Err(Ineligible::AlreadyPassed),
        _ => Ok(()),
    }
}

/// Where a doctor's attempts at one exam leave the next start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// An attempt is open before its deadline: the same attempt again (a reload, a
    /// second device, a double tap).
    Resume { attempt_id: i64 },
    /// Every allowed attempt is used.
    Exhausted { used: i32 },
    /// A new attempt may be drawn, numbered `attempt_no`; `overdue` is an attempt still
    /// open past its deadline, to be graded first.
    Next {
        attempt_no: i32,
        overdue: Option<i64>,
    },
}

/// The allowance: `allowed` attempts per doctor; an open attempt past its deadline counts
/// as used (it is graded before anything else happens).
pub fn allowance(mine: &[AttemptSummary], allowed: i32, now: NaiveDateTime) -> Allowance {
    let open = mine.iter().find(|a| a.is_open());
    if let Some(open) = open.filter(|a| a.deadline > now) {
        return Allowance::Resume {
            attempt_id: open.id,
        };
    }
    let used = mine.len() as i32;
    if used >= allowed {
        Allowance::Exhausted { used }
    } else {
        Allowance::Next {
            attempt_no: used + 1,
            overdue: open.map(|a| a.id),
        }
    }
}

/// Everything a start is decided on, read in one database hop.
#[derive(Debug, Clone)]
pub struct StartFacts {
    pub exam: ExamTerms,
    pub candidate: Candidate,
    /// The doctor's attempts at this exam, in order.
    pub mine: Vec<AttemptSummary>,
}

/// What to do about a start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartDecision {
    /// Give back the attempt already open.
    Resume { attempt_id: i64 },
    /// Draw a new paper: attempt `attempt_no`, due at `deadline`. `grade_first`: an
    /// attempt is still open past its deadline, and the write grades it first.
    Draw {
        attempt_no: i32,
        deadline: NaiveDateTime,
        grade_first: bool,
    },
}

/// Why a start is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartRefusal {
    /// The exam was withdrawn (404: it no longer exists for doctors).
    Withdrawn,
    /// Before the window (409).
    NotYetOpen,
    /// After the window (409).
    Closed,
    /// Every allowed attempt is used (409).
    Exhausted { allowed: i32 },
    /// Not for this doctor (403).
    Ineligible(Ineligible),
}

impl StartRefusal {
    /// What the doctor is told.
    pub fn message(self) -> String {
        match self {
            StartRefusal::Withdrawn => "考试已撤回".into(),
            StartRefusal::NotYetOpen => "考试尚未开始".into(),
            StartRefusal::Closed => "考试已结束".into(),
            StartRefusal::Exhausted { allowed } => {
                format!("您已用完本考试的 {allowed} 次作答机会")
            }
            StartRefusal::Ineligible(why) => why.message().into(),
        }
    }
}

/// The start decision, in the order a candidate meets the rules: a withdrawn exam
/// cannot be sat; an open attempt is resumed (whatever else changed); outside the window
/// nothing starts; the allowance; then eligibility. A new attempt is due at
/// [`deadline`] from `now`.
pub fn decide_start(facts: &StartFacts, now: NaiveDateTime) -> Result<StartDecision, StartRefusal> {
    let exam = &facts.exam;
    if exam.status == ExamStatus::Withdrawn {
        return Err(StartRefusal::Withdrawn);
    }
    let next = match allowance(&facts.mine, exam.attempts_allowed, now) {
        Allowance::Resume { attempt_id } => return Ok(StartDecision::Resume { attempt_id }),
        Allowance::Exhausted { .. } => None,
        Allowance::Next {
            attempt_no,
            overdue,
        } => Some((attempt_no, overdue.is_some())),
    };
    match window(exam.opens_at, exam.closes_at, now) {
        Window::Upcoming => return Err(StartRefusal::NotYetOpen),
        Window::Closed => return Err(StartRefusal::Closed),
        Window::Open => {}
    }
    let Some((attempt_no, grade_first)) = next else {
        return Err(StartRefusal::Exhausted {
            allowed: exam.attempts_allowed,
        });
    };
    eligibility(exam, &facts.candidate).map_err(StartRefusal::Ineligible)?;
    Ok(StartDecision::Draw {
        attempt_no,
        deadline: deadline(now, exam.duration_minutes, exam.closes_at),
        grade_first,
    })
}

crate::text_enum! {
    /// Where a doctor stands with one exam.
    pub enum StandingStatus {
        Upcoming = "upcoming" / "未开始",
        Open = "open" / "可参加",
        InProgress = "in_progress" / "答题中",
        Submitted = "submitted" / "已交卷",
        Closed = "closed" / "已结束",
    }
}

/// A doctor's standing with one exam (the `my` of the exam list).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub status: StandingStatus,
    pub attempts_used: i32,
    pub attempts_left: i32,
    pub open_attempt_id: Option<i64>,
    pub best_score: Option<Points>,
    pub passed: Option<bool>,
    pub last_attempt_id: Option<i64>,
}

/// The standing, from the doctor's attempts (at any exam; this exam's count): answering
/// while one is open before its deadline; otherwise by the window; done (`submitted`)
/// once passed or out of attempts.
pub fn standing(exam: &Exam, mine: &[AttemptSummary], now: NaiveDateTime) -> Standing {
    let mine: Vec<&AttemptSummary> = mine.iter().filter(|a| a.exam_id == exam.id).collect();
    let open = mine.iter().find(|a| a.is_open() && a.deadline > now);
    let used = mine.len() as i32;
    let best = mine.iter().filter_map(|a| a.score).max();
    let passed = mine.iter().any(|a| a.passed == Some(true));
    let status = if open.is_some() {
        StandingStatus::InProgress
    } else {
        match window(exam.opens_at, exam.closes_at, now) {
            Window::Upcoming => StandingStatus::Upcoming,
            Window::Closed => StandingStatus::Closed,
            Window::Open if used >= exam.attempts_allowed || passed => StandingStatus::Submitted,
            Window::Open => StandingStatus::Open,
        }
    };
    Standing {
        status,
        attempts_used: used,
        attempts_left: (exam.attempts_allowed - used).max(0),
        open_attempt_id: open.map(|a| a.id),
        best_score: best,
        passed: mine.iter().any(|a| a.passed.is_some()).then_some(passed),
        last_attempt_id: mine.last().map(|a| a.id),
    }
}

/// May the candidate see the key and explanations of a submitted attempt? Once no
/// attempt is left to use it on, the window has closed, or the attempt passed.
pub fn review_open(
    attempts_allowed: i32,
    closes_at: NaiveDateTime,
    attempt: &AttemptSummary,
    attempts_used: i32,
    now: NaiveDateTime,
) -> bool {
    !attempt.is_open()
        && (attempts_used >= attempts_allowed || now >= closes_at || attempt.passed == Some(true))
}

#[cfg(test)]
#[path = "sitting_tests.rs"]
mod tests;
