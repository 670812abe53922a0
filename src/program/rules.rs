//! Pure rules of programs: checking a definition, loading the presets, the deadline
//! calendar.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    CatalogCourse, CombinedRequirement, Deadlines, MonthDay, Policy, ProgramDef, Quota,
    Requirements, Share, StudyKind, Weights,
};
use crate::error::Problems;

/// `MM-DD`, a day that exists every year.
pub fn parse_month_day(raw: &str) -> Result<MonthDay, String> {
    let bad = || format!("应为 MM-DD 格式的日期（如 11-30），而不是 {raw:?}");
    let (m, d) = raw.trim().split_once('-').ok_or_else(bad)?;
    if m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (month, day): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // 2023 is not a leap year, so 02-29 is refused.
    NaiveDate::from_ymd_opt(2023, month, day).ok_or_else(bad)?;
    Ok(MonthDay { month, day })
}

impl MonthDay {
    /// This day in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

/// Largest plausible requirement: 2,000 hours.
const MAX_MINUTES: i32 = 2_000 * 60;

/// Check a policy, naming each bad field under `requirements.` / `deadlines.`.
pub fn check_policy(policy: &Policy, start_year: i32, end_year: i32, p: &mut Problems) {
    let r = &policy.requirements;
    let minutes = |p: &mut Problems, field: &str, v: i32| {
        if !(0..=MAX_MINUTES).contains(&v) {
            p.add(
                format!("requirements.{field}"),
                format!("应为 0 到 {MAX_MINUTES} 之间的分钟数"),
            );
        }
    };
    minutes(p, "online_minutes", r.online_minutes);
    minutes(p, "centralized_minutes", r.centralized_minutes);
    minutes(p, "shadowing_minutes", r.shadowing_minutes);
    if let Some(c) = &r.combined {
        minutes(p, "combined.minutes", c.minutes);
        let distinct: HashSet<_> = c.kinds.iter().collect();
        if c.kinds.len() < 2 || distinct.len() != c.kinds.len() {
            p.add(
                "requirements.combined.kinds",
                "合计要求应包含至少两种不同的学习形式",
            );
        }
    }
    if !(30..=60).contains(&r.class_hour_minutes) {
        p.add(
            "requirements.class_hour_minutes",
            "1 学时应为 30 到 60 分钟",
        );
    }
    if !(1..=12).contains(&r.makeup_window_months) {
        p.add(
            "requirements.makeup_window_months",
            "补修补考期限应为 1 到 12 个月",
        );
    }
    for (field, v) in [
        ("theory_pass_score", r.theory_pass_score),
        ("skills_pass_score", r.skills_pass_score),
        ("annual_pass_score", r.annual_pass_score),
    ] {
        if !(0..=100).contains(&v) {
            p.add(
                format!("requirements.{field}"),
                "合格线为满分的百分比，应在 0 到 100 之间",
            );
        }
    }
    let w = &r.weights;
    if [w.ongoing_online, w.ongoing_offline, w.annual_exam]
        .iter()
        .any(|v| !(0..=100).contains(v))
        || w.ongoing_online + w.ongoing_offline + w.annual_exam != 100
    {
        p.add(
            "requirements.weights",
            "平时（线上）、平时（线下）、年度考核的权重应为非负整数，合计 100",
        );
    }
    let s = r.centralized_share;
    if s.denominator < 1 || s.numerator < 0 || s.numerator > s.denominator {
        p.add(
            "requirements.centralized_share",
            "比例应满足 0 ≤ 分子 ≤ 分母，且分母 ≥ 1",
        );
    }
    let d = &policy.deadlines;
    let mut years = HashSet::new();
    for (i, due) in d.plan_due.iter().enumerate() {
        if !(start_year..=end_year).contains(&due.year) || !years.insert(due.year) {
            p.add(
                format!("deadlines.plan_due[{i}].year"),
                "年份应在项目年度内且不重复",
            );
        } else if !(due.year - 1..=due.year).contains(&due.date.year()) {
            p.add(
                format!("deadlines.plan_due[{i}].date"),
                "年度计划的报送日期应在该年度或上一年",
            );
        }
    }
    let mut quarters = d.quarterly_summaries.clone();
    quarters.sort();
    quarters.dedup();
    if quarters.len() != d.quarterly_summaries.len() || quarters.len() > 4 {
        p.add(
            "deadlines.quarterly_summaries",
            "季度总结日期不能重复，且至多 4 个",
        );
    }
}

/// Check a whole definition (quota regions are checked against the tree by the store).
pub fn check_definition(def: &ProgramDef, p: &mut Problems) {
    let name_len = def.name.trim().chars().count();
    if name_len == 0 || name_len > 100 {
        p.add("name", "项目名称应为 1–100 个字符");
    }
    if !(2000..=2100).contains(&def.start_year) {
        p.add("start_year", "起始年度应在 2000 到 2100 之间");
    }
    if def.end_year < def.start_year || def.end_year - def.start_year > 9 {
        p.add("end_year", "结束年度不能早于起始年度，且项目不超过 10 年");
    }
    check_policy(&def.policy, def.start_year, def.end_year, p);
    let mut codes = HashSet::new();
    for (i, c) in def.catalog.iter().enumerate() {
        let code_ok = !c.code.trim().is_empty() && c.code.chars().count() <= 20;
        if !code_ok || !codes.insert(c.code.trim().to_owned()) {
            p.add(
                format!("catalog[{i}].code"),
                "课程编号应为 1–20 个字符且不重复",
            );
        }
        let title_len = c.title.trim().chars().count();
        if title_len == 0 || title_len > 100 {
            p.add(format!("catalog[{i}].title"), "课程名称应为 1–100 个字符");
        }
        if !crate::areas::is_area(&c.area) {
            p.add(
                format!("catalog[{i}].area"),
                format!("内容领域应为 {} 之一", crate::areas::codes()),
            );
        }
        if !(1..=MAX_MINUTES).contains(&c.minutes) {
            p.add(format!("catalog[{i}].minutes"), "课程时长应为正的分钟数");
        }
    }
    let mut seen = HashSet::new();
    for (i, q) in def.quotas.iter().enumerate() {
        if !(def.start_year..=def.end_year).contains(&q.year) {
            p.add(format!("quotas[{i}].year"), "年份应在项目年度内");
        }
        if !(0..=100_000).contains(&q.places) {
            p.add(
                format!("quotas[{i}].places"),
                "名额应为 0 到 100000 之间的整数",
            );
        }
        if !seen.insert((q.region_code.clone(), q.year)) {
            p.add(
                format!("quotas[{i}]"),
                format!("{} 年度 {} 的名额重复", q.year, q.region_code),
            );
        }
    }
}

/// Deserialize one part of a body, naming the exact field of any error
/// (`requirements.online_minutes`).
fn part<T: serde::de::DeserializeOwned>(
    p: &mut Problems,
    name: &str,
    value: &Option<serde_json::Value>,
) -> Option<T> {
    let Some(value) = value else {
        p.add(name, "必填");
        return None;
    };
    match serde_path_to_error::deserialize(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let path = e.path().to_string();
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{name}.{path}")
            };
            p.add(field, format!("缺少字段或取值不正确：{}", e.into_inner()));
            None
        }
    }
}

