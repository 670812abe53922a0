//! Importing questions written elsewhere: GIFT, Aiken and Moodle XML (as Moodle users
//! write them), and cunyi's `.xlsx` template. Each parser turns a file into candidate
//! questions, what it could not map (`skipped`), what it changed (`warnings`: media
//! removed from a stem) and every fault it found; this module gives the questions ids,
//! checks them and refuses the whole file when there is any fault (422 listing every
//! fault, nothing written).
//!
//! Ids of imported questions are `{collection}-{10 hex digits}`: a hash of the item's
//! category, title and stem, so importing the same file again updates the same
//! questions instead of adding copies. A file exported by cunyi carries each question's
//! id (the `.xlsx` 编号 column, a `// cunyi:` line before each GIFT question): imported
//! into the same collection, it updates those questions.

pub mod aiken;
pub mod gift;
pub mod media;
pub mod moodle;
mod text;
pub mod xlsx;

pub use self::text::{decode_entities, html_to_text, text_of, tidy};

use sha2::{Digest, Sha256};

use super::rules::duplicates::{self, Duplicate};
use super::{Difficulty, Frame, Malformed, QType, Question, Refusal, Skipped, rules};

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
    /// What a cunyi GIFT export says of the question: applied when the file is imported
    /// into the collection it was exported from.
    pub exported: Option<gift::Meta>,
    pub question: Question,
}

impl Found {
    pub fn new(position: String, key: String, question: Question) -> Found {
        Found {
            position,
            key,
            explicit_id: None,
            exported: None,
            question,
        }
    }
}

/// What a parser returns: the questions it read, what it left and what it changed
/// (with reasons), and every fault it found.
#[derive(Debug, Default)]
pub struct Read {
    pub found: Vec<Found>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Skipped>,
    pub faults: Vec<Malformed>,
}

impl Read {
    /// A file that cannot be read on at all.
    pub fn fatal(position: &str, message: impl Into<String>) -> Read {
        Read {
            faults: vec![malformed(position, message.into())],
            ..Read::default()
        }
    }

    pub fn fault(&mut self, position: &str, message: impl Into<String>) {
        self.faults.push(malformed(position, message.into()));
    }

    pub fn warn(&mut self, position: &str, reason: impl Into<String>) {
        self.warnings.push(Skipped {
            position: position.to_owned(),
            reason: reason.into(),
        });
    }
}

/// The result of an import: questions ready to store (with where each is in the file),
/// what was left and what was changed.
#[derive(Debug)]
pub struct Imported {
    pub questions: Vec<Question>,
    /// Where each of `questions` is in the file.
    pub positions: Vec<String>,
    pub skipped: Vec<Skipped>,
    /// Imported, but changed: media removed from a stem.
    pub warnings: Vec<Skipped>,
}

/// Largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Parse a file of `format` into questions of `collection` in `area`. A file with any
/// fault is refused whole, with every fault listed.
pub fn import(
    format: Format,
    bytes: &[u8],
    area: &str,
    collection: &str,
) -> Result<Imported, Refusal> {
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::one(
            "文件",
            format!("文件超过 {} MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let read = match format {
        Format::Gift => gift::read(&text_of(bytes)?, area),
        Format::Aiken => aiken::read(&text_of(bytes)?, area),
        Format::MoodleXml => moodle::read(&text_of(bytes)?, area),
        Format::Xlsx => xlsx::read(bytes, area),
    };
    finish(read, collection)
}

fn finish(read: Read, collection: &str) -> Result<Imported, Refusal> {
    let Read {
        found,
        mut skipped,
        warnings,
        mut faults,
    } = read;
    let mut candidates: Vec<(String, Question)> = Vec::with_capacity(found.len());
    for f in found {
        let mut q = f.question;
        q.collection = collection.to_owned();
        q.qid = f
            .explicit_id
            .unwrap_or_else(|| imported_id(collection, &f.key));
        if let Some(meta) = f.exported.filter(|m| m.collection == collection) {
            apply_export(&mut q, meta);
        }
        // A group's id is the collection's own: `{collection}-{group as written}`.
        let prefix = format!("{collection}-");
        q.group_id = q.group_id.take().map(|g| {
            if g.starts_with(&prefix) {
                g
            } else {
                format!("{prefix}{g}")
            }
        });
        // Imported questions take their area's frame, are not 中医 and have no enemies.
        q.frame = Frame::of_area(&q.area);
        q.tcm = false;
        q.excludes = Vec::new();
        candidates.push((f.position, q));
    }
    let batch: Vec<&Question> = candidates.iter().map(|(_, q)| q).collect();
    let repeats = duplicates::within(&batch);
    let mut questions = Vec::with_capacity(candidates.len());
    let mut positions = Vec::with_capacity(candidates.len());
    for (i, (position, q)) in candidates.iter().enumerate() {
        match repeats[i] {
            Some(Duplicate::Same(first)) => {
                skipped.push(Skipped {
                    position: position.clone(),
                    reason: format!("与{}的题目重复，未重复导入", candidates[first].0),
                });
                continue;
            }
            Some(Duplicate::Contradicts(first)) => faults.push(malformed(
                position,
                format!(
                    "与{}的题目相同，但答案不同（{} 与 {}），请核对后保留正确的一题",
                    candidates[first].0,
                    duplicates::key_described(&candidates[first].1),
                    duplicates::key_described(q),
                ),
            )),
            None => {}
        }
        for problem in rules::check_question(q) {
            faults.push(malformed(position, problem));
        }
        questions.push(q.clone());
        positions.push(position.clone());
    }
    if !faults.is_empty() {
        // In file order: the parsers' faults and the checks' come in separate runs.
        faults.sort_by_key(|f| line_of(&f.position));
        return Err(Refusal { faults });
    }
    if questions.is_empty() && skipped.is_empty() {
        return Err(Refusal::one("文件", "文件中没有找到题目"));
    }
    Ok(Imported {
        questions,
        positions,
        skipped,
        warnings,
    })
}

/// The line a position names: its last number (`第 3 题（第 41 行）` → 41, `文件` → 0).
fn line_of(position: &str) -> usize {
    let mut last = 0;
    let mut current: Option<usize> = None;
    for c in position.chars() {
        match c.to_digit(10) {
            Some(d) => current = Some(current.unwrap_or(0).saturating_mul(10) + d as usize),
            None => {
                if let Some(n) = current.take() {
                    last = n;
                }
            }
        }
    }
    current.unwrap_or(last)
}

/// A question exported by cunyi, imported into its own collection again: its id and
/// everything GIFT cannot say (area, topic, difficulty, source, the A2–B1 type and the
/// group with its case) come back from the export's `// cunyi:` line.
fn apply_export(q: &mut Question, meta: gift::Meta) {
    q.qid = meta.id;
    if let Some(area) = meta.area.filter(|a| crate::areas::is_area(a)) {
        q.area = area;
    }
    if let Some(topic) = meta.topic {
        q.topic = topic;
    }
    if let Some(d) = meta.difficulty.as_deref().and_then(Difficulty::parse) {
        q.difficulty = Some(d);
    }
    if let Some(source) = meta.source {
        q.source = source;
    }
    let Some(qtype) = meta.qtype.as_deref().and_then(QType::parse) else {
        return;
    };
    let single = |t: QType| !matches!(t, QType::X | QType::TF);
    if qtype == q.qtype || (single(qtype) && single(q.qtype)) {
        match (qtype, meta.case) {
            (QType::A3 | QType::A4, Some(case)) => {
                let Some(stem) = q.stem.strip_prefix(&format!("{case}\n")) else {
                    return;
                };
                q.stem = stem.to_owned();
                q.case_text = Some(case);
            }
            (QType::A3 | QType::A4, None) => return,
            _ => {}
        }
        if qtype.is_group() {
            let Some(group) = meta.group else { return };
            q.group_id = Some(group);
        }
        q.qtype = qtype;
    }
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
        frame: Frame::of_area(area),
        tcm: false,
        excludes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_sort_by_their_line() {
        assert_eq!(line_of("第 3 题（第 41 行）"), 41);
        assert_eq!(line_of("第 12 行「答案」"), 12);
        assert_eq!(line_of("文件"), 0);
    }

    #[test]
    fn keys_become_types() {
        assert_eq!(key_of(&[false, true, false]), (Some(QType::A1), "B".into()));
        assert_eq!(key_of(&[true, false, true]), (Some(QType::X), "AC".into()));
        assert_eq!(key_of(&[false, false]).0, None);
    }
}
