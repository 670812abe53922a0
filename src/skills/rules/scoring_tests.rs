//! Tests of `scoring`: sheets, 不适用, two examiners, exam pass and percentages.

use super::*;
use crate::skills::rules::tests::item;
use proptest::prelude::*;

fn marks<'a>(m: &'a [(&'a str, i32)]) -> Vec<Mark<'a>> {
    m.iter()
        .map(|(c, p)| Mark::given(c, Points::whole(*p)))
        .collect()
}

fn items() -> Vec<ItemDef> {
    vec![
        item("safety", 10, true),
        item("a", 50, false),
        item("b", 40, false),
    ]
}

#[test]
fn a_missed_critical_item_fails_whatever_the_points() {
    let s = score(
        &items(),
        Points::whole(60),
        &marks(&[("safety", 0), ("a", 50), ("b", 40)]),
    )
    .unwrap();
    assert_eq!(s.points, Points::whole(90));
    assert_eq!(s.missed_critical, vec!["safety".to_owned()]);
    assert!(!s.passed);
}

#[test]
fn enough_points_and_every_critical_item_pass() {
    let s = score(
        &items(),
        Points::whole(60),
        &marks(&[("safety", 5), ("a", 45)]),
    )
    .unwrap();
    assert_eq!(s.points, Points::whole(50));
    assert!(!s.passed, "50 < 60");
    let s = score(
        &items(),
        Points::whole(60),
        &marks(&[("safety", 5), ("a", 45), ("b", 10)]),
    )
    .unwrap();
    assert_eq!((s.points, s.passed), (Points::whole(60), true));
}

#[test]
fn unknown_codes_and_points_above_the_item_are_refused() {
    let e = score(
        &items(),
        Points::whole(60),
        &marks(&[("zzz", 1), ("a", 51), ("b", -1), ("b", 2), ("b", 3)]),
    )
    .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "items[0].code",
            "items[1].points",
            "items[2].points",
            "items[4].code"
        ]
    );
}

#[test]
fn unmarked_items_are_listed() {
    assert_eq!(unmarked(&items(), &marks(&[("a", 1)])), vec!["safety", "b"]);
}

#[test]
fn two_examiners_mean_counts_and_a_wide_gap_is_flagged() {
    let c = combine(
        &[(Points::whole(70), false), (Points::tenths(555), false)],
        Points::whole(60),
        Points::whole(10),
    )
    .unwrap();
    // (70 + 55.5) / 2 = 62.75 → 62.8
    assert_eq!(c.points, Points::tenths(628));
    assert!(c.passed);
    assert_eq!(c.spread, Points::tenths(145));
    assert!(c.flagged);
    let c = combine(
        &[(Points::whole(70), false), (Points::whole(64), true)],
        Points::whole(60),
        Points::whole(10),
    )
    .unwrap();
    assert!(c.critical_missed && !c.passed && c.flagged, "{c:?}");
    assert_eq!(combine(&[], Points::ZERO, Points::ZERO), None);
}

#[test]
fn an_exam_needs_every_station_and_the_total() {
    let ok = combine(
        &[(Points::whole(70), false)],
        Points::whole(60),
        Points::ZERO,
    );
    let low = combine(
        &[(Points::whole(50), false)],
        Points::whole(60),
        Points::ZERO,
    );
    assert_eq!(
        exam_passed(&[ok, ok], Points::whole(120)),
        (Points::whole(140), true)
    );
    assert_eq!(
        exam_passed(&[ok, low], Points::whole(100)),
        (Points::whole(120), false)
    );
    assert_eq!(
        exam_passed(&[ok, None], Points::whole(60)),
        (Points::whole(70), false)
    );
    assert_eq!(
        exam_passed(&[ok, ok], Points::whole(150)),
        (Points::whole(140), false)
    );
}

#[test]
fn percentages_to_the_tenth() {
    assert_eq!(
        percent_of(Points::whole(150), Points::whole(200)),
        Points::whole(75)
    );
    assert_eq!(
        percent_of(Points::whole(2), Points::whole(3)),
        Points::tenths(667)
    );
    assert_eq!(percent_of(Points::whole(2), Points::ZERO), Points::ZERO);
}

/// The history-taking station's shape: the menstrual-history item (critical, 10
/// points) applies to women of childbearing age only.
fn history() -> Vec<ItemDef> {
    let mut menses = item("menses", 10, true);
    menses.applicable_if = Some("育龄女性患者".into());
    vec![item("feature", 20, true), item("other", 70, false), menses]
}

fn na(code: &str) -> Mark<'_> {
    Mark::not_applicable(code)
}