/// A checked definition from a request body: `{preset}` alone (optionally with `name`),
/// or every part of a full definition.
pub fn definition_from_body(
    body: &super::ProgramBody,
) -> Result<ProgramDef, crate::error::AppError> {
    use crate::error::AppError;
    if let Some(key) = body.preset.as_deref() {
        let mut def = preset(key.trim()).map_err(|m| AppError::field("preset", m))?;
        if let Some(name) = body.name.as_deref().filter(|n| !n.trim().is_empty()) {
            def.name = name.trim().to_owned();
        }
        let mut p = Problems::new();
        check_definition(&def, &mut p);
        p.finish()?;
        return Ok(def);
    }
    let mut p = Problems::new();
    let name = body.name.clone().unwrap_or_default();
    let region_code = match body.region_code.as_deref() {
        Some(code) => p
            .take("region_code", crate::regions::RegionCode::parse(code))
            .map(|c| c.as_str().to_owned()),
        None => {
            p.add("region_code", "必填");
            None
        }
    };
    let start_year: Option<i32> = part(&mut p, "start_year", &body.start_year);
    let end_year: Option<i32> = part(&mut p, "end_year", &body.end_year);
    let requirements: Option<Requirements> = part(&mut p, "requirements", &body.requirements);
    let deadlines: Option<Deadlines> = part(&mut p, "deadlines", &body.deadlines);
    let quotas: Option<Vec<Quota>> = match &body.quotas {
        None => Some(Vec::new()),
        some => part(&mut p, "quotas", some),
    };
    let catalog: Option<Vec<CatalogCourse>> = match &body.catalog {
        None => Some(Vec::new()),
        some => part(&mut p, "catalog", some),
    };
    match (
        region_code,
        start_year,
        end_year,
        requirements,
        deadlines,
        quotas,
        catalog,
    ) {
        (
            Some(region_code),
            Some(start_year),
            Some(end_year),
            Some(requirements),
            Some(deadlines),
            Some(quotas),
            Some(catalog),
        ) => {
            let def = ProgramDef {
                name,
                preset: None,
                region_code,
                start_year,
                end_year,
                policy: Policy {
                    requirements,
                    deadlines,
                },
                quotas,
                catalog,
            };
            check_definition(&def, &mut p);
            p.finish()?;
            Ok(def)
        }
        _ => {
            if def_name_missing(&name) {
                p.add("name", "项目名称应为 1–100 个字符");
            }
            p.finish()?;
            Err(AppError::internal("definition parts lost"))
        }
    }
}

