//! The programs shipped as presets (`presets/*.toml`): each city's plan as written,
//! in hours, checked against its own totals.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check_definition;
use crate::error::Problems;
use crate::program::{
    CatalogCourse, CombinedRequirement, Deadlines, Policy, ProgramDef, Quota, Requirements, Share,
    StudyKind, Weights,
};

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
    #[serde(default)]
    dispatch: Option<DispatchTargets>,
}

/// The yearly targets of dispatched medical staff (万名医护进乡村), by the level they
/// come from — Zaozhuang 360 = 100/130/130, Weifang 1,000 = 300/300/400.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchTargets {
    pub county_hospital: i32,
    pub township_centre: i32,
    pub village_clinic: i32,
    pub total: i32,
}

/// A preset's yearly dispatch targets, when it states them (and they add up).
pub fn dispatch_targets(key: &str) -> Option<DispatchTargets> {
    let (_, text) = PRESETS.iter().find(|(k, _)| *k == key)?;
    let file: PresetFile = toml::from_str(text).ok()?;
    file.dispatch
        .filter(|d| d.county_hospital + d.township_centre + d.village_clinic == d.total)
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
        include_str!("../presets/zaozhuang-2024.toml"),
    ),
    ("weifang-2024", include_str!("../presets/weifang-2024.toml")),
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

/// The keys of the presets shipped, in order.
pub fn preset_keys() -> Vec<&'static str> {
    PRESETS.iter().map(|(k, _)| *k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_targets_are_the_plans() {
        let z = dispatch_targets("zaozhuang-2024").unwrap();
        assert_eq!(
            (
                z.county_hospital,
                z.township_centre,
                z.village_clinic,
                z.total
            ),
            (100, 130, 130, 360)
        );
        let w = dispatch_targets("weifang-2024").unwrap();
        assert_eq!(
            (
                w.county_hospital,
                w.township_centre,
                w.village_clinic,
                w.total
            ),
            (300, 300, 400, 1000)
        );
        assert_eq!(dispatch_targets("nowhere"), None);
    }

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
}
