//! Importing questions written elsewhere: GIFT, Aiken and Moodle XML (as Moodle users
//! write them), and cunyi's `.xlsx` template. Each parser turns a file into candidate
//! questions and a list of what it could not map; this module gives them ids, checks
//! them and refuses the whole file at the first fault (422, nothing written).
//!
//! Ids of imported questions are `{collection}-{10 hex digits}`: a hash of the item's
//! category, title and stem, so importing the same file again updates the same
//! questions instead of adding copies.

pub mod aiken;
pub mod gift;
pub mod moodle;
pub mod xlsx;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::{Malformed, QType, Question, Skipped, rules};

/// The formats `POST /api/v1/question-bank/import` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gift,
    Aiken,
    MoodleXml,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gift" => Some(Format::Gift),
            "aiken" => Some(Format::Aiken),
            "moodle_xml" | "moodlexml" | "xml" => Some(Format::MoodleXml),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Gift => "gift",
            Format::Aiken => "aiken",
            Format::MoodleXml => "moodle_xml",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A question as a parser found it, before it has an id.
#[derive(Debug, Clone)]
pub struct Found {
    /// Where it starts in the file, for messages ("第 12 行").
    pub position: String,
    /// What identifies it across imports of the same file (category, title, stem).
    pub key: String,
    /// With an explicit id (the `.xlsx` template's 编号 column), used as given.
    pub explicit_id: Option<String>,
    pub question: Question,
}

/// What a parser returns: the questions it read and what it left, with reasons.
#[derive(Debug, Default)]
pub struct Read {
    pub found: Vec<Found>,
    pub skipped: Vec<Skipped>,
}

/// The result of an import: questions ready to store, and what was left.
#[derive(Debug)]
pub struct Imported {
    pub questions: Vec<Question>,
    pub skipped: Vec<Skipped>,
}

/// Largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Parse a file of `format` into questions of `collection` in `area`. The whole file
/// is refused at its first fault.
pub fn import(
    format: Format,
    bytes: &[u8],
    area: &str,
    collection: &str,
) -> Result<Imported, Malformed> {
    if bytes.len() > MAX_BYTES {
        return Err(malformed(
            "文件",
            format!("文件超过 {} MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let read = match format {
        Format::Gift => gift::read(&text_of(bytes)?, area)?,
        Format::Aiken => aiken::read(&text_of(bytes)?, area)?,
        Format::MoodleXml => moodle::read(&text_of(bytes)?, area)?,
        Format::Xlsx => xlsx::read(bytes, area)?,
    };
    finish(read, collection)
}

fn finish(read: Read, collection: &str) -> Result<Imported, Malformed> {
    let Read { found, mut skipped } = read;
    let mut questions: Vec<Question> = Vec::with_capacity(found.len());
    let mut seen: HashMap<String, String> = HashMap::new();
    for f in found {
        let mut q = f.question;
        q.collection = collection.to_owned();
        q.qid = f
            .explicit_id
            .unwrap_or_else(|| imported_id(collection, &f.key));
        // A group's id is the collection's own: `{collection}-{group as written}`.
        let prefix = format!("{collection}-");
        q.group_id = q.group_id.take().map(|g| {
            if g.starts_with(&prefix) {
                g
            } else {
                format!("{prefix}{g}")
            }
        });
        if let Some(first) = seen.get(&q.qid) {
            skipped.push(Skipped {
                position: f.position,
                reason: format!("与{first}的题目重复（编号 {}）", q.qid),
            });
            continue;
        }
        if let Some(problem) = rules::check_question(&q).into_iter().next() {
            return Err(malformed(&f.position, problem));
        }
        seen.insert(q.qid.clone(), f.position);
        questions.push(q);
    }
    if questions.is_empty() && skipped.is_empty() {
        return Err(malformed("文件", "文件中没有找到题目".into()));
    }
    Ok(Imported { questions, skipped })
}

/// The id of an imported question: stable across re-imports of the same file.
pub fn imported_id(collection: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("{collection}-{}", &hex::encode(digest)[..10])
}

pub fn malformed(position: &str, message: String) -> Malformed {
    Malformed {
        position: position.to_owned(),
        message,
    }
}

/// A text file as UTF-8 (a BOM dropped), or GB18030 as Windows tools in China save it.
pub fn text_of(bytes: &[u8]) -> Result<String, Malformed> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.is_empty() {
        return Err(malformed("文件", "文件是空的".into()));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(malformed(
                    "文件",
                    "无法识别文件编码：请保存为 UTF-8（或 GBK）文本".into(),
                ));
            }
            decoded.into_owned()
        }
    };
    if text.contains('\0') {
        return Err(malformed("文件", "文件含二进制内容，不是文本文件".into()));
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// HTML (Moodle's question text) as plain text: tags dropped, paragraphs and line
/// breaks kept as newlines, entities decoded, runs of blank space collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            out.push_str(&decode_entities(&rest[lt..]));
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let block = matches!(
            name.as_str(),
            "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4"
        );
        if name == "br" || (closing && block) {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    tidy(&out)
}

/// Trim each line, drop blank lines at the ends, collapse repeated blank lines.
pub fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim()).collect();
    let mut out = String::new();
    let mut blank = false;
    for line in lines {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank {
                out.push('\n');
            }
        }
        blank = false;
        out.push_str(line);
    }
    out
}