fn def_name_missing(name: &str) -> bool {
    let n = name.trim().chars().count();
    n == 0 || n > 100
}

/// A concrete due date of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub kind: &'static str,
    pub year: i32,
    /// 1–4 for quarterly summaries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    pub due: NaiveDate,
}

/// Every due date of the program, in date order — what county bureaus must file when
/// (Zaozhuang annex 2 §六).
pub fn calendar(d: &Deadlines, start_year: i32, end_year: i32) -> Vec<Due> {
    let mut out = Vec::new();
    for year in start_year..=end_year {
        if let Some(plan) = d.plan_due.iter().find(|p| p.year == year) {
            out.push(Due {
                kind: "annual_plan",
                year,
                quarter: None,
                due: plan.date,
            });
        }
        for (i, q) in d.quarterly_summaries.iter().enumerate() {
            if let Some(due) = q.in_year(year) {
                out.push(Due {
                    kind: "quarterly_summary",
                    year,
                    quarter: Some(i as u8 + 1),
                    due,
                });
            }
        }
        for (kind, md) in [
            ("training_done", d.training_done),
            ("annual_scores", d.annual_scores),
            ("annual_summary", d.annual_summary),
        ] {
            if let Some(due) = md.in_year(year) {
                out.push(Due {
                    kind,
                    year,
                    quarter: None,
                    due,
                });
            }
        }
    }
    out.sort_by_key(|d| (d.due, d.kind));
    out
}

/// The minutes of `hours` clock hours.
fn hours(h: i32) -> i32 {
    h.saturating_mul(60)
}

