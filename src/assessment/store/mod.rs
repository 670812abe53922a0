//! The assessment's queries: annual attempts, completions, certificates, and the facts
//! they are computed from (doctors in a region, exam results).

pub mod annual;
pub mod certificates;
pub mod completions;
pub mod facts;
