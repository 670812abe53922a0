//! Checking a region import against itself and the tree, and the shipped divisions.

use std::collections::{HashMap, HashSet};

use super::{Level, RegionCode, Scope, child_path};
use crate::regions::{ImportError, RegionRow};

/// What an import row resolves to once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRow {
    pub code: RegionCode,
    pub name: String,
    pub parent: RegionCode,
    pub is_gb: bool,
}

/// Check import rows against each other and against the nodes that exist (code → path).
/// A parent may be an existing node or an earlier row. Rows must fall strictly inside
/// `scope` (nobody renames their own region or anything above it). Returns the rows in
/// file order or every problem found; `first_row` is the file row number of `rows[0]`.
pub fn check_import(
    rows: &[RegionRow],
    existing: &HashMap<String, String>,
    scope: &Scope,
    first_row: usize,
) -> Result<Vec<CheckedRow>, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // code → path, for rows accepted so far (so later rows may hang under them).
    let mut new_paths: HashMap<String, String> = HashMap::new();
    let mut error = |row: usize, field: &str, message: String| {
        errors.push(ImportError {
            row,
            field: field.to_owned(),
            message,
        })
    };
    for (i, raw) in rows.iter().enumerate() {
        let row = first_row + i;
        let code = match RegionCode::parse(&raw.code) {
            Ok(c) => c,
            Err(m) => {
                error(row, "code", m);
                continue;
            }
        };
        if let Some(first) = seen.insert(code.as_str().to_owned(), row) {
            error(row, "code", format!("代码 {code} 与第 {first} 行重复"));
            continue;
        }
        let name = raw.name.trim();
        let name_len = name.chars().count();
        if name_len == 0 {
            error(row, "name", "名称不能为空".into());
        } else if name_len > 50 || name.chars().any(char::is_control) {
            error(row, "name", "名称应为 1–50 个字符，且不含控制字符".into());
        }
        let parent = match raw.parent_code.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => match RegionCode::parse(p) {
                Ok(p) => Some(p),
                Err(m) => {
                    error(row, "parent_code", m);
                    continue;
                }
            },
            _ => code.implied_parent(),
        };
        let Some(parent) = parent else {
            error(row, "code", "省级区划不能导入，请联系系统管理员".into());
            continue;
        };
        if parent == code {
            error(row, "parent_code", "上级代码不能是自身".into());
            continue;
        }
        let parent_path = existing
            .get(parent.as_str())
            .or_else(|| new_paths.get(parent.as_str()));
        let Some(parent_path) = parent_path else {
            error(
                row,
                "parent_code",
                format!("上级区划 {parent} 不存在（须已存在或在本文件中更早出现）"),
            );
            continue;
        };
        if code.level() <= Level::from_path_depth(parent_path) {
            error(
                row,
                "code",
                format!("代码 {code} 的层级不低于上级 {parent}，请检查代码位数"),
            );
            continue;
        }
        let path = child_path(Some(parent_path), &code);
        if let Some(old) = existing.get(code.as_str())
            && *old != path
        {
            error(row, "parent_code", format!("不能更改 {code} 的上级区划"));
            continue;
        }
        if !scope.strictly_contains_path(&path) {
            error(row, "code", format!("{code} 不在您的管辖范围内"));
            continue;
        }
        if name_len == 0 || name_len > 50 || name.chars().any(char::is_control) {
            continue;
        }
        new_paths.insert(code.as_str().to_owned(), path);
        checked.push(CheckedRow {
            code,
            name: name.to_owned(),
            parent,
            is_gb: raw.is_gb,
        });
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

/// Codes and names for the shipped data must be unique and well-formed; returned in
/// parent-before-child order.
pub fn builtin_rows(csv_text: &str) -> Result<Vec<(RegionCode, String)>, String> {
    let mut out = Vec::new();
    let mut codes = HashSet::new();
    for (i, line) in csv_text.lines().enumerate().skip(1) {
        let Some((code, name)) = line.split_once(',') else {
            return Err(format!("line {}: expected code,name", i + 1));
        };
        let code = RegionCode::parse(code).map_err(|e| format!("line {}: {e}", i + 1))?;
        if !codes.insert(code.clone()) {
            return Err(format!("line {}: duplicate {code}", i + 1));
        }
        out.push((code, name.trim().to_owned()));
    }
    out.sort_by_key(|(code, _)| (code.level(), code.clone()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_divisions_parse_and_hang_together() {
        let rows = builtin_rows(include_str!("../gb2260.csv")).unwrap();
        assert_eq!(rows.len(), 21);
        assert_eq!(rows[0].0.as_str(), "370000");
        let codes: HashSet<_> = rows.iter().map(|(c, _)| c.clone()).collect();
        for (c, _) in &rows[1..] {
            assert!(codes.contains(&c.implied_parent().unwrap()), "{c} orphaned");
        }
        let zaozhuang = rows
            .iter()
            .filter(|(c, _)| c.as_str().starts_with("3704"))
            .count();
        assert_eq!(zaozhuang, 7, "枣庄市 and its six districts");
        let weifang = rows
            .iter()
            .filter(|(c, _)| c.as_str().starts_with("3707"))
            .count();
        assert_eq!(weifang, 13, "潍坊市 and its twelve divisions");
    }

    fn existing() -> HashMap<String, String> {
        [
            ("370000", "/370000/"),
            ("370400", "/370000/370400/"),
            ("370402", "/370000/370400/370402/"),
            ("370403", "/370000/370400/370403/"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
    }

    fn row(code: &str, name: &str) -> RegionRow {
        RegionRow {
            code: code.into(),
            name: name.into(),
            parent_code: None,
            is_gb: true,
        }
    }

    #[test]
    fn an_import_may_hang_villages_under_townships_of_the_same_file() {
        let county = Scope::new("370402", "/370000/370400/370402/");
        let rows = [row("370402001", "中心街街道"), row("370402001101", "一村")];
        let checked = check_import(&rows, &existing(), &county, 2).unwrap();
        assert_eq!(checked.len(), 2);
        assert_eq!(checked[1].parent.as_str(), "370402001");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_row_and_column() {
        let county = Scope::new("370402", "/370000/370400/370402/");
        let rows = [
            row("370402001", ""),
            row("37040200x", "坏代码"),
            row("370403001", "邻县的镇"),
            row("370402999101", "没有上级的村"),
            row("370402001", "重复"),
        ];
        let errors = check_import(&rows, &existing(), &county, 2).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "name"),
                (3, "code"),
                (4, "code"),
                (5, "parent_code"),
                (6, "code")
            ]
        );
    }

    #[test]
    fn nobody_renames_their_own_region() {
        let county = Scope::new("370402", "/370000/370400/370402/");
        let errors = check_import(&[row("370402", "改名")], &existing(), &county, 2).unwrap_err();
        assert_eq!(errors[0].field, "code");
    }
}
