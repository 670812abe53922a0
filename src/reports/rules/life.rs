//! The life cycle of a filing: draft → submitted → accepted | returned → submitted …;
//! accepted is final (Zaozhuang annex 2 §六: the city receives the county's filings).

use super::super::ReportStatus;

/// A step someone takes on a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The county files it (again, if returned).
    Submit,
    /// The city accepts it.
    Accept,
    /// The city returns it with a comment.
    Return,
}

/// Where a move leads, or `None` when it is not allowed from `from` — only draft or
/// returned filings are submitted; only submitted ones are reviewed; accepted is final.
pub fn next(from: ReportStatus, step: Move) -> Option<ReportStatus> {
    use ReportStatus::*;
    match (from, step) {
        (Draft | Returned, Move::Submit) => Some(Submitted),
        (Submitted, Move::Accept) => Some(Accepted),
        (Submitted, Move::Return) => Some(Returned),
        _ => None,
    }
}

/// A filing the county may still edit: a draft, or one the city returned.
pub fn editable(status: ReportStatus) -> bool {
    matches!(status, ReportStatus::Draft | ReportStatus::Returned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportStatus::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_allowed_moves() {
        assert_eq!(next(Draft, Move::Submit), Some(Submitted));
        assert_eq!(next(Returned, Move::Submit), Some(Submitted));
        assert_eq!(next(Submitted, Move::Accept), Some(Accepted));
        assert_eq!(next(Submitted, Move::Return), Some(Returned));
        assert_eq!(next(Draft, Move::Accept), None);
        assert_eq!(next(Submitted, Move::Submit), None);
        assert_eq!(next(Returned, Move::Accept), None);
        for m in [Move::Submit, Move::Accept, Move::Return] {
            assert_eq!(next(Accepted, m), None);
        }
        assert!(editable(Draft) && editable(Returned));
        assert!(!editable(Submitted) && !editable(Accepted));
    }

    fn a_move() -> impl Strategy<Value = Move> {
        prop_oneof![Just(Move::Submit), Just(Move::Accept), Just(Move::Return)]
    }

    proptest! {
        /// Whatever is tried, an accepted filing stays accepted, and a filing is only
        /// ever accepted or returned straight after a submission.
        #[test]
        fn accepted_is_final(moves in proptest::collection::vec(a_move(), 0..30)) {
            let mut status = Draft;
            for m in moves {
                let before = status;
                if let Some(to) = next(status, m) {
                    if matches!(to, Accepted | Returned) {
                        prop_assert_eq!(before, Submitted);
                    }
                    status = to;
                }
                if before == Accepted {
                    prop_assert_eq!(status, Accepted);
                }
            }
        }
    }
}
