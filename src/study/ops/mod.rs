//! The ledger's use cases, shared by the API and the pages: usually one database hop
//! that reads facts (with the caller's access checked), asks `rules`, and writes
//! through `store` — credited minutes only through [`credit::credit`].

pub mod accounts;
pub mod check;
pub mod credit;
pub mod drill;
pub mod import;
pub mod mine;
pub mod progress;
pub mod queue;
pub mod records;
pub mod share;
