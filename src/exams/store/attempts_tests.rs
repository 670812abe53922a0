use super::*;

#[test]
fn a_batch_reads_back_in_queue_order() {
    let rows = [
        (1, "ok", true),
        (2, "submitted", false),
        (3, "past_deadline", false),
        (4, "missing", false),
        (5, "ok", true),
    ];
    let outcomes = batch_outcomes(5, rows.into_iter()).unwrap();
    assert_eq!(
        outcomes,
        vec![
            Ok(()),
            Err(SaveRefused::Submitted),
            Err(SaveRefused::PastDeadline),
            Err(SaveRefused::Missing),
            Ok(()),
        ]
    );
    assert_eq!(batch_outcomes(0, std::iter::empty()).unwrap(), vec![]);
}

#[test]
fn an_accepted_save_not_written_is_an_error_not_an_acknowledgement() {
    assert!(batch_outcomes(2, [(1, "ok", true), (2, "ok", false)].into_iter()).is_err());
}

#[test]
fn missing_extra_or_shuffled_rows_are_errors() {
    assert!(batch_outcomes(2, [(1, "ok", true)].into_iter()).is_err());
    assert!(batch_outcomes(1, [(1, "ok", true), (2, "ok", true)].into_iter()).is_err());
    assert!(batch_outcomes(2, [(2, "ok", true), (1, "ok", true)].into_iter()).is_err());
    assert!(batch_outcomes(2, [(1, "ok", true), (1, "ok", true)].into_iter()).is_err());
    assert!(batch_outcomes(1, [(1, "maybe", true)].into_iter()).is_err());
}
