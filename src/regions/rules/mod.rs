//! Pure rules of the region tree: code formats, levels, parents, paths and subtrees;
//! checking an import (`import`).

mod import;

pub use import::{CheckedRow, builtin_rows, check_import};

crate::text_enum! {
    /// A level of the tree (GB/T 2260 and its township/village extensions).
    pub enum Level {
        Province = "province" / "省",
        City = "city" / "市",
        County = "county" / "区（市、县）",
        Township = "township" / "镇（街道）",
        Village = "village" / "村（居）",
    }
}

impl Level {
    /// The level of a node from its path depth (`/370000/` is depth 1, a province).
    pub fn from_path_depth(path: &str) -> Level {
        let depth = path.matches('/').count().saturating_sub(1);
        Level::ALL[depth.clamp(1, 5) - 1]
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

/// A true/false query parameter as forms and scripts send it: `true`/`1`,
/// `false`/`0`, or absent (false).
pub fn flag(raw: Option<&str>) -> Result<bool, String> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err("应为 true 或 false".into()),
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
    fn flags_are_true_false_or_absent() {
        assert_eq!(flag(None), Ok(false));
        assert_eq!(flag(Some(" 1 ")), Ok(true));
        assert_eq!(flag(Some("false")), Ok(false));
        assert!(flag(Some("yes")).is_err());
    }

    #[test]
    fn levels_are_stored_as_their_codes() {
        assert_eq!(Level::parse("county"), Some(Level::County));
        assert_eq!(Level::County.label(), "区（市、县）");
        assert_eq!(Level::from_path_depth("/370000/370400/"), Level::City);
        assert!(Level::Province < Level::Village);
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        for bad in ["", "37040", "3704021", "37040a", "000000", "3704020011011"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} accepted");
        }
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
