//! Pure rules of skills exams: station definitions, scoring a sheet, combining two
//! examiners, the statistics (borderline regression, stringency) and the circuit.

pub mod bodies;
pub mod circuit;
pub mod scoring;
pub mod stats;

use std::collections::HashSet;

use super::StationDef;
use crate::points::Points;

pub use circuit::{Visit, circuit};
pub use scoring::{
    Combined, Scored, applicability_disagrees, combine, exam_passed, percent_of, score,
};

/// A problem with a station definition: the field and what is wrong.
pub type Problem = (String, String);

/// A station's codes: lower-case letters, digits and `_`.
fn valid_code(code: &str, max: usize) -> bool {
    !code.is_empty()
        && code.len() <= max
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The format rules of a station (question_bank/skills/README.md): items add up to the
/// maximum, the pass mark is within it, at least one critical item, codes unique.
pub fn check_station(s: &StationDef) -> Vec<Problem> {
    let mut p: Vec<Problem> = Vec::new();
    let mut add = |f: &str, m: &str| p.push((f.to_owned(), m.to_owned()));
    if !valid_code(&s.code, 40) || s.code.len() < 2 {
        add("code", "代码应为 2–40 位小写字母、数字或下划线");
    }
    if s.title.trim().is_empty() {
        add("title", "请填写站点名称");
    }
    if !crate::areas::is_area(&s.area) {
        add("area", "未知的内容领域");
    }
    if !(1..=120).contains(&s.minutes) {
        add("minutes", "考核时间应为 1–120 分钟");
    }
    if s.max_points <= Points::ZERO {
        add("max_points", "满分应大于 0");
    }
    if s.pass_points <= Points::ZERO || s.pass_points > s.max_points {
        add("pass_points", "合格分应大于 0 且不超过满分");
    }
    if s.rating.len() != 5 || s.rating.iter().any(|l| l.trim().is_empty()) {
        add("rating", "整体评价应有 5 个等级名称");
    }
    if s.source.trim().is_empty() {
        add("source", "请注明依据的规范或教材及版本");
    }
    if s.items.is_empty() {
        add("items", "至少需要一个评分项");
    }
    let mut seen = HashSet::new();
    for (i, item) in s.items.iter().enumerate() {
        if !valid_code(&item.code, 40) {
            add(
                &format!("items[{i}].code"),
                "代码应为小写字母、数字或下划线",
            );
        } else if !seen.insert(item.code.as_str()) {
            add(&format!("items[{i}].code"), "评分项代码重复");
        }
        if item.text.trim().is_empty() {
            add(&format!("items[{i}].text"), "请填写评分内容");
        }
        if item.points <= Points::ZERO {
            add(&format!("items[{i}].points"), "分值应大于 0");
        }
        if item
            .applicable_if
            .as_deref()
            .is_some_and(|c| c.trim().is_empty() || c.chars().count() > 100)
        {
            add(
                &format!("items[{i}].applicable_if"),
                "适用条件应为 1–100 个字符（不设条件请删去此行）",
            );
        }
    }
    // A station needs a critical item that always applies: 不适用 never leaves a
    // station without one (nor without points to score).
    if !s.items.is_empty()
        && !s
            .items
            .iter()
            .any(|i| i.critical && i.applicable_if.is_none())
    {
        add(
            "items",
            "至少需要一个始终适用的关键项（critical，且无 applicable_if）",
        );
    }
    let sum: Points = s.items.iter().map(|i| i.points).sum();
    if !s.items.is_empty() && sum != s.max_points {
        add(
            "max_points",
            &format!("各评分项分值之和为 {sum}，与满分 {} 不符", s.max_points),
        );
    }
    p
}

/// Station codes that appear more than once (codes are unique across the bank).
pub fn duplicate_codes<'a>(stations: impl Iterator<Item = &'a StationDef>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut dup = Vec::new();
    for s in stations {
        if !seen.insert(s.code.as_str()) {
            dup.push(s.code.clone());
        }
    }
    dup
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::skills::ItemDef;

    pub fn item(code: &str, points: i32, critical: bool) -> ItemDef {
        ItemDef {
            code: code.into(),
            text: format!("{code} 项"),
            points: Points::whole(points),
            critical,
            applicable_if: None,
        }
    }

    pub fn station(items: Vec<ItemDef>, pass: i32) -> StationDef {
        let max = items.iter().map(|i| i.points).sum();
        StationDef {
            code: "bp".into(),
            title: "血压测量".into(),
            area: "public_health".into(),
            minutes: 8,
            max_points: max,
            pass_points: Points::whole(pass),
            items,
            rating: crate::skills::DEFAULT_RATING
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            source: "《中国高血压防治指南（2018年修订版）》".into(),
        }
    }

    #[test]
    fn a_good_station_passes_the_checks() {
        let s = station(vec![item("a", 60, true), item("b", 40, false)], 60);
        assert_eq!(check_station(&s), Vec::<Problem>::new());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let mut s = station(vec![item("a", 60, false), item("a", 40, false)], 60);
        s.max_points = Points::whole(90);
        s.pass_points = Points::whole(95);
        s.area = "surgery".into();
        s.rating.pop();
        let fields: Vec<String> = check_station(&s).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            vec![
                "area",
                "pass_points",
                "rating",
                "items[1].code",
                "items",
                "max_points"
            ]
        );
    }

    #[test]
    fn a_condition_must_say_something_and_a_critical_item_must_always_apply() {
        let mut only = item("menses", 10, true);
        only.applicable_if = Some("育龄女性患者".into());
        let mut blank = item("b", 90, false);
        blank.applicable_if = Some("  ".into());
        let s = station(vec![only, blank], 60);
        let fields: Vec<String> = check_station(&s).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec!["items[1].applicable_if", "items"]);
    }

    #[test]
    fn duplicate_station_codes_are_found() {
        let a = station(vec![item("a", 10, true)], 6);
        let b = a.clone();
        assert_eq!(duplicate_codes([a, b].iter()), vec!["bp".to_owned()]);
    }

    #[test]
    fn every_shipped_station_passes_the_checks() {
        let (stations, problems) = crate::skills::files::shipped();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(stations.len() >= 16, "{} stations", stations.len());
        for s in &stations {
            assert_eq!(check_station(s), Vec::<Problem>::new(), "{}", s.code);
        }
        assert!(duplicate_codes(stations.iter()).is_empty());
        // The abdominal-pain history's menstrual history applies to women only (issue 10).
        let history = stations
            .iter()
            .find(|s| s.code == "history_abdominal_pain")
            .unwrap();
        let menses = history.items.iter().find(|i| i.code == "menses").unwrap();
        assert!(menses.critical && menses.applicable_if.is_some());
    }
}
