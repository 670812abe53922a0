//! Reading the bank's TOML files (format: question_bank/README.md). The shipped bank is
//! embedded in the binary by `build.rs`; `cunyi bank check --dir` reads one from disk.

use std::path::Path;

use serde::Deserialize;

use super::rules::Problem;
use super::{Difficulty, Frame, QType, Question};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/bank_files.rs"));
}

/// The collection name of the shipped bank.
pub const CORE: &str = "core";

/// The lint's thresholds shipped with the bank (question_bank/lint.toml).
pub const LINT_CONFIG: &str = include_str!("../../question_bank/lint.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    area: String,
    topic: String,
    /// The exam frame's segment; default by area.
    frame: Option<String>,
    tcm: Option<bool>,
    #[serde(default)]
    item: Vec<RawItem>,
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    #[serde(rename = "type")]
    qtype: Option<String>,
    difficulty: Option<String>,
    stem: String,
    options: Option<Vec<String>>,
    answer: String,
    explanation: Option<String>,
    source: Option<String>,
    tcm: Option<bool>,
    #[serde(default)]
    excludes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: String,
    #[serde(rename = "type")]
    qtype: String,
    difficulty: Option<String>,
    case: Option<String>,
    options: Option<Vec<String>>,
    explanation: Option<String>,
    source: Option<String>,
    tcm: Option<bool>,
    #[serde(default)]
    excludes: Vec<String>,
    #[serde(default)]
    item: Vec<RawItem>,
}

/// The shipped bank: every embedded file parsed, with the problems found on the way
/// (file-level ones; `rules::check_bank` finds the rest).
pub fn shipped() -> (Vec<Question>, Vec<Problem>) {
    parse_all(
        embedded::FILES
            .iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned())),
    )
}

/// A bank folder on disk, laid out like question_bank/.
pub fn read_dir(root: &Path) -> std::io::Result<(Vec<Question>, Vec<Problem>)> {
    let mut files = Vec::new();
    for area in std::fs::read_dir(root)? {
        let area = area?.path();
        // skills/ holds skill stations (crate::skills), not questions.
        if !area.is_dir() || area.file_name().is_some_and(|n| n == "skills") {
            continue;
        }
        for entry in std::fs::read_dir(&area)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((rel, std::fs::read_to_string(&path)?));
            }
        }
    }
    files.sort();
    Ok(parse_all(files.into_iter()))
}

fn parse_all(files: impl Iterator<Item = (String, String)>) -> (Vec<Question>, Vec<Problem>) {
    let (mut questions, mut problems) = (Vec::new(), Vec::new());
    for (path, text) in files {
        let (mut q, mut p) = parse_file(&path, &text);
        questions.append(&mut q);
        problems.append(&mut p);
    }
    (questions, problems)
}