#[test]
fn not_applicable_takes_the_item_out_of_the_maximum() {
    // A male patient: 81 of the 90 points that apply → 90 out of 100.
    let s = score(
        &history(),
        Points::whole(60),
        &[
            Mark::given("feature", Points::whole(18)),
            Mark::given("other", Points::whole(63)),
            na("menses"),
        ],
    )
    .unwrap();
    assert_eq!(s.raw_points, Points::whole(81));
    assert_eq!(s.applicable_max, Points::whole(90));
    assert_eq!(s.points, Points::whole(90));
    assert_eq!(s.not_applicable, vec!["menses".to_owned()]);
    assert!(
        s.missed_critical.is_empty(),
        "a critical item that does not apply is not missed"
    );
    assert!(s.passed);
    // The same performance with the item scored 0: a missed critical item.
    let zero = score(
        &history(),
        Points::whole(60),
        &[
            Mark::given("feature", Points::whole(18)),
            Mark::given("other", Points::whole(63)),
            Mark::given("menses", Points::ZERO),
        ],
    )
    .unwrap();
    assert_eq!((zero.points, zero.passed), (Points::whole(81), false));
    // 2 of 90 → 2.2 of 100 (2.222…, to the tenth).
    let low = score(
        &history(),
        Points::whole(60),
        &[Mark::given("feature", Points::whole(2)), na("menses")],
    )
    .unwrap();
    assert_eq!(low.points, Points::tenths(22));
    // Not applicable is a mark: nothing left unmarked.
    assert_eq!(
        unmarked(
            &history(),
            &[
                Mark::given("feature", Points::ZERO),
                Mark::given("other", Points::ZERO),
                na("menses")
            ]
        ),
        Vec::<&str>::new()
    );
}

#[test]
fn examiners_who_disagree_on_applicability_are_flagged() {
    let v = |codes: &[&str]| codes.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    assert!(!applicability_disagrees(&[]));
    assert!(!applicability_disagrees(&[v(&["menses"])]));
    assert!(!applicability_disagrees(&[
        v(&["a", "menses"]),
        v(&["menses", "a"])
    ]));
    assert!(!applicability_disagrees(&[v(&[]), v(&[])]));
    assert!(applicability_disagrees(&[v(&["menses"]), v(&[])]));
    assert!(applicability_disagrees(&[v(&[]), v(&[]), v(&["menses"])]));
}

#[test]
fn not_applicable_only_where_the_item_has_a_condition() {
    let e = score(
        &history(),
        Points::whole(60),
        &[
            na("feature"),
            na("menses"),
            Mark::given("menses", Points::ZERO),
        ],
    )
    .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, vec!["items[0].not_applicable", "items[2].code"]);
}

#[test]
fn scaling_to_the_tenth() {
    assert_eq!(
        scale(Points::whole(45), Points::whole(90), Points::whole(100)),
        Points::whole(50)
    );
    // 1/3 of 100 = 33.33… → 33.3; 2/3 → 66.7.
    assert_eq!(
        scale(Points::whole(1), Points::whole(3), Points::whole(100)),
        Points::tenths(333)
    );
    assert_eq!(
        scale(Points::whole(2), Points::whole(3), Points::whole(100)),
        Points::tenths(667)
    );
    assert_eq!(
        scale(Points::whole(7), Points::whole(100), Points::whole(100)),
        Points::whole(7)
    );
    assert_eq!(
        scale(Points::whole(7), Points::ZERO, Points::whole(100)),
        Points::ZERO
    );
}

proptest! {
    /// Whatever the marks, the points never exceed the maximum, and a missed critical
    /// item never passes.
    #[test]
    fn points_bounded_and_critical_decides(
        safety in 0i32..=10, a in 0i32..=50, b in 0i32..=40, pass in 1i32..=100
    ) {
        let s = score(&items(), Points::whole(pass), &marks(&[("safety", safety), ("a", a), ("b", b)])).unwrap();
        prop_assert!(s.points <= Points::whole(100));
        prop_assert_eq!(s.points, Points::whole(safety + a + b));
        if safety == 0 { prop_assert!(!s.passed); }
        prop_assert_eq!(s.passed, safety > 0 && safety + a + b >= pass);
    }

    /// The mean lies between the examiners' points.
    #[test]
    fn mean_between(x in 0i32..=1000, y in 0i32..=1000) {
        let c = combine(&[(Points::tenths(x), false), (Points::tenths(y), false)], Points::ZERO, Points::ZERO).unwrap();
        prop_assert!(c.points >= Points::tenths(x.min(y)) && c.points <= Points::tenths(x.max(y)));
    }

    /// Not applicable: the points stay within the maximum; the percentage is never
    /// below the one the same sheet gets with the item scored 0, nor above the one it
    /// gets with the item at full marks; and the verdict never turns on the missing
    /// critical item.
    #[test]
    fn not_applicable_never_lowers_the_percentage(
        feature in 0i32..=200, other in 0i32..=700, pass in 1i32..=100
    ) {
        let items = history();
        let given = [Mark::given("feature", Points::tenths(feature)), Mark::given("other", Points::tenths(other))];
        let with = |last: Mark<'static>| {
            let mut m = given.to_vec();
            m.push(last);
            score(&items, Points::whole(pass), &m).unwrap()
        };
        let skipped = with(na("menses"));
        let zero = with(Mark::given("menses", Points::ZERO));
        let full = with(Mark::given("menses", Points::whole(10)));
        prop_assert!(skipped.points <= Points::whole(100));
        prop_assert!(skipped.points >= zero.points);
        prop_assert!(skipped.points <= full.points);
        prop_assert_eq!(skipped.raw_points, Points::tenths(feature + other));
        prop_assert_eq!(skipped.passed, feature > 0 && skipped.points >= Points::whole(pass));
        prop_assert!(!zero.passed);
    }
}
