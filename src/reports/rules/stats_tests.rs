use super::*;
use crate::reports::rules::activity::AnnualFacts;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn kinds(pairs: &[(StudyKind, i64)]) -> BTreeMap<StudyKind, i64> {
    pairs.iter().copied().collect()
}

fn doctor(
    id: i64,
    active: bool,
    period: &[(StudyKind, i64)],
    to_date: &[(StudyKind, i64)],
) -> DoctorFacts {
    DoctorFacts {
        id,
        name: format!("学员{id}"),
        active,
        in_period: kinds(period),
        year_to_date: kinds(period),
        to_date: kinds(to_date),
    }
}

fn attempt(
    doctor_id: i64,
    exam_id: i64,
    kind: ExamKind,
    on: NaiveDate,
    passed: bool,
) -> AttemptFacts {
    AttemptFacts {
        doctor_id,
        exam_id,
        exam_title: format!("考试{exam_id}"),
        kind,
        exam_year: 2025,
        submitted_on: on,
        score: Some(Points::whole(if passed { 80 } else { 40 })),
        max_score: Points::whole(100),
        passed: Some(passed),
    }
}

/// Q1 2025 of a three-year program (2024-01-01 … 2026-11-30): by 2025-03-31 about 43%
/// of the period has passed.
fn fixture() -> StatsInput {
    use StudyKind::*;
    StatsInput {
        year: 2025,
        period: (d(2025, 1, 1), d(2025, 3, 31)),
        as_of: d(2025, 3, 31),
        online_required: 9480,
        centralized_required: 3600,
        shadowing_required: 3600,
        share: Share {
            numerator: 1,
            denominator: 3,
        },
        program_start_year: 2024,
        program_end: Some(d(2026, 11, 30)),
        quota_places: 100,
        with_scores: true,
        doctors: vec![
            // on pace: well ahead on every kind
            doctor(
                1,
                true,
                &[(Online, 600), (Centralized, 90)],
                &[(Online, 9480), (Centralized, 3600), (Shadowing, 3600)],
            ),
            // behind: nothing to date
            doctor(2, true, &[(Shadowing, 480)], &[(Shadowing, 480)]),
            // behind, online only
            doctor(3, true, &[(Online, 120)], &[(Online, 120)]),
            // left the post: not enrolled, its minutes still count
            doctor(4, false, &[(Online, 60)], &[(Online, 60)]),
        ],
        sessions: vec![
            SessionFacts {
                id: 10,
                title: "高血压".into(),
                held_on: d(2025, 2, 1),
                attendees: 2,
            },
            SessionFacts {
                id: 11,
                title: "糖尿病".into(),
                held_on: d(2025, 3, 1),
                attendees: 1,
            },
        ],
        placements: vec![
            PlacementFacts {
                id: 20,
                doctor_id: 2,
                doctor_name: "学员2".into(),
                rotations: 2,
                signed_off: 2,
            },
            PlacementFacts {
                id: 21,
                doctor_id: 3,
                doctor_name: "学员3".into(),
                rotations: 2,
                signed_off: 1,
            },
            PlacementFacts {
                id: 22,
                doctor_id: 1,
                doctor_name: "学员1".into(),
                rotations: 0,
                signed_off: 0,
            },
        ],
        attempts: vec![
            attempt(1, 30, ExamKind::Annual, d(2025, 3, 10), true),
            attempt(2, 30, ExamKind::Annual, d(2025, 3, 10), false),
            // a second attempt at the same exam is one sitting
            attempt(2, 30, ExamKind::Annual, d(2025, 3, 11), true),
            attempt(3, 31, ExamKind::Makeup, d(2025, 3, 20), false),
            // outside the period
            attempt(3, 32, ExamKind::Unit, d(2025, 4, 2), true),
        ],
        activity: ActivityFacts {
            annual: vec![
                annual(1, 1, 50, false, d(2025, 2, 1)),
                // the re-assessment, confirmed later, is the one that counts
                annual(1, 2, 75, true, d(2025, 3, 1)),
                // confirmed after the period: not yet
                annual(2, 1, 90, true, d(2025, 4, 2)),
            ],
            ..ActivityFacts::default()
        },
    }
}

fn annual(doctor_id: i64, attempt: i32, score: i32, passed: bool, on: NaiveDate) -> AnnualFacts {
    AnnualFacts {
        doctor_id,
        year: 2025,
        attempt,
        ongoing: Points::whole(70),
        exam: Some(Points::whole(score)),
        score: Points::whole(score),
        passed,
        confirmed_on: on,
    }
}

