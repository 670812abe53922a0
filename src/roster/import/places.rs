//! Step 2a: the county's townships and villages, to resolve the names or codes a row
//! gives for where its doctor works.

use std::collections::HashMap;

use crate::regions::Level;
use crate::roster::store::import::PlaceRow;

/// A region of the county: its level and parent.
struct Place {
    level: Level,
    parent: Option<String>,
}

/// The county's townships and villages, by code and by name.
pub struct Places {
    county: String,
    by_code: HashMap<String, Place>,
    villages_by_name: HashMap<String, Vec<String>>,
    townships_by_name: HashMap<String, Vec<String>>,
}

/// Is this a township (9 digits) or village (12 digits) code rather than a name?
fn is_code(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit()) && matches!(s.len(), 9 | 12)
}

impl Places {
    /// Index the county's regions (names without the demo suffix `（演示）`).
    pub fn new(county: &str, rows: Vec<PlaceRow>) -> Places {
        let mut places = Places {
            county: county.to_owned(),
            by_code: HashMap::new(),
            villages_by_name: HashMap::new(),
            townships_by_name: HashMap::new(),
        };
        for row in rows {
            let level = row.level;
            let key = row.name.trim_end_matches("（演示）").to_owned();
            match level {
                Level::Village => places
                    .villages_by_name
                    .entry(key)
                    .or_default()
                    .push(row.code.clone()),
                Level::Township => places
                    .townships_by_name
                    .entry(key)
                    .or_default()
                    .push(row.code.clone()),
                _ => {}
            }
            places.by_code.insert(
                row.code,
                Place {
                    level,
                    parent: row.parent_code,
                },
            );
        }
        places
    }

    /// Is this code a village of the county?
    pub fn is_village(&self, code: &str) -> bool {
        self.by_code
            .get(code)
            .is_some_and(|p| p.level == Level::Village)
    }

    /// The region a row names: a village (within the township, if given) or township by
    /// name or code; the county itself when neither. The error names the column at fault.
    pub fn resolve(
        &self,
        township: Option<&str>,
        village: Option<&str>,
    ) -> Result<String, (&'static str, String)> {
        let township_code = match township {
            None => None,
            Some(t) => Some(self.township(t)?),
        };
        match village {
            None => Ok(township_code.unwrap_or_else(|| self.county.clone())),
            Some(v) if is_code(v) => match self.by_code.get(v) {
                Some(p)
                    if p.level == Level::Village
                        && (township_code.is_none() || p.parent == township_code) =>
                {
                    Ok(v.to_owned())
                }
                _ => Err((
                    "village",
                    format!(
                        "村代码 {v} 不在本区县{}",
                        township.map(|t| format!("的{t}")).unwrap_or_default()
                    ),
                )),
            },
            Some(v) => {
                let candidates: Vec<&String> = self
                    .villages_by_name
                    .get(v)
                    .map(|c| {
                        c.iter()
                            .filter(|code| {
                                township_code
                                    .as_ref()
                                    .is_none_or(|t| code.starts_with(t.as_str()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match candidates.as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err((
                        "village",
                        format!(
                            "没有找到名为“{v}”的村{}，请先导入行政区划或填写村代码",
                            township.map(|t| format!("（{t}）")).unwrap_or_default()
                        ),
                    )),
                    _ => Err((
                        "village",
                        format!("有多个名为“{v}”的村，请同时填写所在镇或填写村代码"),
                    )),
                }
            }
        }
    }

    /// A township of the county by code or unique name.
    fn township(&self, t: &str) -> Result<String, (&'static str, String)> {
        if is_code(t) {
            return match self.by_code.get(t) {
                Some(p) if p.level == Level::Township => Ok(t.to_owned()),
                _ => Err(("township", format!("乡镇代码 {t} 不在本区县"))),
            };
        }
        match self.townships_by_name.get(t).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(_) => Err((
                "township",
                format!("本区县有多个名为“{t}”的乡镇，请填写乡镇代码"),
            )),
            None => Err((
                "township",
                format!("本区县没有名为“{t}”的乡镇（街道），请先导入行政区划"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, name: &str, level: &str, parent: Option<&str>) -> PlaceRow {
        PlaceRow {
            code: code.into(),
            name: name.into(),
            level: Level::parse(level).unwrap(),
            parent_code: parent.map(Into::into),
        }
    }

    fn places() -> Places {
        Places::new(
            "370402",
            vec![
                row("370402", "市中区", "county", Some("370400")),
                row("370402001", "中心街街道", "township", Some("370402")),
                row("370402002", "光明路街道", "township", Some("370402")),
                row("370402001101", "东村", "village", Some("370402001")),
                row("370402002101", "东村", "village", Some("370402002")),
                row("370402002102", "西村（演示）", "village", Some("370402002")),
            ],
        )
    }

    #[test]
    fn names_and_codes_resolve_within_the_county() {
        let p = places();
        assert_eq!(p.resolve(None, None), Ok("370402".into()));
        assert_eq!(p.resolve(Some("光明路街道"), None), Ok("370402002".into()));
        assert_eq!(
            p.resolve(Some("光明路街道"), Some("东村")),
            Ok("370402002101".into())
        );
        assert_eq!(p.resolve(None, Some("西村")), Ok("370402002102".into()));
        assert_eq!(
            p.resolve(None, Some("370402001101")),
            Ok("370402001101".into())
        );
        assert!(p.is_village("370402001101") && !p.is_village("370402001"));
    }

    #[test]
    fn ambiguous_unknown_and_foreign_places_name_their_column() {
        let p = places();
        let col = |r: Result<String, (&'static str, String)>| r.unwrap_err().0;
        assert_eq!(col(p.resolve(None, Some("东村"))), "village");
        assert_eq!(col(p.resolve(None, Some("北村"))), "village");
        assert_eq!(col(p.resolve(Some("南街道"), None)), "township");
        assert_eq!(col(p.resolve(Some("370403001"), None)), "township");
        assert_eq!(
            col(p.resolve(Some("中心街街道"), Some("370402002101"))),
            "village"
        );
    }
}
