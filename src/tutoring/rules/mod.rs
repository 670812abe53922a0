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

/// Days a 公示 notice stays posted (公示期).
pub const POSTING_DAYS: i64 = 7;

/// The posting period of a notice printed on `today`: today and the next six days.
pub fn posting_period(today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (today, today + chrono::Duration::days(POSTING_DAYS - 1))
}
