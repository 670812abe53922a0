//! The centralized-training share (集中培训覆盖面): each year at least a share of a
//! district's doctors in post attend centralized or shadowing training (Zaozhuang annex
//! 2 §四(二): ≥ 1/3 each year). It counts people, not hours.

use crate::program::Share;

/// Learners a district needs: ⌈doctors × share⌉ (Zaozhuang annex 2 §四(二)).
pub fn required(doctors: i64, share: Share) -> i64 {
    let den = i64::from(share.denominator.max(1));
    (doctors * i64::from(share.numerator) + den - 1) / den
}

/// Whether `learners` of `doctors` meet the share (Zaozhuang annex 2 §四(二)).
pub fn met(learners: i64, doctors: i64, share: Share) -> bool {
    crate::program::rules::share_met(learners, doctors, share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const THIRD: Share = Share {
        numerator: 1,
        denominator: 3,
    };

    #[test]
    fn a_third_rounds_up_to_whole_people() {
        assert_eq!(required(2, THIRD), 1);
        assert_eq!(required(3, THIRD), 1);
        assert_eq!(required(4, THIRD), 2);
        assert_eq!(required(0, THIRD), 0);
        assert!(met(1, 2, THIRD));
        assert!(!met(0, 2, THIRD));
    }

    proptest! {
        /// Exactly the required number of learners meets the share, one fewer does not.
        #[test]
        fn required_is_the_least_that_meets(doctors in 0i64..100_000, num in 0i32..5, extra in 1i32..5) {
            let share = Share { numerator: num, denominator: num + extra };
            let n = required(doctors, share);
            prop_assert!(met(n, doctors, share));
            if n > 0 {
                prop_assert!(!met(n - 1, doctors, share));
            }
        }
    }
}
