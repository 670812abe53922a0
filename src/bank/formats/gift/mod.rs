//! GIFT, Moodle's plain-text question format, as Moodle users write it: `//` comments,
//! `$CATEGORY:` lines, `::title::`, `[html]` and the other text formats (on the
//! question, each answer and each feedback, stripped as Moodle strips them), `\~ \= \#
//! \{ \} \:` escapes, per-answer `#feedback` and `####general feedback`, `%50%` weights.
//!
//! Mapped: multiple choice with one right answer → A1, several right (positive weights)
//! → X, `{T}`/`{FALSE}` → TF. Reported in `skipped`: descriptions, essays, short answer,
//! numerical, matching and multi-gap (cloze) questions, and questions with media in an
//! option. Media in a stem is removed with a warning.
//!
//! cunyi's own export writes a `// cunyi: {json}` comment before each question (`Meta`):
//! Moodle ignores it; imported into the same collection, it keeps the question's id and
//! what GIFT cannot say.

mod question;
mod tokens;

use serde::{Deserialize, Serialize};

use self::question::{Parsed, question};
use self::tokens::tokens;
use super::media;
use super::{Found, Read, blank, malformed};
use crate::bank::{Malformed, Skipped};

/// What a cunyi export says of a question beyond GIFT (`// cunyi: {…}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub id: String,
    pub collection: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub qtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The comment line that carries a `Meta`.
pub const META_PREFIX: &str = "// cunyi:";

struct Block {
    line: usize,
    text: String,
    meta: Option<Meta>,
}

pub fn read(text: &str, area: &str) -> Read {
    let mut out = Read::default();
    let mut topic = String::new();
    let mut category = String::new();
    let (blocks, unclosed) = blocks(text);
    for block in blocks {
        let position = format!("第 {} 行", block.line);
        let trimmed = block.text.trim_start();
        if let Some(rest) = trimmed.strip_prefix("$CATEGORY:") {
            category = rest.trim().to_owned();
            topic = category
                .rsplit('/')
                .map(str::trim)
                .find(|s| !s.is_empty() && !s.starts_with('$') && *s != "top")
                .unwrap_or_default()
                .to_owned();
            continue;
        }
        let toks = tokens(&block.text);
        match question(&toks, &position) {
            Err(fault) => out.faults.push(fault),
            Ok(Parsed::Skip(reason)) => out.skipped.push(Skipped { position, reason }),
            Ok(Parsed::Question {
                title,
                stem,
                removed,
                kind,
            }) => {
                let (qtype, options, answer, explanation) = kind;
                if !removed.is_empty() {
                    out.warn(
                        &position,
                        format!(
                            "题干中的{}已删除（题目只保存文字），请核对题目是否仍可作答",
                            media::describe(&removed)
                        ),
                    );
                }
                let mut q = blank(area, &topic, qtype);
                q.stem = stem;
                q.options = options;
                q.answer = answer;
                q.explanation = explanation;
                q.source = if title.is_empty() {
                    "GIFT 导入".into()
                } else {
                    format!("GIFT 导入：{title}")
                };
                let key = format!("{category}\u{1f}{title}\u{1f}{}", q.stem);
                let mut found = Found::new(position, key, q);
                found.exported = block.meta;
                out.found.push(found);
            }
        }
    }
    out.faults.extend(unclosed);
    out
}

/// Question blocks: runs of lines separated by blank lines, with `//` comment lines
/// dropped (a `// cunyi:` line is kept for the next block); a block whose `{` is still
/// open continues past a blank line. Each block comes with its first line's number; a
/// last block still open at the end of the file is a fault.
fn blocks(text: &str) -> (Vec<Block>, Option<Malformed>) {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut meta: Option<Meta> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            if current.is_none()
                && let Some(json) = trimmed.strip_prefix(META_PREFIX)
            {
                meta = serde_json::from_str(json.trim()).ok();
            }
            continue;
        }
        if line.trim().is_empty() {
            if let Some(block) = current.take() {
                if open_brace(&block.text) {
                    current = Some(Block {
                        text: block.text + "\n",
                        ..block
                    });
                } else {
                    blocks.push(block);
                }
            }
            continue;
        }
        match &mut current {
            Some(block) => {
                block.text.push('\n');
                block.text.push_str(line);
            }
            None => {
                current = Some(Block {
                    line: n,
                    text: line.to_owned(),
                    meta: meta.take(),
                })
            }
        }
    }
    let mut unclosed = None;
    if let Some(block) = current {
        if open_brace(&block.text) {
            unclosed = Some(malformed(
                &format!("第 {} 行", block.line),
                "答案区的 { 没有对应的 }".into(),
            ));
        } else {
            blocks.push(block);
        }
    }
    (blocks, unclosed)
}

fn open_brace(block: &str) -> bool {
    let mut depth = 0i32;
    for (c, escaped) in tokens(block) {
        match (c, escaped) {
            ('{', false) => depth += 1,
            ('}', false) => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests;
