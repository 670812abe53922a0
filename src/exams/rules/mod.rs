//! The exam's rules, pure (no database, no HTTP, no clock: `now` is passed in):
//! blueprints and the draw, grading, sitting (with the start decision), setting and
//! correcting exams, and item analysis with Moodle's definitions (API.md).

pub mod analysis;
pub mod blueprint;
pub mod draw;
pub mod grading;
pub mod pick;
pub mod setting;
pub mod sitting;
pub mod stored;
#[cfg(test)]
mod testkit;

pub use analysis::{
    Analysis, ItemStats, ReliabilityBasis, Response, ResponseItem, TestStats, analyze,
};
pub use blueprint::parse_blueprint;
pub use draw::{Shortage, draw};
pub use grading::{Graded, GradedItem, grade, grade_paper, normalize, normalize_answer, passed};
pub use pick::subset_with_sum;
pub use setting::{
    ExamSpec, ManageRefusal, Viewer, check_exam, check_withdraw, close_now, exam_visible,
    makeup_limit, may_manage,
};
pub use sitting::{
    Allowance, Candidate, ExamTerms, Ineligible, Standing, StandingStatus, StartDecision,
    StartFacts, StartRefusal, allowance, deadline, decide_start, eligibility, review_open,
    standing,
};
