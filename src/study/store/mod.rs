//! Queries on the ledger, by table family: records (reading, review, evidence), the
//! credit path's set-based reads and writes, progress aggregates, the share counts,
//! platform accounts. SQLite write transactions begin `IMMEDIATE` (`crate::db::write`).

pub mod accounts;
pub mod credit;
pub mod progress;
pub mod records;
pub mod share;
pub mod standing;
pub mod table;
pub mod tally;
pub mod totals;

pub use progress::course_minutes;
pub use records::entries_of;
pub use totals::ledger_of;
