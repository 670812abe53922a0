//! Pure rules of the region tree: code formats, levels, parents, paths and subtrees.

use std::collections::{HashMap, HashSet};

use super::{ImportError, RegionRow};

/// A level of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    City,
    County,
    Township,
    Village,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Province,
        Level::City,
        Level::County,
        Level::Township,
        Level::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// 省 / 市 / 区县 / 乡镇街道 / 村居.
    pub fn label(self) -> &'static str {
        match self {
            Level::Province => "省",
            Level::City => "市",
            Level::County => "区（市、县）",
            Level::Township => "镇（街道）",
            Level::Village => "村（居）",
        }
    }
}

/// A region code in GB/T 2260 form: 6 digits (province `xx0000`, city `xxxx00`, county),
/// 9 digits (township) or 12 digits (village). Functional zones use codes of the same
/// shapes that are not in the standard; they are flagged `is_gb = false`, not refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

impl RegionCode {
    /// Format check only; whether the code exists is the store's question.
    pub fn parse(raw: &str) -> Result<RegionCode, String> {
        let code = raw.trim();
        if code.is_empty() {
            return Err("行政区划代码不能为空".into());
        }
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("行政区划代码只能包含数字：{code}"));
        }
        if ![6, 9, 12].contains(&code.len()) {
            return Err(format!("行政区划代码应为 6、9 或 12 位数字：{code}"));
        }
        if code.starts_with("00") {
            return Err(format!("行政区划代码的省级部分无效：{code}"));
        }
        Ok(RegionCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level the code's shape says (Table 1 of GB/T 2260 plus the 9/12-digit
    /// township and village extensions).
    pub fn level(&self) -> Level {
        let c = &self.0;
        match c.len() {
            12 => Level::Village,
            9 => Level::Township,
            _ if c.ends_with("0000") => Level::Province,
            _ if c.ends_with("00") => Level::City,
            _ => Level::County,
        }
    }

    /// The parent the code's shape implies: village → township (first 9 digits),
    /// township → county (first 6), county → city (`xxxx00`), city → province
    /// (`xx0000`). A county directly under a province (e.g. 省直辖县) or a functional
    /// zone needs an explicit parent.
    pub fn implied_parent(&self) -> Option<RegionCode> {
        let c = &self.0;
        let parent = match self.level() {
            Level::Province => return None,
            Level::City => format!("{}0000", &c[..2]),
            Level::County => format!("{}00", &c[..4]),
            Level::Township => c[..6].to_owned(),
            Level::Village => c[..9].to_owned(),
        };
        Some(RegionCode(parent))
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The materialised path of a node: the parent's path plus its own code.
pub fn child_path(parent_path: Option<&str>, code: &RegionCode) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), code.as_str())
}

/// A subtree of the region tree, identified by its root's path. Store queries filter
/// `path >= lower AND path < upper`, one index range on both backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub code: String,
    pub path: String,
}

impl Scope {
    pub fn new(code: &str, path: &str) -> Scope {
        Scope {
            code: code.to_owned(),
            path: path.to_owned(),
        }
    }

    /// Inclusive lower bound: the root's own path.
    pub fn lower(&self) -> &str {
        &self.path
    }

    /// Exclusive upper bound: the path with its final `/` replaced by `0`, the next byte
    /// after `/`. Every descendant's path starts with the root's, so it sorts in between.
    pub fn upper(&self) -> String {
        match self.path.strip_suffix('/') {
            Some(stem) => format!("{stem}0"),
            None => format!("{}0", self.path),
        }
    }

    /// Is the node with this path in the subtree (the root included)?
    pub fn contains_path(&self, path: &str) -> bool {
        path.starts_with(&self.path)
    }

    /// Strictly below the root.
    pub fn strictly_contains_path(&self, path: &str) -> bool {
        path.len() > self.path.len() && self.contains_path(path)
    }
}

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

impl Level {
    /// The level of a node from its path depth (`/370000/` is depth 1, a province).
    pub fn from_path_depth(path: &str) -> Level {
        let depth = path.matches('/').count().saturating_sub(1);
        Level::ALL[depth.clamp(1, 5) - 1]
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
    use proptest::prelude::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents_follow_the_code_shape() {
        assert_eq!(code("370000").level(), Level::Province);
        assert_eq!(code("370400").level(), Level::City);
        assert_eq!(code("370481").level(), Level::County);
        assert_eq!(code("370402001").level(), Level::Township);
        assert_eq!(code("370402001101").level(), Level::Village);
        assert_eq!(code("370481").implied_parent(), Some(code("370400")));
        assert_eq!(code("370400").implied_parent(), Some(code("370000")));
        assert_eq!(
            code("370402001101").implied_parent(),
            Some(code("370402001"))
        );
        assert_eq!(code("370000").implied_parent(), None);
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        for bad in ["", "37040", "3704021", "37040a", "000000", "3704020011011"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn the_shipped_divisions_parse_and_hang_together() {
        let rows = builtin_rows(include_str!("gb2260.csv")).unwrap();
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

    proptest! {
        /// The range [lower, upper) holds exactly the paths that start with the root's.
        #[test]
        fn subtree_range_matches_prefix(
            root in "(/[0-9]{6}){1,3}/",
            other in "(/[0-9]{6}){1,3}(/[0-9]{3}){0,2}/",
        ) {
            let scope = Scope::new("x", &root);
            let in_range = other.as_str() >= scope.lower() && other < scope.upper();
            prop_assert_eq!(in_range, scope.contains_path(&other));
        }

        /// Every well-formed code below province level implies a parent one level up.
        #[test]
        fn implied_parent_is_one_level_up(c in "(3[0-9]{5}|3[0-9]{8}|3[0-9]{11})") {
            let code = RegionCode::parse(&c).unwrap();
            if let Some(parent) = code.implied_parent() {
                prop_assert!(parent.level() < code.level());
                prop_assert!(code.as_str().starts_with(parent.as_str().trim_end_matches('0')));
            }
        }
    }
}
