//! Scoring one examiner's sheet, combining two examiners, and a candidate's exam result.

use std::collections::HashMap;

use crate::points::Points;
use crate::skills::{ItemDef, Mark};

/// A scored sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub points: Points,
    /// Critical items given no points, in checklist order.
    pub missed_critical: Vec<String>,
    pub passed: bool,
}

/// Score a sheet: points are the sum of the marks (an item not marked counts 0); a
/// critical item given 0 is missed and fails the station whatever the points; otherwise
/// the station is passed at `pass_points` (CURRICULUM.md "Skill rubric examples").
/// Refused, naming `items[i]`: an unknown or repeated code, points outside 0..=item max.
pub fn score(
    items: &[ItemDef],
    pass_points: Points,
    marks: &[Mark<'_>],
) -> Result<Scored, Vec<(String, String)>> {
    let by_code: HashMap<&str, &ItemDef> = items.iter().map(|i| (i.code.as_str(), i)).collect();
    let mut given: HashMap<&str, Points> = HashMap::new();
    let mut problems = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        match by_code.get(m.code) {
            None => problems.push((format!("items[{i}].code"), "本站没有该评分项".to_owned())),
            Some(def) => {
                if m.points < Points::ZERO || m.points > def.points {
                    problems.push((
                        format!("items[{i}].points"),
                        format!("得分应在 0 到 {} 之间", def.points),
                    ));
                } else if given.insert(m.code, m.points).is_some() {
                    problems.push((format!("items[{i}].code"), "评分项重复".to_owned()));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let points: Points = given.values().copied().sum();
    let missed_critical: Vec<String> = items
        .iter()
        .filter(|i| {
            i.critical && given.get(i.code.as_str()).copied().unwrap_or_default() == Points::ZERO
        })
        .map(|i| i.code.clone())
        .collect();
    let passed = missed_critical.is_empty() && points >= pass_points;
    Ok(Scored {
        points,
        missed_critical,
        passed,
    })
}

/// The items a sheet does not mark yet (a sheet is submitted only when it marks all).
pub fn unmarked<'a>(items: &'a [ItemDef], marks: &[Mark<'_>]) -> Vec<&'a str> {
    items
        .iter()
        .filter(|i| !marks.iter().any(|m| m.code == i.code))
        .map(|i| i.code.as_str())
        .collect()
}

/// One station's result from its examiners' sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Combined {
    /// The mean of the examiners' points (to the tenth, halves up).
    pub points: Points,
    /// Any examiner found a critical item missed (a safety step is not averaged away).
    pub critical_missed: bool,
    pub passed: bool,
    /// Largest difference between two examiners.
    pub spread: Points,
    /// The examiners differ by more than the threshold, or disagree on a critical item:
    /// to be reviewed.
    pub flagged: bool,
}

/// Two (or more) examiners on one station: the mean counts; a difference above
/// `threshold` is flagged for review (issue 10 §2). `None` without a sheet.
pub fn combine(
    sheets: &[(Points, bool)],
    pass_points: Points,
    threshold: Points,
) -> Option<Combined> {
    if sheets.is_empty() {
        return None;
    }
    let n = i64::try_from(sheets.len()).unwrap_or(i64::MAX);
    let sum: i64 = sheets.iter().map(|(p, _)| i64::from(p.as_tenths())).sum();
    let mean = Points::tenths(i32::try_from((2 * sum + n).div_euclid(2 * n)).unwrap_or(i32::MAX));
    let max = sheets.iter().map(|(p, _)| *p).max().unwrap_or_default();
    let min = sheets.iter().map(|(p, _)| *p).min().unwrap_or_default();
    let critical_missed = sheets.iter().any(|(_, c)| *c);
    let disagree = sheets.iter().any(|(_, c)| *c) && !sheets.iter().all(|(_, c)| *c);
    Some(Combined {
        points: mean,
        critical_missed,
        passed: !critical_missed && mean >= pass_points,
        spread: max - min,
        flagged: max - min > threshold || disagree,
    })
}

/// A candidate passes an exam when every station is passed and the total reaches the
/// exam's pass score (the skills half of 结业考核 — issue 10 §6).
pub fn exam_passed(stations: &[Option<Combined>], pass_score: Points) -> (Points, bool) {
    let total: Points = stations.iter().flatten().map(|c| c.points).sum();
    let all = stations.iter().all(|c| c.is_some_and(|c| c.passed));
    (total, all && total >= pass_score)
}

/// `part` as a percentage of `whole`, to the tenth (halves up); 0 when `whole` is 0.
pub fn percent_of(part: Points, whole: Points) -> Points {
    let (p, w) = (i64::from(part.as_tenths()), i64::from(whole.as_tenths()));
    if w <= 0 {
        return Points::ZERO;
    }
    Points::tenths(i32::try_from((2 * p * 1000 + w).div_euclid(2 * w)).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skills::rules::tests::item;
    use proptest::prelude::*;

    fn marks<'a>(m: &'a [(&'a str, i32)]) -> Vec<Mark<'a>> {
        m.iter()
            .map(|(c, p)| Mark {
                code: c,
                points: Points::whole(*p),
            })
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
    }
}
