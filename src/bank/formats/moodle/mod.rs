//! Moodle XML (`<quiz><question type="…">`), as Moodle's own export writes it: HTML
//! question text in CDATA, entities, categories, general and per-answer feedback,
//! fractions. Mapped: `multichoice` (single → A1, several right → X) and `truefalse` →
//! TF; every other type (essay, shortanswer, matching, numerical, cloze, description …)
//! and questions with media in an option are reported in `skipped`; media in a stem is
//! removed with a warning.
//!
//! The file is read as a stream into a small tree, within budgets checked as it streams
//! (`Budget`: element depth, element count, text bytes), so a hostile file — 50,000
//! nested elements in 350 KB — is refused with a message instead of exhausting the
//! stack. Nothing here recurses on the file's depth beyond `Budget::MAX_DEPTH`.

mod xml;

pub use self::xml::Budget;
use self::xml::{Node, tree};
use super::{Found, Read, blank, decode_entities, html_to_text, key_of, malformed, media, tidy};
use crate::bank::{Malformed, QType, Skipped};

pub fn read(text: &str, area: &str) -> Read {
    let root = match tree(text) {
        Ok(root) => root,
        Err(fault) => {
            return Read {
                faults: vec![fault],
                ..Read::default()
            };
        }
    };
    if root.name != "quiz" {
        return Read::fatal(
            &format!("第 {} 行", root.line),
            format!("根元素应为 <quiz>，而不是 <{}>", root.name),
        );
    }
    let mut out = Read::default();
    let (mut category, mut topic) = (String::new(), String::new());
    let mut number = 0;
    for node in root.children.iter().filter(|n| n.name == "question") {
        let kind = node.attr("type").unwrap_or_default();
        if kind == "category" {
            category = node
                .child("category")
                .and_then(|c| c.child("text"))
                .map_or(String::new(), |t| t.text.trim().to_owned());
            topic = category
                .rsplit('/')
                .map(str::trim)
                .find(|s| !s.is_empty() && !s.starts_with('$') && *s != "top")
                .unwrap_or_default()
                .to_owned();
            continue;
        }
        number += 1;
        let position = format!("第 {number} 题（第 {} 行）", node.line);
        match question(node, kind, area, &topic, &category, &position, &mut out) {
            Ok(Some(found)) => out.found.push(found),
            Ok(None) => {}
            Err(fault) => out.faults.push(fault),
        }
    }
    out
}

/// One `<question>`: a question found, `None` when it is skipped (recorded in `out`), or
/// the fault.
fn question(
    node: &Node,
    kind: &str,
    area: &str,
    topic: &str,
    category: &str,
    position: &str,
    out: &mut Read,
) -> Result<Option<Found>, Malformed> {
    let name = node
        .child("name")
        .and_then(|n| n.child("text"))
        .map_or(String::new(), |t| tidy(&t.text));
    let mut skip = |reason: String| {
        out.skipped.push(Skipped {
            position: position.to_owned(),
            reason,
        });
        Ok(None)
    };
    let label = match kind {
        "multichoice" | "truefalse" => "",
        "shortanswer" => "简答 / 填空题（shortanswer）",
        "essay" => "问答题（essay）",
        "matching" => "配对题（matching）",
        "numerical" => "数值题（numerical）",
        "description" => "说明文字（description）",
        "multianswer" => "完形填空题（cloze / multianswer）",
        "ddwtos" | "gapselect" => "选词填空 / 拖放题",
        k if k.starts_with("calculated") => "计算题（calculated）",
        _ => "未知题型",
    };
    if !label.is_empty() {
        return skip(format!("{label}“{name}”无法映射为本系统题型，未导入"));
    }
    let (stem, removed) = node.rich("questiontext");
    if stem.is_empty() && !removed.is_empty() {
        return skip(format!(
            "“{name}”的题干只有{}，没有文字，无法导入",
            media::describe(&removed)
        ));
    }
    if stem.is_empty() {
        return Err(malformed(position, "题干（questiontext）为空".into()));
    }
    let (general, _) = node.rich("generalfeedback");
    let answers: Vec<&Node> = node
        .children
        .iter()
        .filter(|c| c.name == "answer")
        .collect();
    if answers.is_empty() {
        return Err(malformed(position, "选择题没有答案（<answer>）".into()));
    }
    let mut options = Vec::new();
    let mut fractions = Vec::new();
    let mut feedback = Vec::new();
    for a in &answers {
        let raw = a.child("text").map_or("", |t| t.text.as_str());
        let (_, kinds) = media::strip(raw);
        if !kinds.is_empty() || a.children.iter().any(|c| c.name == "file") {
            return skip(format!(
                "“{name}”的选项含{}，暂不支持导入",
                if kinds.is_empty() {
                    "文件".to_owned()
                } else {
                    media::describe(&kinds)
                }
            ));
        }
        let option = match a.attr("format") {
            Some("html") => html_to_text(raw),
            _ => tidy(&decode_entities(raw)),
        };
        let fraction: f64 = match a.attr("fraction").unwrap_or("0").trim().parse() {
            Ok(f) => f,
            Err(_) => {
                return Err(malformed(
                    &format!("第 {} 行", a.line),
                    "答案的 fraction 不是数字".into(),
                ));
            }
        };
        options.push(option);
        fractions.push(fraction);
        feedback.push(a.rich("feedback").0);
    }
    let right_feedback = |correct: &[bool]| -> String {
        correct
            .iter()
            .zip(&feedback)
            .filter(|(c, f)| **c && !f.is_empty())
            .map(|(_, f)| f.clone())
            .collect::<Vec<_>>()
            .join("；")
    };
    let mut q;
    if kind == "truefalse" {
        let truth = options
            .iter()
            .zip(&fractions)
            .find(|(_, f)| **f > 0.0)
            .map(|(o, _)| o.to_ascii_lowercase());
        let answer = match truth.as_deref() {
            Some("true" | "正确" | "对") => "T",
            Some("false" | "错误" | "错") => "F",
            _ => {
                return Err(malformed(
                    position,
                    "判断题应有一个得分的 true 或 false 答案".into(),
                ));
            }
        };
        let correct: Vec<bool> = fractions.iter().map(|f| *f > 0.0).collect();
        q = blank(area, topic, QType::TF);
        q.answer = answer.into();
        q.explanation = if general.is_empty() {
            right_feedback(&correct)
        } else {
            general
        };
    } else {
        let single = node
            .child("single")
            .is_none_or(|s| s.text.trim() != "false");
        let correct: Vec<bool> = if single {
            fractions.iter().map(|f| *f >= 99.99).collect()
        } else {
            fractions.iter().map(|f| *f > 0.0).collect()
        };
        let (qtype, answer) = key_of(&correct);
        let Some(qtype) = qtype else {
            return Err(malformed(
                position,
                "选择题没有正确答案（fraction=\"100\" 或正分值）".into(),
            ));
        };
        q = blank(area, topic, qtype);
        q.explanation = if general.is_empty() {
            right_feedback(&correct)
        } else {
            general
        };
        q.options = options;
        q.answer = answer;
    }
    if !removed.is_empty() {
        out.warn(
            position,
            format!(
                "“{name}”题干中的{}已删除（题目只保存文字），请核对题目是否仍可作答",
                media::describe(&removed)
            ),
        );
    }
    q.stem = stem;
    q.source = if name.is_empty() {
        "Moodle 导入".into()
    } else {
        format!("Moodle 导入：{name}")
    };
    let key = format!("{category}\u{1f}{name}\u{1f}{}", q.stem);
    Ok(Some(Found::new(position.to_owned(), key, q)))
}

#[cfg(test)]
mod tests;
