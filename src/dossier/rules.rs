//! The dossier's pure rules: who sees the full ID number, and the totals it shows.

use std::collections::BTreeMap;

use crate::auth::Role;
use crate::study::StudyKind;

/// The full ID number is shown to county and city admins only (and their reading is
/// audited); everyone else — the doctor itself, its instructors, the province's system
/// administrator — sees it masked (ARCHITECTURE.md "Identity, access, privacy").
pub fn shows_full_id(role: Role) -> bool {
    Role::REVEALERS.contains(&role)
}

/// Credited minutes by kind, from `(kind, minutes)` of approved records.
pub fn minutes_by_kind(records: &[(StudyKind, i32)]) -> BTreeMap<StudyKind, i64> {
    let mut out = BTreeMap::new();
    for (kind, minutes) in records {
        *out.entry(*kind).or_insert(0) += i64::from(*minutes);
    }
    out
}

/// `done` of `total` as a whole percentage, 0–100 (nothing to do is complete).
pub fn percent(done: i32, total: i32) -> i64 {
    if total <= 0 {
        return 100;
    }
    (i64::from(done.clamp(0, total)) * 100) / i64::from(total)
}

/// A running bulk export with no dossier written for this long was interrupted (a restart,
/// a crash): one dossier takes well under a second, so ten minutes is no slow county.
pub const STALLED_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// What an interrupted export says when it is closed.
pub const STALLED_WHY: &str = "导出中断（服务重启或出错），请重新发起";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn progress_is_a_percentage() {
        assert_eq!(percent(0, 0), 100);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(3, 3), 100);
        assert_eq!(percent(5, 3), 100);
    }

    proptest! {
        #[test]
        fn progress_stays_in_range(done in -10i32..1000, total in -10i32..1000) {
            let p = percent(done, total);
            prop_assert!((0..=100).contains(&p));
        }
    }

    #[test]
    fn only_county_and_city_admins_see_the_full_id() {
        assert!(shows_full_id(Role::CountyAdmin));
        assert!(shows_full_id(Role::CityAdmin));
        for r in [Role::Doctor, Role::Instructor, Role::Sysadmin] {
            assert!(!shows_full_id(r));
        }
    }

    proptest! {
        /// The totals add up to the records' minutes.
        #[test]
        fn totals_add_up(minutes in proptest::collection::vec((0usize..4, 1i32..600), 0..50)) {
            let kinds = [StudyKind::Online, StudyKind::Centralized, StudyKind::Shadowing, StudyKind::Tutoring];
            let records: Vec<(StudyKind, i32)> = minutes.iter().map(|(k, m)| (kinds[*k], *m)).collect();
            let totals = minutes_by_kind(&records);
            let all: i64 = records.iter().map(|r| i64::from(r.1)).sum();
            prop_assert_eq!(totals.values().sum::<i64>(), all);
        }
    }
}
