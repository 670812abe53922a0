//! Scoring one examiner's sheet, combining two examiners, and a candidate's exam result.

use std::collections::{HashMap, HashSet};

use crate::points::Points;
use crate::skills::{ItemDef, Mark};

/// A scored sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// The sheet's points on the station's full scale: the points given, scaled up by
    /// max ÷ applicable max when items were scored 不适用 (to the tenth, halves up), so
    /// every candidate's sheet is out of the same maximum.
    pub points: Points,
    /// Critical items given no points, in checklist order (never one scored 不适用).
    pub missed_critical: Vec<String>,
    pub passed: bool,
    /// The points given (before scaling).
    pub raw_points: Points,
    /// The maximum without the items scored 不适用.
    pub applicable_max: Points,
    /// Items scored 不适用, in checklist order.
    pub not_applicable: Vec<String>,
}

/// Score a sheet: points are the sum of the marks (an item not marked counts 0); a
/// critical item given 0 is missed and fails the station whatever the points; otherwise
/// the station is passed at `pass_points` (CURRICULUM.md "Skill rubric examples").
/// An item with `applicable_if` may be scored 不适用: its points leave the maximum, and
/// the points given are read against what remains ([`scale`]) — so 不适用 never lowers
/// the sheet's percentage, and a critical item that does not apply is not missed.
/// Refused, naming `items[i]`: an unknown or repeated code, points outside 0..=item max,
/// 不适用 on an item without a condition.
pub fn score(
    items: &[ItemDef],
    pass_points: Points,
    marks: &[Mark<'_>],
) -> Result<Scored, Vec<(String, String)>> {
    let by_code: HashMap<&str, &ItemDef> = items.iter().map(|i| (i.code.as_str(), i)).collect();
    let mut given: HashMap<&str, Points> = HashMap::new();
    let mut skipped: HashSet<&str> = HashSet::new();
    let mut problems = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        let Some(def) = by_code.get(m.code) else {
            problems.push((format!("items[{i}].code"), "本站没有该评分项".to_owned()));
            continue;
        };
        if m.not_applicable && def.applicable_if.is_none() {
            problems.push((
                format!("items[{i}].not_applicable"),
                "该评分项没有适用条件，不能标为不适用".to_owned(),
            ));
        } else if !m.not_applicable && (m.points < Points::ZERO || m.points > def.points) {
            problems.push((
                format!("items[{i}].points"),
                format!("得分应在 0 到 {} 之间", def.points),
            ));
        } else if given.contains_key(m.code) || skipped.contains(m.code) {
            problems.push((format!("items[{i}].code"), "评分项重复".to_owned()));
        } else if m.not_applicable {
            skipped.insert(m.code);
        } else {
            given.insert(m.code, m.points);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let raw_points: Points = given.values().copied().sum();
    let max: Points = items.iter().map(|i| i.points).sum();
    let applicable_max: Points = items
        .iter()
        .filter(|i| !skipped.contains(i.code.as_str()))
        .map(|i| i.points)
        .sum();
    let missed_critical: Vec<String> = items
        .iter()
        .filter(|i| {
            i.critical
                && !skipped.contains(i.code.as_str())
                && given.get(i.code.as_str()).copied().unwrap_or_default() == Points::ZERO
        })
        .map(|i| i.code.clone())
        .collect();
    let points = scale(raw_points, applicable_max, max);
    let passed = missed_critical.is_empty() && points >= pass_points;
    Ok(Scored {
        points,
        missed_critical,
        passed,
        raw_points,
        applicable_max,
        not_applicable: items
            .iter()
            .filter(|i| skipped.contains(i.code.as_str()))
            .map(|i| i.code.clone())
            .collect(),
    })
}

/// `raw` out of `applicable` read on the full `max` (to the tenth, halves up): `raw`
/// itself when nothing was left out; 0 when nothing applies.
pub fn scale(raw: Points, applicable: Points, max: Points) -> Points {
    let (r, a, m) = (
        i64::from(raw.as_tenths()),
        i64::from(applicable.as_tenths()),
        i64::from(max.as_tenths()),
    );
    if a <= 0 {
        return Points::ZERO;
    }
    if a == m {
        return raw;
    }
    Points::tenths(i32::try_from((2 * r * m + a).div_euclid(2 * a)).unwrap_or(i32::MAX))
}

/// The items a sheet does not mark yet (a sheet is submitted only when it marks all;
/// 不适用 is a mark).
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

/// Two examiners on one station who disagree on which items are 不适用 (one took an item
/// out of the maximum, the other scored it): the sheet is flagged for review whatever the
/// points — applicability decides a critical item, so it is never settled by a mean.
/// `sets` holds each sheet's 不适用 item codes.
pub fn applicability_disagrees(sets: &[Vec<String>]) -> bool {
    let normal = |v: &Vec<String>| {
        let mut v = v.clone();
        v.sort();
        v.dedup();
        v
    };
    sets.split_first()
        .is_some_and(|(first, rest)| rest.iter().any(|s| normal(s) != normal(first)))
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
#[path = "scoring_tests.rs"]
mod tests;
