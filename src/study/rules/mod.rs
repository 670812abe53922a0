//! Pure rules of the ledger, by sub-domain: the ledger's invariants, progress against
//! the program, the platform import's row checks, the centralized-share arithmetic, and
//! who records and reviews what. No I/O, no clock.

pub mod import;
pub mod ledger;
pub mod progress;
pub mod queue;
pub mod records;
pub mod share;
pub mod standing;

pub use ledger::{Book, DAY_MINUTES, Entry, Ledger, Refusal, Terms, check_new, ledger};
pub use progress::{
    AnnualAssessment, Completion, HoursStatus, KindProgress, Progress, behind, elapsed_share,
    program_end, progress,
};
