//! Queries on sessions and their attendance (credited through `crate::study::credit`).

pub mod attendance;
pub mod sessions;

pub use sessions::{Located, get, secret};
