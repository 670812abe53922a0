//! Pure rules of programs, by sub-domain: the presets shipped, checking a definition
//! (the policy), quotas and the centralized share, the deadline calendar.

mod deadlines;
mod policy;
mod presets;
mod quota;

pub use deadlines::{Due, DueKind, calendar, parse_month_day};
pub use policy::{changes, check_definition, check_policy, definition_from_body, may_manage};
pub use presets::{DispatchTargets, PRESETS, dispatch_targets, preset, preset_keys};
pub use quota::{Enrolled, QuotaLine, quota_table, quota_use, share_met};
