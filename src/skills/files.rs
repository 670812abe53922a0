//! Reading the station files (format: question_bank/skills/README.md). The shipped
//! stations are embedded by `build.rs`; `cunyi bank check --dir` reads a folder.

use std::path::Path;

use serde::Deserialize;

use super::{ItemDef, StationDef};
use crate::points::Points;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/skill_files.rs"));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStation {
    code: String,
    title: String,
    area: String,
    minutes: i32,
    max_points: Points,
    pass_points: Points,
    rating: Vec<String>,
    source: String,
    #[serde(default)]
    item: Vec<ItemDef>,
}

/// A problem found in a file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub location: String,
    pub message: String,
}

/// The shipped stations, with the problems found (parse errors, broken rules,
/// duplicate codes).
pub fn shipped() -> (Vec<StationDef>, Vec<FileProblem>) {
    parse_all(
        embedded::FILES
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned())),
    )
}

/// The stations of a bank folder on disk (its `skills/`; none if it has no such folder).
pub fn read_dir(root: &Path) -> std::io::Result<(Vec<StationDef>, Vec<FileProblem>)> {
    let dir = root.join("skills");
    if !dir.is_dir() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((format!("skills/{name}"), std::fs::read_to_string(&path)?));
        }
    }
    files.sort();
    Ok(parse_all(files.into_iter()))
}

fn parse_all(files: impl Iterator<Item = (String, String)>) -> (Vec<StationDef>, Vec<FileProblem>) {
    let mut stations = Vec::new();
    let mut problems = Vec::new();
    for (path, text) in files {
        match parse(&text) {
            Err(e) => problems.push(FileProblem {
                location: path,
                message: e,
            }),
            Ok(s) => {
                for (field, message) in super::rules::check_station(&s) {
                    problems.push(FileProblem {
                        location: format!("{path}: {field}"),
                        message,
                    });
                }
                stations.push(s);
            }
        }
    }
    for code in super::rules::duplicate_codes(stations.iter()) {
        problems.push(FileProblem {
            location: format!("skills/ code = {code}"),
            message: "站点代码重复".into(),
        });
    }
    (stations, problems)
}

/// One station file.
pub fn parse(text: &str) -> Result<StationDef, String> {
    let raw: RawStation = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(StationDef {
        code: raw.code,
        title: raw.title,
        area: raw.area,
        minutes: raw.minutes,
        max_points: raw.max_points,
        pass_points: raw.pass_points,
        items: raw.item,
        rating: raw.rating,
        source: raw.source,
    })
}

/// `cunyi bank check`'s part for the stations: prints a summary, returns the problems.
pub fn check(dir: Option<&Path>) -> std::io::Result<(usize, Vec<FileProblem>)> {
    let (stations, problems) = match dir {
        Some(d) => read_dir(d)?,
        None => shipped(),
    };
    Ok((stations.len(), problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_file_is_named_with_its_field() {
        let text = r#"
code = "x1"
title = "测试"
area = "emergency"
minutes = 5
max_points = 10
pass_points = 6
rating = ["1", "2", "3", "4", "5"]
source = "s"
[[item]]
code = "a"
text = "a"
points = 9
critical = true
"#;
        let (s, p) = parse_all([("skills/x1.toml".to_owned(), text.to_owned())].into_iter());
        assert_eq!(s.len(), 1);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].location, "skills/x1.toml: max_points");
        let (_, p) = parse_all([("skills/y.toml".to_owned(), "code = 1".to_owned())].into_iter());
        assert_eq!(p[0].location, "skills/y.toml");
    }
}
