//! Tests of progress against the program.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::study::RecordStatus;
use crate::study::rules::ledger::{Entry, ledger};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
}

fn entry(kind: StudyKind, minutes: i32, d: u32, status: RecordStatus) -> Entry {
    Entry {
        kind,
        minutes,
        occurred_on: day(d),
        interval: None,
        status,
        course_id: None,
        unit_score: None,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

fn requirements() -> Requirements {
    crate::program::rules::preset("zaozhuang-2024")
        .unwrap()
        .policy
        .requirements
}

fn deadlines() -> Deadlines {
    crate::program::rules::preset("zaozhuang-2024")
        .unwrap()
        .policy
        .deadlines
}

#[test]
fn progress_against_158_60_60_and_the_makeup_window() {
    let entries = [
        entry(StudyKind::Online, 9480, 1, RecordStatus::Approved),
        entry(StudyKind::Centralized, 600, 2, RecordStatus::Approved),
    ];
    let mut entries = entries.to_vec();
    // 9480 minutes cannot fit one day: spread them.
    entries[0].minutes = 840;
    for d in 4..=9 {
        entries.push(entry(StudyKind::Online, 1440, d, RecordStatus::Approved));
    }
    let l = ledger(&entries, &HashMap::new());
    let p = progress(&requirements(), &deadlines(), 2024..=2026, &l, today());
    assert_eq!(p.online.hours.credited_minutes, 9480);
    assert!(p.online.hours.met);
    assert_eq!(p.online.completion_rate, 1.0);
    assert_eq!(p.centralized.credited_minutes, 600);
    assert_eq!(p.completion.status, HoursStatus::InProgress);
    assert_eq!(p.completion.missing_minutes["centralized"], 3000);
    assert_eq!(p.completion.missing_minutes["shadowing"], 3600);
    assert_eq!(p.annual.len(), 3);
    assert_eq!(p.annual[1].online_minutes, 9480);

    let after = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let late = progress(&requirements(), &deadlines(), 2024..=2026, &l, after);
    assert_eq!(late.completion.status, HoursStatus::MakeupStudy);
    assert_eq!(
        late.completion.makeup_deadline,
        NaiveDate::from_ymd_opt(2027, 2, 28),
        "11-30 + 3 months"
    );
    assert!(late.completion.behind_schedule);
}

#[test]
fn behind_schedule_follows_the_calendar() {
    let end = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let half = elapsed_share(2024, end, NaiveDate::from_ymd_opt(2025, 6, 15).unwrap());
    assert!((0.45..0.55).contains(&half), "{half}");
    assert!(behind(9480, 3000, half));
    assert!(!behind(9480, 6000, half));
    assert!(!behind(9480, 0, 0.0));
}

#[test]
fn the_table_share_counts_each_requirement_up_to_what_it_asks() {
    let entries = vec![
        entry(StudyKind::Online, 1440, 1, RecordStatus::Approved),
        entry(StudyKind::Online, 1440, 2, RecordStatus::Approved),
        entry(StudyKind::Centralized, 600, 3, RecordStatus::Pending),
    ];
    let l = ledger(&entries, &HashMap::new());
    let p = progress(&requirements(), &deadlines(), 2024..=2026, &l, today());
    let required = f64::from(9480 + 3600 + 3600);
    assert!(
        (p.share() - 2880.0 / required).abs() < 1e-9,
        "{}",
        p.share()
    );
    assert_eq!(p.pending_minutes(), 600);
    let mut r = requirements();
    r.online_minutes = 60;
    r.centralized_minutes = 0;
    r.shadowing_minutes = 0;
    let met = progress(&r, &deadlines(), 2024..=2026, &l, today());
    assert_eq!(met.share(), 1.0, "surplus online time is not counted twice");
    assert_eq!(met.completion.status, HoursStatus::HoursMet);
    assert!(!met.completion.behind_schedule);
}