/// One file: `path` is relative to the bank root (`public_health/diabetes.toml`); its
/// folder must be the file's `area`.
pub fn parse_file(path: &str, text: &str) -> (Vec<Question>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut problem =
        |location: String, message: String| problems.push(Problem { location, message });
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            problem(format!("{path}:{line}"), e.message().to_owned());
            return (Vec::new(), problems);
        }
    };
    let folder = path.split('/').next().unwrap_or_default();
    if path.contains('/') && folder != raw.area {
        problem(
            path.to_owned(),
            format!("area {:?} 与所在文件夹 {folder:?} 不一致", raw.area),
        );
    }
    let frame = match raw.frame.as_deref() {
        None => Frame::of_area(&raw.area),
        Some(f) => Frame::parse(f).unwrap_or_else(|| {
            problem(
                path.to_owned(),
                format!("frame {f:?} 应为 public_health、general_practice 或 humanities"),
            );
            Frame::of_area(&raw.area)
        }),
    };
    let file_tcm = raw.tcm.unwrap_or(false);
    let mut questions = Vec::new();
    let difficulty = |d: &Option<String>, at: &str, problem: &mut dyn FnMut(String, String)| match d
    {
        None => None,
        Some(s) => {
            let parsed = Difficulty::parse(s);
            if parsed.is_none() {
                problem(
                    at.to_owned(),
                    format!("难度 {s:?} 应为 easy、medium 或 hard"),
                );
            }
            parsed
        }
    };
    for item in &raw.item {
        let qtype = match item.qtype.as_deref().map(|t| (t, QType::parse(t))) {
            Some((_, Some(t))) if !t.is_group() => t,
            Some((t, _)) => {
                problem(
                    item.id.clone(),
                    format!(
                        "单题的题型应为 A1、A2、X 或 TF，而不是 {t:?}（A3/A4/B1 写在 [[group]] 中）"
                    ),
                );
                continue;
            }
            None => {
                problem(item.id.clone(), "缺少题型（type）".into());
                continue;
            }
        };
        questions.push(Question {
            qid: item.id.clone(),
            collection: CORE.into(),
            area: raw.area.clone(),
            topic: raw.topic.clone(),
            qtype,
            difficulty: difficulty(&item.difficulty, &item.id, &mut problem),
            group_id: None,
            case_text: None,
            stem: item.stem.clone(),
            options: item.options.clone().unwrap_or_default(),
            answer: item.answer.trim().to_owned(),
            explanation: item.explanation.clone().unwrap_or_default(),
            source: item.source.clone().unwrap_or_default(),
            frame,
            tcm: item.tcm.unwrap_or(file_tcm),
            excludes: item.excludes.clone(),
        });
    }
    for group in &raw.group {
        let Some(qtype) = QType::parse(&group.qtype).filter(|t| t.is_group()) else {
            problem(
                group.id.clone(),
                format!("题组的题型应为 A3、A4 或 B1，而不是 {:?}", group.qtype),
            );
            continue;
        };
        let group_difficulty = difficulty(&group.difficulty, &group.id, &mut problem);
        match qtype {
            QType::B1 => {
                if group.case.is_some() {
                    problem(
                        group.id.clone(),
                        "B1 题组没有共用病例（case），只有共用选项".into(),
                    );
                }
                if group.options.is_none() {
                    problem(group.id.clone(), "B1 题组缺少共用选项（options）".into());
                }
            }
            _ => {
                if group.options.is_some() {
                    problem(
                        group.id.clone(),
                        "A3/A4 题组的选项写在每道小题上，而不是题组上".into(),
                    );
                }
                if group.case.as_deref().is_none_or(|c| c.trim().is_empty()) {
                    problem(group.id.clone(), "A3/A4 题组缺少共用病例（case）".into());
                }
            }
        }
        for item in &group.item {
            if item.qtype.is_some() {
                problem(item.id.clone(), "题组中的小题不写题型（由题组决定）".into());
            }
            let options = match (qtype, &item.options) {
                (QType::B1, Some(_)) => {
                    problem(
                        item.id.clone(),
                        "B1 小题不写选项（使用题组的共用选项）".into(),
                    );
                    continue;
                }
                (QType::B1, None) => group.options.clone().unwrap_or_default(),
                (_, options) => options.clone().unwrap_or_default(),
            };
            let item_difficulty = difficulty(&item.difficulty, &item.id, &mut problem);
            questions.push(Question {
                qid: item.id.clone(),
                collection: CORE.into(),
                area: raw.area.clone(),
                topic: raw.topic.clone(),
                qtype,
                difficulty: item_difficulty.or(group_difficulty),
                group_id: Some(group.id.clone()),
                case_text: if qtype == QType::B1 {
                    None
                } else {
                    group.case.clone()
                },
                stem: item.stem.clone(),
                options,
                answer: item.answer.trim().to_owned(),
                explanation: item
                    .explanation
                    .clone()
                    .or_else(|| group.explanation.clone())
                    .unwrap_or_default(),
                source: item
                    .source
                    .clone()
                    .or_else(|| group.source.clone())
                    .unwrap_or_default(),
                frame,
                tcm: item.tcm.or(group.tcm).unwrap_or(file_tcm),
                excludes: merged(&item.excludes, &group.excludes),
            });
        }
        if group.item.is_empty() {
            problem(group.id.clone(), "题组没有小题".into());
        }
    }
    (questions, problems)
}

