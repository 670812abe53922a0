//! Checking a program's definition — its requirements, deadlines, catalog and quotas —
//! from a request body, what an edit changed, and who may manage a program.

use std::collections::HashSet;

use chrono::Datelike;

use super::preset;
use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult, Problems, Recorded};
use crate::program::{
    CatalogCourse, Deadlines, Policy, Program, ProgramBody, ProgramDef, Quota, Requirements,
};
use crate::regions::RegionCode;

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
) -> Result<T, Recorded> {
    let Some(value) = value else {
        return p.field(name, Err("必填".into()));
    };
    match serde_path_to_error::deserialize(value) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{name}.{path}")
            };
            p.field(
                &field,
                Err(format!("缺少字段或取值不正确：{}", e.into_inner())),
            )
        }
    }
}

/// An optional list part: absent is empty.
fn list_part<T: serde::de::DeserializeOwned>(
    p: &mut Problems,
    name: &str,
    value: &Option<serde_json::Value>,
) -> Result<Vec<T>, Recorded> {
    match value {
        None => Ok(Vec::new()),
        some => part(p, name, some),
    }
}

/// A checked definition from a request body: `{preset}` alone (optionally with `name`),
/// or every part of a full definition, each bad field named.
pub fn definition_from_body(body: &ProgramBody) -> AppResult<ProgramDef> {
    if let Some(key) = body.preset.as_deref() {
        let mut def = preset(key.trim()).map_err(|m| AppError::field("preset", m))?;
        if let Some(name) = body.name.as_deref().filter(|n| !n.trim().is_empty()) {
            def.name = name.trim().to_owned();
        }
        let mut p = Problems::new();
        check_definition(&def, &mut p);
        return p.build(|| Ok(def));
    }
    let mut p = Problems::new();
    let name = body.name.clone().unwrap_or_default();
    let region_code = p.field(
        "region_code",
        body.region_code
            .as_deref()
            .ok_or_else(|| "必填".to_owned())
            .and_then(RegionCode::parse),
    );
    let start_year: Result<i32, _> = part(&mut p, "start_year", &body.start_year);
    let end_year: Result<i32, _> = part(&mut p, "end_year", &body.end_year);
    let requirements: Result<Requirements, _> = part(&mut p, "requirements", &body.requirements);
    let deadlines: Result<Deadlines, _> = part(&mut p, "deadlines", &body.deadlines);
    let quotas: Result<Vec<Quota>, _> = list_part(&mut p, "quotas", &body.quotas);
    let catalog: Result<Vec<CatalogCourse>, _> = list_part(&mut p, "catalog", &body.catalog);
    let def = (|| {
        Ok(ProgramDef {
            name: name.clone(),
            preset: None,
            region_code: region_code?.as_str().to_owned(),
            start_year: start_year?,
            end_year: end_year?,
            policy: Policy {
                requirements: requirements?,
                deadlines: deadlines?,
            },
            quotas: quotas?,
            catalog: catalog?,
        })
    })();
    match def {
        Ok(def) => {
            check_definition(&def, &mut p);
            p.build(|| Ok(def))
        }
        Err(missing) => {
            if name_is_bad(&name) {
                p.add("name", "项目名称应为 1–100 个字符");
            }
            p.build(|| Err(missing))
        }
    }
}

fn name_is_bad(name: &str) -> bool {
    let n = name.trim().chars().count();
    n == 0 || n > 100
}

/// May the caller manage (create, edit) a program of this city: a city admin its own
/// city's; the sysadmin any in its region (`path`, when the city is known).
pub fn may_manage(caller: &Caller, city_code: &str, city_path: Option<&str>) -> bool {
    match caller.role {
        Role::CityAdmin => caller.region.code == city_code,
        Role::Sysadmin => city_path.is_some_and(|p| caller.scope().contains_path(p)),
        _ => false,
    }
}