/// A preset as written in `presets/*.toml` (hours, as the plans state them).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    key: String,
    name: String,
    region_code: String,
    start_year: i32,
    end_year: i32,
    requirements: PresetRequirements,
    deadlines: Deadlines,
    #[serde(default)]
    quota: Vec<PresetQuota>,
    totals: PresetTotals,
    #[serde(default)]
    course: Vec<PresetCourse>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetCourse {
    code: String,
    title: String,
    area: String,
    hours: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetRequirements {
    class_hour_minutes: i32,
    online_hours: i32,
    centralized_hours: i32,
    shadowing_hours: i32,
    #[serde(default)]
    combined: Option<PresetCombined>,
    makeup_window_months: i32,
    theory_pass_score: i32,
    skills_pass_score: i32,
    annual_pass_score: i32,
    centralized_share: Share,
    weights: Weights,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetCombined {
    kinds: Vec<StudyKind>,
    hours: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetQuota {
    #[allow(dead_code)]
    district: String,
    region_code: String,
    places: BTreeMap<String, i32>,
    total: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetTotals {
    by_year: BTreeMap<String, i32>,
    all: i32,
}

/// The presets shipped in the binary.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "zaozhuang-2024",
        include_str!("presets/zaozhuang-2024.toml"),
    ),
    ("weifang-2024", include_str!("presets/weifang-2024.toml")),
];

/// Parse and check a preset: the file's own totals must match its table, and the policy
/// must pass [`check_definition`].
pub fn preset(key: &str) -> Result<ProgramDef, String> {
    let (_, text) = PRESETS
        .iter()
        .find(|(k, _)| *k == key)
        .ok_or_else(|| format!("没有名为 {key} 的预设，可用：{}", preset_keys().join("、")))?;
    let file: PresetFile = toml::from_str(text).map_err(|e| format!("preset {key}: {e}"))?;
    if file.key != key {
        return Err(format!("preset {key}: file says key = {}", file.key));
    }
    let r = file.requirements;
    let policy = Policy {
        requirements: Requirements {
            online_minutes: hours(r.online_hours),
            centralized_minutes: hours(r.centralized_hours),
            shadowing_minutes: hours(r.shadowing_hours),
            combined: r.combined.map(|c| CombinedRequirement {
                kinds: c.kinds,
                minutes: hours(c.hours),
            }),
            class_hour_minutes: r.class_hour_minutes,
            makeup_window_months: r.makeup_window_months,
            theory_pass_score: r.theory_pass_score,
            skills_pass_score: r.skills_pass_score,
            annual_pass_score: r.annual_pass_score,
            weights: r.weights,
            centralized_share: r.centralized_share,
        },
        deadlines: file.deadlines,
    };
    let mut quotas = Vec::new();
    let mut by_year: BTreeMap<i32, i32> = BTreeMap::new();
    for q in &file.quota {
        let mut sum = 0;
        for (year, places) in &q.places {
            let year: i32 = year
                .parse()
                .map_err(|_| format!("preset {key}: bad year {year}"))?;
            sum += places;
            *by_year.entry(year).or_default() += places;
            quotas.push(Quota {
                program_id: 0,
                region_code: q.region_code.clone(),
                year,
                places: *places,
            });
        }
        if sum != q.total {
            return Err(format!(
                "preset {key}: {} adds up to {sum}, not {}",
                q.region_code, q.total
            ));
        }
    }
    let stated: BTreeMap<i32, i32> = file
        .totals
        .by_year
        .iter()
        .map(|(y, n)| {
            y.parse()
                .map(|y| (y, *n))
                .map_err(|_| format!("preset {key}: bad year {y}"))
        })
        .collect::<Result<_, _>>()?;
    if stated != by_year || by_year.values().sum::<i32>() != file.totals.all {
        return Err(format!(
            "preset {key}: yearly totals {by_year:?} do not match the stated {stated:?} / {}",
            file.totals.all
        ));
    }
    let catalog: Vec<CatalogCourse> = file
        .course
        .into_iter()
        .map(|c| CatalogCourse {
            code: c.code,
            title: c.title,
            area: c.area,
            minutes: hours(c.hours),
        })
        .collect();
    let def = ProgramDef {
        name: file.name,
        preset: Some(file.key),
        region_code: file.region_code,
        start_year: file.start_year,
        end_year: file.end_year,
        policy,
        quotas,
        catalog,
    };
    let mut p = Problems::new();
    check_definition(&def, &mut p);
    p.finish().map_err(|e| {
        let fields: Vec<String> = e
            .field_errors()
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect();
        format!("preset {key}: {}", fields.join("; "))
    })?;
    Ok(def)
}

pub fn preset_keys() -> Vec<&'static str> {
    PRESETS.iter().map(|(k, _)| *k).collect()
}

/// Is the centralized-learning headcount rule met: `learners / doctors ≥ share`
/// (Zaozhuang annex 2 §四(二): 每年集中学习乡医人数不能低于本区（市）乡医总人数的1/3)?
pub fn share_met(learners: i64, doctors: i64, share: Share) -> bool {
    learners * i64::from(share.denominator) >= doctors * i64::from(share.numerator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_zaozhuang_preset_is_the_seeds_table_exactly() {
        let def = preset("zaozhuang-2024").unwrap();
        assert_eq!(def.region_code, "370400");
        assert_eq!((def.start_year, def.end_year), (2024, 2026));
        let r = &def.policy.requirements;
        assert_eq!(
            (r.online_minutes, r.centralized_minutes, r.shadowing_minutes),
            (158 * 60, 60 * 60, 60 * 60)
        );
        assert_eq!(r.makeup_window_months, 3);
        let year = |y: i32| {
            def.quotas
                .iter()
                .filter(|q| q.year == y)
                .map(|q| q.places)
                .sum::<i32>()
        };
        assert_eq!((year(2024), year(2025), year(2026)), (1105, 1105, 1044));
        assert_eq!(def.quotas.iter().map(|q| q.places).sum::<i32>(), 3254);
        assert_eq!(
            def.catalog.iter().map(|c| c.minutes).sum::<i32>(),
            r.online_minutes,
            "the catalog adds up to 158 h"
        );
        let tengzhou: Vec<i32> = def
            .quotas
            .iter()
            .filter(|q| q.region_code == "370481")
            .map(|q| q.places)
            .collect();
        assert_eq!(tengzhou, [425, 425, 425]);
        assert_eq!(
            def.quotas
                .iter()
                .filter(|q| q.region_code == "370403" && q.year == 2026)
                .map(|q| q.places)
                .next(),
            Some(80)
        );
    }

    #[test]
    fn the_weifang_preset_expresses_the_combined_sixty_hours() {
        let def = preset("weifang-2024").unwrap();
        let combined = def.policy.requirements.combined.unwrap();
        assert_eq!(combined.minutes, 3600);
        assert_eq!(
            combined.kinds,
            [
                StudyKind::Tutoring,
                StudyKind::Shadowing,
                StudyKind::SkillsPractice
            ]
        );
        assert!(def.quotas.is_empty());
    }

    #[test]
    fn unknown_presets_name_the_known_ones() {
        let e = preset("atlantis-2024").unwrap_err();
        assert!(e.contains("zaozhuang-2024") && e.contains("weifang-2024"));
    }

    #[test]
    fn month_days_must_exist_every_year() {
        assert_eq!(
            parse_month_day("11-30").unwrap(),
            MonthDay { month: 11, day: 30 }
        );
        for bad in ["02-29", "13-01", "11-31", "1130", "1-30", ""] {
            assert!(parse_month_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_calendar_lists_every_filing_in_date_order() {
        let def = preset("zaozhuang-2024").unwrap();
        let cal = calendar(&def.policy.deadlines, 2024, 2026);
        // per year: plan, 3 quarterly, training done, scores, annual summary
        assert_eq!(cal.len(), 3 * 7);
        assert_eq!(cal[0].kind, "quarterly_summary"); // 2024-03-30 precedes the 2024 plan (05-30)
        assert!(cal.windows(2).all(|w| w[0].due <= w[1].due));
        assert!(cal.iter().any(|d| d.kind == "annual_summary"
            && d.due == NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()));
    }

    #[test]
    fn a_bad_definition_names_each_field() {
        let mut def = preset("zaozhuang-2024").unwrap();
        def.name = String::new();
        def.end_year = 2020;
        def.policy.requirements.online_minutes = -1;
        def.policy.requirements.weights.annual_exam = 90;
        def.quotas.push(def.quotas[0].clone());
        let mut p = Problems::new();
        check_definition(&def, &mut p);
        let e = p.finish().unwrap_err();
        let fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        for f in [
            "name",
            "end_year",
            "requirements.online_minutes",
            "requirements.weights",
        ] {
            assert!(fields.contains(&f), "{f} not named in {fields:?}");
        }
        assert!(fields.iter().any(|f| f.starts_with("quotas[")));
    }

    proptest! {
        /// More learners never break the rule, and a district where everyone attends
        /// always meets it.
        #[test]
        fn the_share_rule_is_monotone(learners in 0i64..10_000, extra in 0i64..100, doctors in 0i64..10_000,
                                      num in 0i32..5, den in 1i32..6) {
            prop_assume!(num <= den);
            let share = Share { numerator: num, denominator: den };
            if share_met(learners, doctors, share) {
                prop_assert!(share_met(learners + extra, doctors, share));
            }
            prop_assert!(share_met(doctors, doctors, share));
        }
    }

    #[test]
    fn one_third_of_three_hundred_is_a_hundred() {
        let third = Share {
            numerator: 1,
            denominator: 3,
        };
        assert!(share_met(100, 300, third));
        assert!(!share_met(99, 300, third));
    }
}