/// An item's enemies: its own, then its group's not already listed.
fn merged(item: &[String], group: &[String]) -> Vec<String> {
    let mut out = item.to_vec();
    out.extend(group.iter().filter(|g| !item.contains(g)).cloned());
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn groups_share_their_case_or_options_and_items_inherit_source() {
        let text = r#"
area = "emergency"
topic = "测试"

[[item]]
id = "em-t-001"
type = "TF"
difficulty = "easy"
stem = "陈述"
answer = "T"
explanation = "解析"
source = "出处"

[[group]]
id = "em-t-b1"
type = "B1"
difficulty = "hard"
options = ["甲", "乙", "丙", "丁", "戊"]
source = "教材"

  [[group.item]]
  id = "em-t-b1-1"
  stem = "一"
  answer = "A"
  explanation = "因为甲"

  [[group.item]]
  id = "em-t-b1-2"
  difficulty = "easy"
  stem = "二"
  answer = "C"
  explanation = "因为丙"
"#;
        let (questions, problems) = parse_file("emergency/t.toml", text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(questions.len(), 3);
        let b1 = &questions[1];
        assert_eq!(
            (b1.qtype, b1.group_id.as_deref(), b1.options.len()),
            (QType::B1, Some("em-t-b1"), 5)
        );
        assert_eq!(
            (b1.source.as_str(), b1.difficulty),
            ("教材", Some(Difficulty::Hard))
        );
        assert_eq!(questions[2].difficulty, Some(Difficulty::Easy));
    }

    #[test]
    fn a_syntax_error_names_the_line_and_a_misplaced_file_is_reported() {
        let (_, problems) = parse_file(
            "emergency/t.toml",
            "area = \"emergency\"\ntopic = \"x\"\n[[item]\n",
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].location.ends_with(":3"), "{problems:?}");
        let (_, problems) = parse_file("pharmacy/t.toml", "area = \"emergency\"\ntopic = \"x\"\n");
        assert!(problems[0].message.contains("不一致"));
    }

    pub(crate) const FRAMED: &str = r#"
area = "general_practice"
topic = "中医"
frame = "general_practice"
tcm = true

[[item]]
id = "gp-f-001"
type = "A1"
stem = "肝属"
options = ["木", "火", "土", "金", "水"]
answer = "A"
explanation = "五行"
source = "教材"
excludes = ["gp-f-002"]

[[item]]
id = "gp-f-002"
type = "TF"
tcm = false
stem = "肝属木"
answer = "T"
explanation = "五行"
source = "教材"

[[group]]
id = "gp-f-g1"
type = "B1"
tcm = false
excludes = ["gp-f-001"]
options = ["甲", "乙", "丙", "丁", "戊"]
source = "教材"
explanation = "解析"

  [[group.item]]
  id = "gp-f-g1-1"
  stem = "一"
  answer = "A"
  tcm = true
  excludes = ["gp-f-002", "gp-f-001"]

  [[group.item]]
  id = "gp-f-g1-2"
  stem = "二"
  answer = "B"
"#;

    #[test]
    fn frame_tcm_and_enemies_are_read_item_over_group_over_file() {
        let (questions, problems) = parse_file("general_practice/f.toml", FRAMED);
        assert!(problems.is_empty(), "{problems:?}");
        let by = |id: &str| questions.iter().find(|q| q.qid == id).unwrap();
        assert!(questions.iter().all(|q| q.frame == Frame::GeneralPractice));
        assert!(by("gp-f-001").tcm, "the file says 中医");
        assert!(!by("gp-f-002").tcm, "the item says not");
        assert!(by("gp-f-g1-1").tcm, "the item overrides its group");
        assert!(!by("gp-f-g1-2").tcm, "the group overrides the file");
        assert_eq!(by("gp-f-001").excludes, vec!["gp-f-002"]);
        assert_eq!(
            by("gp-f-g1-1").excludes,
            vec!["gp-f-002", "gp-f-001"],
            "the group's enemies join the item's, once"
        );
        assert_eq!(by("gp-f-g1-2").excludes, vec!["gp-f-001"]);
    }

    #[test]
    fn the_frame_defaults_by_area_and_a_wrong_one_is_named() {
        for (area, frame) in [
            ("public_health", Frame::PublicHealth),
            ("policy_law", Frame::Humanities),
            ("pharmacy", Frame::GeneralPractice),
        ] {
            let text = format!(
                "area = \"{area}\"\ntopic = \"t\"\n[[item]]\nid = \"x-001\"\ntype = \"TF\"\nstem = \"s\"\nanswer = \"T\"\n"
            );
            let (questions, problems) = parse_file(&format!("{area}/t.toml"), &text);
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!((questions[0].frame, questions[0].tcm), (frame, false));
        }
        let (_, problems) = parse_file(
            "pharmacy/t.toml",
            "area = \"pharmacy\"\ntopic = \"t\"\nframe = \"surgery\"\n",
        );
        assert!(problems[0].message.contains("frame"), "{problems:?}");
        let (_, problems) = parse_file(
            "pharmacy/t.toml",
            "area = \"pharmacy\"\ntopic = \"t\"\nenemies = []\n",
        );
        assert!(
            problems[0].message.contains("unknown field"),
            "{problems:?}"
        );
    }
}