/// Which top-level parts of a definition an edit changes, with their old and new
/// values (the audit entry's detail; empty when nothing changes).
pub fn changes(before: &Program, after: &ProgramDef) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::{Map, Value, json};
    let mut changes = Map::new();
    let mut field = |name: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(name.to_owned(), json!({ "from": old, "to": new }));
        }
    };
    field("name", json!(before.row.name), json!(after.name));
    field(
        "start_year",
        json!(before.row.start_year),
        json!(after.start_year),
    );
    field(
        "end_year",
        json!(before.row.end_year),
        json!(after.end_year),
    );
    let (old_r, new_r) = (
        json!(before.policy.requirements),
        json!(after.policy.requirements),
    );
    let (old_d, new_d) = (
        json!(before.policy.deadlines),
        json!(after.policy.deadlines),
    );
    for (prefix, old, new) in [("requirements", old_r, new_r), ("deadlines", old_d, new_d)] {
        if let (Value::Object(o), Value::Object(n)) = (&old, &new) {
            for (k, v) in n {
                field(
                    &format!("{prefix}.{k}"),
                    o.get(k).cloned().unwrap_or(Value::Null),
                    v.clone(),
                );
            }
        }
    }
    let quota_key = |q: &Quota| (q.region_code.clone(), q.year, q.places);
    let mut old_q: Vec<_> = before.quotas.iter().map(quota_key).collect();
    let mut new_q: Vec<_> = after.quotas.iter().map(quota_key).collect();
    old_q.sort();
    new_q.sort();
    field("quotas", json!(old_q), json!(new_q));
    field("catalog", json!(before.catalog), json!(after.catalog));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_body_missing_parts_names_them_all() {
        let e = definition_from_body(&ProgramBody::default()).unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "region_code",
                "start_year",
                "end_year",
                "requirements",
                "deadlines",
                "name"
            ]
        );
        let def = definition_from_body(&ProgramBody {
            preset: Some("weifang-2024".into()),
            name: Some(" 潍坊市乡医培训 ".into()),
            ..ProgramBody::default()
        })
        .unwrap();
        assert_eq!(def.name, "潍坊市乡医培训");
    }

    #[test]
    fn a_city_manages_its_own_programs_and_the_sysadmin_those_in_its_region() {
        use crate::regions::{Level, Region};
        let caller = |role: Role, code: &str, path: &str| Caller {
            user_id: 1,
            username: "u".into(),
            role,
            region: Region {
                code: code.into(),
                name: code.into(),
                level: Level::City,
                parent_code: None,
                path: path.into(),
                is_gb: true,
                is_demo: false,
            },
            doctor_id: None,
            instructor_id: None,
            client: None,
        };
        let zaozhuang = caller(Role::CityAdmin, "370400", "/370000/370400/");
        assert!(may_manage(&zaozhuang, "370400", None));
        assert!(!may_manage(&zaozhuang, "370700", Some("/370000/370700/")));
        let root = caller(Role::Sysadmin, "370000", "/370000/");
        assert!(may_manage(&root, "370700", Some("/370000/370700/")));
        assert!(!may_manage(&root, "440100", Some("/440000/440100/")));
        assert!(!may_manage(&root, "370700", None));
        let county = caller(Role::CountyAdmin, "370402", "/370000/370400/370402/");
        assert!(!may_manage(&county, "370400", Some("/370000/370400/")));
    }

    #[test]
    fn an_edit_lists_what_it_changes() {
        let def = preset("zaozhuang-2024").unwrap();
        let before = Program {
            row: crate::program::ProgramRow {
                id: 1,
                name: def.name.clone(),
                preset: def.preset.clone(),
                region_code: def.region_code.clone(),
                start_year: def.start_year,
                end_year: def.end_year,
                policy: String::new(),
                version: 1,
                created_at: chrono::NaiveDateTime::default(),
                updated_at: chrono::NaiveDateTime::default(),
            },
            policy: def.policy.clone(),
            quotas: def.quotas.clone(),
            catalog: def.catalog.clone(),
        };
        assert!(changes(&before, &def).is_empty());
        let mut after = def.clone();
        after.policy.requirements.online_minutes += 60;
        let changed = changes(&before, &after);
        assert_eq!(
            changed.keys().collect::<Vec<_>>(),
            ["requirements.online_minutes"]
        );
    }
}
