//! Tests of the ledger invariants and the reference ledger.

use super::*;
use proptest::prelude::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
}

fn at(d: u32, h: u32) -> NaiveDateTime {
    day(d).and_hms_opt(h, 0, 0).unwrap()
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

#[test]
fn a_day_never_takes_more_than_twenty_four_hours() {
    let existing = [entry(StudyKind::Online, 1000, 1, RecordStatus::Approved)];
    let e = check_new(
        &entry(StudyKind::Online, 441, 1, RecordStatus::Pending),
        &existing,
        2024..=2026,
        today(),
    )
    .unwrap_err();
    assert_eq!(e.field, "minutes");
    assert!(
        check_new(
            &entry(StudyKind::Online, 440, 1, RecordStatus::Pending),
            &existing,
            2024..=2026,
            today()
        )
        .is_ok()
    );
    let rejected = [entry(StudyKind::Online, 1000, 1, RecordStatus::Rejected)];
    assert!(
        check_new(
            &entry(StudyKind::Online, 441, 1, RecordStatus::Pending),
            &rejected,
            2024..=2026,
            today()
        )
        .is_ok(),
        "rejected time is free"
    );
}

#[test]
fn overlapping_sessions_or_logs_are_refused_with_a_reason() {
    let mut morning = entry(StudyKind::Centralized, 180, 3, RecordStatus::Approved);
    morning.interval = Some((at(3, 1), at(3, 4)));
    let mut clash = entry(StudyKind::Shadowing, 120, 3, RecordStatus::Pending);
    clash.interval = Some((at(3, 3), at(3, 5)));
    let e = check_new(&clash, std::slice::from_ref(&morning), 2024..=2026, today()).unwrap_err();
    assert!(e.message.contains("重叠"), "{}", e.message);
    clash.interval = Some((at(3, 4), at(3, 6)));
    assert!(
        check_new(&clash, &[morning], 2024..=2026, today()).is_ok(),
        "back to back is fine"
    );
}

#[test]
fn records_outside_the_program_or_in_the_future_are_refused() {
    let mut old = entry(StudyKind::Online, 60, 1, RecordStatus::Pending);
    old.occurred_on = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    assert_eq!(
        check_new(&old, &[], 2024..=2026, today())
            .unwrap_err()
            .field,
        "occurred_on"
    );
    let future = entry(StudyKind::Online, 60, 1, RecordStatus::Pending);
    assert!(
        check_new(
            &future,
            &[],
            2024..=2026,
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        )
        .is_err()
    );
    assert!(
        check_new(
            &entry(StudyKind::Online, 0, 1, RecordStatus::Pending),
            &[],
            2024..=2026,
            today()
        )
        .is_err()
    );
}

#[test]
fn only_approved_time_is_credited_and_a_course_counts_once() {
    let mut a = entry(StudyKind::Online, 90, 1, RecordStatus::Approved);
    a.course_id = Some(7);
    let mut again = a.clone();
    again.occurred_on = day(2);
    let pending = entry(StudyKind::Centralized, 60, 3, RecordStatus::Pending);
    let caps = HashMap::from([(7, 120)]);
    let l = ledger(&[a, again, pending], &caps);
    assert_eq!(
        l.credited(StudyKind::Online),
        120,
        "course 7 is worth 120 minutes"
    );
    assert_eq!(l.credited(StudyKind::Centralized), 0);
    assert_eq!(l.pending[&StudyKind::Centralized], 60);
    assert_eq!(l.online_days, 2);
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    (
        prop::sample::select(StudyKind::ALL.to_vec()),
        1i32..600,
        1u32..=10,
        prop::sample::select(vec![
            RecordStatus::Approved,
            RecordStatus::Pending,
            RecordStatus::Rejected,
        ]),
        prop::option::of(1i64..4),
        prop::option::of(0i32..1000),
    )
        .prop_map(|(kind, minutes, d, status, course, score)| Entry {
            kind,
            minutes,
            occurred_on: day(d),
            interval: None,
            status,
            course_id: if kind == StudyKind::Online {
                course
            } else {
                None
            },
            unit_score: score.map(Points::tenths),
        })
}

proptest! {
    /// Credited time never exceeds the approved evidence, nor 24 h on any day.
    #[test]
    fn credited_never_exceeds_evidence(entries in prop::collection::vec(arb_entry(), 0..60)) {
        let caps = HashMap::from([(1, 120), (2, 45), (3, 600)]);
        let l = ledger(&entries, &caps);
        let evidence: i32 = entries.iter().filter(|e| e.status == RecordStatus::Approved).map(|e| e.minutes).sum();
        prop_assert!(l.total() <= evidence);
        for d in 1..=10 {
            let that_day: Vec<Entry> = entries.iter().filter(|e| e.occurred_on == day(d)).cloned().collect();
            prop_assert!(ledger(&that_day, &caps).total() <= DAY_MINUTES);
        }
        let by_day: i32 = l.by_year.values().flat_map(|k| k.values()).sum();
        prop_assert_eq!(by_day, l.total());
    }

    /// The order records arrive in never changes the totals.
    #[test]
    fn order_never_changes_the_totals(entries in prop::collection::vec(arb_entry(), 0..60), seed in any::<u64>()) {
        let caps = HashMap::from([(1, 120), (2, 45), (3, 600)]);
        let mut shuffled = entries.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(ledger(&entries, &caps), ledger(&shuffled, &caps));
    }

    /// Adding pending or rejected records never changes what is credited.
    #[test]
    fn unapproved_records_never_count(entries in prop::collection::vec(arb_entry(), 0..40), extra in prop::collection::vec(arb_entry(), 0..20)) {
        let caps = HashMap::new();
        let base = ledger(&entries, &caps);
        let mut more = entries.clone();
        more.extend(extra.into_iter().filter(|e| e.status != RecordStatus::Approved));
        prop_assert_eq!(base.by_year, ledger(&more, &caps).by_year);
    }

    /// A record the checks accept keeps every day at or under 24 hours.
    #[test]
    fn accepted_records_keep_days_within_24_hours(minutes in prop::collection::vec(1i32..900, 1..12)) {
        let mut kept: Vec<Entry> = Vec::new();
        for m in minutes {
            let e = entry(StudyKind::Online, m, 5, RecordStatus::Pending);
            if check_new(&e, &kept, 2024..=2026, today()).is_ok() {
                kept.push(e);
            }
        }
        prop_assert!(kept.iter().map(|e| e.minutes).sum::<i32>() <= DAY_MINUTES);
    }
}

fn terms() -> Terms {
    Terms {
        years: 2024..=2026,
        in_post: true,
        course_minutes: None,
        training_ends: None,
        makeup_until: None,
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The program 2024–2026 ends 2026-11-30; a doctor in make-up has until 2027-02-28.
fn ended(makeup_until: Option<NaiveDate>) -> Terms {
    Terms {
        training_ends: Some(ymd(2026, 11, 30)),
        makeup_until,
        ..terms()
    }
}

#[test]
fn make_up_study_runs_from_the_day_after_11_30_to_the_deadline() {
    let makeup = ended(Some(ymd(2027, 2, 28)));
    for ok in [
        ymd(2026, 11, 30),
        ymd(2026, 12, 1),
        ymd(2027, 1, 15),
        ymd(2027, 2, 28),
    ] {
        assert_eq!(check_period(ok, &makeup), Ok(()), "{ok}");
    }
    let late = check_period(ymd(2027, 3, 1), &makeup).unwrap_err();
    assert_eq!(late.field, "occurred_on");
    assert!(
        late.message.contains("2026-12-01") && late.message.contains("2027-02-28"),
        "names the window: {}",
        late.message
    );
    assert!(check_period(ymd(2023, 12, 31), &makeup).is_err());
}

#[test]
fn after_11_30_only_a_doctor_in_make_up_may_log_study() {
    let done = ended(None);
    assert_eq!(check_period(ymd(2026, 11, 30), &done), Ok(()));
    let e = check_period(ymd(2026, 12, 1), &done).unwrap_err();
    assert!(e.message.contains("2026-11-30"), "{}", e.message);
    assert!(check_period(ymd(2027, 1, 2), &done).is_err());
}

#[test]
fn the_window_is_judged_on_beijing_dates() {
    // 2027-02-28 23:30 in Beijing is 15:30 UTC on the same day; 2027-03-01 00:30 in
    // Beijing is still 2027-02-28 in UTC, and it is the Beijing date that counts.
    let makeup = ended(Some(ymd(2027, 2, 28)));
    let cst = |utc: NaiveDateTime| {
        chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(utc, chrono::Utc)
            .with_timezone(&crate::time::cst())
            .date_naive()
    };
    let last_evening = ymd(2027, 2, 28).and_hms_opt(15, 30, 0).unwrap();
    let after_midnight = ymd(2027, 2, 28).and_hms_opt(16, 30, 0).unwrap();
    assert_eq!(check_period(cst(last_evening), &makeup), Ok(()));
    assert!(check_period(cst(after_midnight), &makeup).is_err());
    // The book judges a record by its Beijing date with the same terms.
    let mut line = entry(StudyKind::Online, 60, 1, RecordStatus::Pending);
    line.occurred_on = cst(after_midnight);
    let today = ymd(2027, 3, 2);
    assert!(Book::default().check(1, &line, &makeup, today).is_err());
    line.occurred_on = cst(last_evening);
    assert!(Book::default().check(1, &line, &makeup, today).is_ok());
}

#[test]
fn a_batch_is_checked_line_by_line_against_itself() {
    let mut book = Book::default();
    let line = entry(StudyKind::Centralized, 800, 4, RecordStatus::Approved);
    assert!(book.check(7, &line, &terms(), today()).is_ok());
    book.take(7, &line);
    let e = book.check(7, &line, &terms(), today()).unwrap_err();
    assert_eq!(e.field, "minutes");
    assert!(
        e.message.contains("2025-03-04"),
        "names the day: {}",
        e.message
    );
    assert!(
        book.check(8, &line, &terms(), today()).is_ok(),
        "another doctor's day is its own"
    );
}

#[test]
fn an_overlap_names_the_clashing_record() {
    let mut book = Book::default();
    let mut morning = entry(StudyKind::Centralized, 180, 3, RecordStatus::Approved);
    morning.interval = Some((at(3, 1), at(3, 4)));
    book.hold(1, &morning, Some(42));
    let mut clash = entry(StudyKind::Shadowing, 120, 3, RecordStatus::Pending);
    clash.interval = Some((at(3, 3), at(3, 5)));
    let e = book.check(1, &clash, &terms(), today()).unwrap_err();
    assert_eq!(e.field, "starts_at");
    assert!(
        e.message.contains("记录 42") && e.message.contains("集中培训"),
        "{}",
        e.message
    );
    // An interval that crosses midnight clashes with the next day's record.
    let mut late = entry(StudyKind::Shadowing, 120, 2, RecordStatus::Pending);
    late.interval = Some((at(2, 23), at(3, 2)));
    assert!(book.check(1, &late, &terms(), today()).is_err());
}

#[test]
fn a_doctor_not_in_post_is_refused_as_a_conflict() {
    let line = entry(StudyKind::Online, 60, 1, RecordStatus::Pending);
    let left = Terms {
        in_post: false,
        ..terms()
    };
    let e = Book::default().check(1, &line, &left, today()).unwrap_err();
    assert!(e.conflict);
    assert_eq!(e.field, "doctor_id");
}

#[test]
fn an_approved_course_line_fits_the_course() {
    let mut book = Book::default();
    book.hold_course(1, 9, 100);
    let mut line = entry(StudyKind::Online, 30, 1, RecordStatus::Approved);
    line.course_id = Some(9);
    let capped = Terms {
        course_minutes: Some(120),
        ..terms()
    };
    let e = book.check(1, &line, &capped, today()).unwrap_err();
    assert_eq!((e.field, e.conflict), ("minutes", false));
    line.minutes = 20;
    assert!(book.check(1, &line, &capped, today()).is_ok());
    line.status = RecordStatus::Pending;
    line.minutes = 30;
    assert!(
        book.check(1, &line, &capped, today()).is_ok(),
        "pending time is capped when approved"
    );
    let approval = book.check_approval(1, &line, Some(120)).unwrap_err();
    assert!(approval.conflict, "approving past the course is a conflict");
    book.take_approval(1, &entry(StudyKind::Online, 1, 1, RecordStatus::Approved));
    assert_eq!(book.course_used(1, 9), 100);
}

proptest! {
    /// Whatever arrives, in whatever batch, a book that only takes what it accepts keeps
    /// every doctor-day within 24 hours.
    #[test]
    fn a_book_never_takes_a_day_past_24_hours(lines in prop::collection::vec((1i64..3, 1u32..4, 1i32..1500), 1..40)) {
        let mut book = Book::default();
        for (doctor, d, minutes) in lines {
            let e = entry(StudyKind::Online, minutes, d, RecordStatus::Approved);
            if book.check(doctor, &e, &terms(), today()).is_ok() {
                book.take(doctor, &e);
            }
        }
        for doctor in 1..3 {
            for d in 1..4 {
                prop_assert!(book.day(doctor, day(d)) <= DAY_MINUTES);
            }
        }
    }
}
