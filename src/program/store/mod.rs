//! Queries on programs, their quotas and catalogs.

mod quota;
mod read;
mod write;

pub use quota::quota_use;
pub use read::{covering, get, list_visible, policy, region_of, visible_from};
pub use write::{insert, update};