#[test]
fn figures_equal_the_hand_count() {
    let s = compute(&fixture());
    let v = |k: &str| s.value(k).unwrap();
    assert_eq!(v("doctors_enrolled"), 3);
    assert_eq!(v("quota_places"), 100);
    assert_eq!(v("online_minutes"), 600 + 120 + 60);
    assert_eq!(v("centralized_minutes"), 90);
    assert_eq!(v("shadowing_minutes"), 480);
    assert_eq!(v("tutoring_minutes"), 0);
    assert_eq!(v("doctors_on_pace"), 1);
    assert_eq!(v("centralized_learners"), 2);
    let share = s
        .figures
        .iter()
        .find(|f| f.key == "centralized_learners")
        .unwrap();
    assert_eq!((share.target, share.met), (Some(1), Some(true)));
    assert_eq!(v("sessions_held"), 2);
    assert_eq!(v("session_attendance"), 3);
    assert_eq!(v("placements"), 3);
    assert_eq!(v("placements_signed_off"), 1);
    assert_eq!(v("exam_sittings"), 3);
    assert_eq!(v("exam_passes"), 2);
    assert_eq!(v("makeup_sittings"), 1);
    let scores = s.scores.clone().unwrap();
    assert_eq!(scores.len(), 3);
    assert_eq!(
        (scores[0].score, scores[0].passed, scores[0].attempt),
        (Some(Points::whole(75)), Some(true), Some(2)),
        "the latest confirmed attempt counts, not the exam attempts"
    );
    assert_eq!(scores[0].ongoing, Some(Points::whole(70)));
    assert_eq!(scores[1].score, None, "confirmed after the period");
    assert_eq!(scores[2].score, None);
    assert_eq!(v("annual_assessed"), 1);
    assert_eq!(v("annual_passed"), 1);
}

#[test]
fn rows_explain_each_figure() {
    let input = fixture();
    let on_pace = rows(&input, "doctors_on_pace").unwrap();
    assert_eq!(on_pace.iter().map(|r| r.id).collect::<Vec<_>>(), [1]);
    let online = rows(&input, "online_minutes").unwrap();
    assert_eq!(
        online.iter().map(|r| (r.id, r.value)).collect::<Vec<_>>(),
        [(1, 600), (3, 120), (4, 60)]
    );
    assert!(rows(&input, "nonsense").is_none());
    let linked = compute(&input).with_links("/api/v1/reports/7/figures");
    assert_eq!(
        linked.figures[0].link,
        "/api/v1/reports/7/figures/doctors_enrolled"
    );
}

fn any_doctor() -> impl Strategy<Value = DoctorFacts> {
    (
        1i64..1000,
        any::<bool>(),
        0i64..5000,
        0i64..5000,
        0i64..10_000,
    )
        .prop_map(|(id, active, on, ce, total)| DoctorFacts {
            id,
            name: String::new(),
            active,
            in_period: kinds(&[(StudyKind::Online, on), (StudyKind::Centralized, ce)]),
            year_to_date: kinds(&[(StudyKind::Centralized, ce)]),
            to_date: kinds(&[(StudyKind::Online, total)]),
        })
}

proptest! {
    /// Minutes figures are sums of the period's minutes; headcounts never exceed the
    /// enrolled doctors; the share's target is ⌈enrolled / 3⌉.
    #[test]
    fn figures_are_consistent(doctors in proptest::collection::vec(any_doctor(), 0..30)) {
        let mut input = fixture();
        input.doctors = doctors;
        let s = compute(&input);
        let v = |k: &str| s.value(k).unwrap();
        let online: i64 = input.doctors.iter().map(|d| minutes(&d.in_period, StudyKind::Online)).sum();
        prop_assert_eq!(v("online_minutes"), online);
        let enrolled = input.doctors.iter().filter(|d| d.active).count() as i64;
        prop_assert_eq!(v("doctors_enrolled"), enrolled);
        prop_assert!(v("doctors_on_pace") <= enrolled);
        prop_assert!(v("centralized_learners") <= enrolled);
        let share = s.figures.iter().find(|f| f.key == "centralized_learners").unwrap();
        prop_assert_eq!(share.target, Some((enrolled + 2) / 3));
    }
}