/// `&amp;`, `&#160;`, `&nbsp;` and the other entities question editors produce.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push_str(&c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        let c = char::from_u32(code)?;
        return Some(if c == '\u{a0}' {
            ' '.to_string()
        } else {
            c.to_string()
        });
    }
    let s = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
        "ldquo" => "“",
        "rdquo" => "”",
        "lsquo" => "‘",
        "rsquo" => "’",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "middot" => "·",
        "times" => "×",
        "divide" => "÷",
        "deg" => "°",
        "plusmn" => "±",
        "le" => "≤",
        "ge" => "≥",
        "micro" => "µ",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "mu" => "μ",
        _ => return None,
    };
    Some(s.to_owned())
}

/// The answer letters of the options marked correct: one (single best) or several (X).
pub fn key_of(correct: &[bool]) -> (Option<QType>, String) {
    let letters: String = correct
        .iter()
        .enumerate()
        .filter(|(_, c)| **c)
        .map(|(i, _)| Question::letter(i))
        .collect();
    let qtype = match letters.len() {
        0 => None,
        1 => Some(QType::A1),
        _ => Some(QType::X),
    };
    (qtype, letters)
}

/// A blank question of `area` to fill in.
pub fn blank(area: &str, topic: &str, qtype: QType) -> Question {
    Question {
        qid: String::new(),
        collection: String::new(),
        area: area.to_owned(),
        topic: if topic.trim().is_empty() {
            "导入".to_owned()
        } else {
            topic.trim().to_owned()
        },
        qtype,
        difficulty: None,
        group_id: None,
        case_text: None,
        stem: String::new(),
        options: Vec::new(),
        answer: String::new(),
        explanation: String::new(),
        source: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text(
                "<p dir=\"ltr\">患者&nbsp;男，<b>62</b>&#23681;</p><p>血压 &lt;140/90&gt; mmHg&amp;</p>"
            ),
            "患者 男，62岁\n血压 <140/90> mmHg&"
        );
        assert_eq!(decode_entities("a &unknown; b & c"), "a &unknown; b & c");
    }

    #[test]
    fn gbk_text_files_are_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("高血压\r\n");
        assert_eq!(text_of(&gbk).unwrap(), "高血压\n");
        assert!(text_of(b"").is_err());
    }

    #[test]
    fn keys_become_types() {
        assert_eq!(key_of(&[false, true, false]), (Some(QType::A1), "B".into()));
        assert_eq!(key_of(&[true, false, true]), (Some(QType::X), "AC".into()));
        assert_eq!(key_of(&[false, false]).0, None);
    }
}
