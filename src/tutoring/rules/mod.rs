//! Tutoring's pure rules: forming groups, evaluation months, and the checks of what a
//! county or an instructor sends.

pub mod checks;
pub mod month;
pub mod proposal;

pub use checks::{
    NewActivity, NewEvaluation, NewGroup, NewMember, NewTeam, check_activity, check_evaluation,
    check_group, check_team, text,
};
pub use month::Month;
pub use proposal::{AgeBand, Candidate, Criterion, Proposed, age_band, propose};

/// The largest group a county may form (学习小组 are small by design).
pub const MAX_GROUP_SIZE: i64 = 50;
