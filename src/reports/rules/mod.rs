//! Filings' pure rules: due dates and lateness, the life cycle, the annual plan's checks
//! and the statistics. No I/O, no clock.

pub mod activity;
pub mod dashboard;
pub mod due;
pub mod life;
pub mod plan;
pub mod stats;

pub use due::{due_on, is_late, period};
pub use life::{Move, editable, next};
