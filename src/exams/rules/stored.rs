//! A paper as stored (issue 14). Each item is split in two:
//! - its **content**: what the bank said when it was drawn (stem, options in the bank's
//!   order, answer, explanation…). Kept once per content in `paper_items`, keyed by the
//!   hash of its JSON, so it can never change under a paper;
//! - what is the **candidate's own**: the option order, the points and the blueprint line,
//!   kept in the attempt with the content's key.
//!
//! A province's 20,000 papers of 50 items share a few hundred contents. Stored whole, each
//! paper was ~30 KB, written (and on PostgreSQL compressed and WAL-logged) at every start.
//! Papers stored whole before keep their form (a JSON array) and read as before; a paper
//! of references is a JSON object (`{"v":2,"items":[…]}`).
//!
//! Everything here is pure: the store reads and writes the contents
//! (`exams::store::papers`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::bank::{QType, Question};
use crate::exams::{Paper, PaperItem, PaperOption, Points};

/// An item's content as papers show and grade it: the fields of the bank's question a
/// paper keeps, with the options and the answer in the bank's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemContent {
    pub question_id: String,
    pub qtype: QType,
    pub area: String,
    pub group_id: Option<String>,
    pub case_text: Option<String>,
    pub stem: String,
    /// Option texts in the bank's order (A, B, C…); empty for true/false.
    pub options: Vec<String>,
    /// In the bank's keys: `B`, `ACD`, `T`/`F`.
    pub answer: String,
    pub explanation: String,
}

impl ItemContent {
    pub fn of(q: &Question) -> ItemContent {
        ItemContent {
            question_id: q.qid.clone(),
            qtype: q.qtype,
            area: q.area.clone(),
            group_id: q.group_id.clone(),
            case_text: q.case_text.clone(),
            stem: q.stem.clone(),
            options: q.options.clone(),
            answer: q.answer.clone(),
            explanation: q.explanation.clone(),
        }
    }

    /// The item as one candidate sees it: options shown in `order` (indexes into the
    /// bank's options; true/false items have none) and the answer in the shown keys.
    pub fn item(&self, order: &[usize], points: Points, line: usize) -> PaperItem {
        let (options, answer) = if self.qtype == QType::TF {
            (
                vec![
                    PaperOption {
                        key: "T".into(),
                        text: "正确".into(),
                    },
                    PaperOption {
                        key: "F".into(),
                        text: "错误".into(),
                    },
                ],
                self.answer.clone(),
            )
        } else {
            let options = order
                .iter()
                .enumerate()
                .filter_map(|(shown, &original)| {
                    Some(PaperOption {
                        key: Question::letter(shown).to_string(),
                        text: self.options.get(original)?.clone(),
                    })
                })
                .collect();
            let mut answer: Vec<char> = self
                .answer
                .chars()
                .filter_map(|c| {
                    let original = (c as u8).checked_sub(b'A')? as usize;
                    order
                        .iter()
                        .position(|&o| o == original)
                        .map(Question::letter)
                })
                .collect();
            answer.sort_unstable();
            (options, answer.into_iter().collect())
        };
        PaperItem {
            question_id: self.question_id.clone(),
            qtype: self.qtype,
            area: self.area.clone(),
            group_id: self.group_id.clone(),
            case_text: self.case_text.clone(),
            stem: self.stem.clone(),
            options,
            answer,
            explanation: self.explanation.clone(),
            points,
            line,
            order: order.to_vec(),
        }
    }

    /// The content back from a drawn item (its options put back in the bank's order),
    /// or why it cannot be: an order that is not a permutation of the options.
    pub fn of_item(item: &PaperItem) -> Result<ItemContent, String> {
        let (options, answer) = if item.qtype == QType::TF {
            (Vec::new(), item.answer.clone())
        } else {
            let n = item.options.len();
            if !is_permutation(&item.order, n) {
                return Err(format!(
                    "item {}: option order {:?} is not one of its {n} options",
                    item.question_id, item.order
                ));
            }
            let mut options = vec![String::new(); n];
            for (shown, &original) in item.order.iter().enumerate() {
                options[original] = item.options[shown].text.clone();
            }
            let mut answer = Vec::new();
            for c in item.answer.chars() {
                let shown = (c as u8).checked_sub(b'A').map(usize::from);
                match shown.and_then(|s| item.order.get(s)) {
                    Some(&original) => answer.push(Question::letter(original)),
                    None => {
                        return Err(format!(
                            "item {}: answer {} is not an option",
                            item.question_id, item.answer
                        ));
                    }
                }
            }
            answer.sort_unstable();
            (options, answer.into_iter().collect())
        };
        Ok(ItemContent {
            question_id: item.question_id.clone(),
            qtype: item.qtype,
            area: item.area.clone(),
            group_id: item.group_id.clone(),
            case_text: item.case_text.clone(),
            stem: item.stem.clone(),
            options,
            answer,
            explanation: item.explanation.clone(),
        })
    }
}

/// Options an item may have: one key letter each, A to Z.
const MAX_OPTIONS: usize = 26;

/// Whether `order` shows each of `n` options (at most [`MAX_OPTIONS`]) exactly once.
fn is_permutation(order: &[usize], n: usize) -> bool {
    if n > MAX_OPTIONS {
        return false;
    }
    let mut seen = vec![false; n];
    order.len() == n
        && order
            .iter()
            .all(|&o| o < n && !std::mem::replace(&mut seen[o], true))
}

/// The key of a content's stored JSON: the first 16 bytes of its SHA-256, in hex.
pub fn key_of(body: &str) -> String {
    hex::encode(&Sha256::digest(body.as_bytes())[..16])
}

/// A content as stored: its key and its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub key: String,
    pub body: String,
}

/// One item of a stored paper: the content's key and what is the candidate's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRef {
    /// The question's id (also in the content; kept here so the row reads on its own).
    pub q: String,
    /// The content's key.
    pub c: String,
    /// The option order as drawn (none for true/false).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub o: Vec<usize>,
    #[serde(deserialize_with = "crate::exams::stored_points")]
    pub p: Points,
    pub l: usize,
}

/// What the stored form's version says; 2 is a paper of references.
const REFERENCES: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Refs {
    v: u32,
    items: Vec<ItemRef>,
}

/// A drawn paper ready to store: the attempt's column and the contents it refers to (each
/// once, in key order: the order they are written in, so two starts writing the same new
/// contents at once wait on each other in one order and never deadlock).
#[derive(Debug, Clone)]
pub struct Split {
    pub refs: String,
    pub contents: Vec<Content>,
    /// The same contents parsed, by key: for the reader's cache.
    pub parsed: Vec<(String, Arc<ItemContent>)>,
}

/// Split a drawn paper for storing.
pub fn split(paper: &Paper) -> Result<Split, String> {
    let mut items = Vec::with_capacity(paper.items().len());
    let mut contents: BTreeMap<String, (String, ItemContent)> = BTreeMap::new();
    for item in paper.items() {
        let content = ItemContent::of_item(item)?;
        let body = serde_json::to_string(&content).map_err(|e| e.to_string())?;
        let key = key_of(&body);
        items.push(ItemRef {
            q: item.question_id.clone(),
            c: key.clone(),
            o: item.order.clone(),
            p: item.points,
            l: item.line,
        });
        contents.entry(key).or_insert((body, content));
    }
    let refs = serde_json::to_string(&Refs {
        v: REFERENCES,
        items,
    })
    .map_err(|e| e.to_string())?;
    let (contents, parsed) = contents
        .into_iter()
        .map(|(key, (body, content))| {
            (
                Content {
                    key: key.clone(),
                    body,
                },
                (key, Arc::new(content)),
            )
        })
        .unzip();
    Ok(Split {
        refs,
        contents,
        parsed,
    })
}

/// A paper column as read: whole (stored before contents were kept apart), or references.
#[derive(Debug)]
pub enum Stored {
    Whole(Paper),
    Refs(Vec<ItemRef>),
}

/// Parse a paper column. Anything that does not parse is an error, never an empty paper.
pub fn parse(text: &str) -> Result<Stored, String> {
    if text.trim_start().starts_with('{') {
        let refs: Refs =
            serde_json::from_str(text).map_err(|e| format!("corrupt stored paper: {e}"))?;
        if refs.v != REFERENCES {
            return Err(format!("stored paper of unknown version {}", refs.v));
        }
        Ok(Stored::Refs(refs.items))
    } else {
        serde_json::from_str(text)
            .map(Stored::Whole)
            .map_err(|e| format!("corrupt stored Paper: {e}"))
    }
}

/// A content's JSON as stored under `key`: parsed, and checked to be what the key says.
pub fn parse_content(key: &str, body: &str) -> Result<ItemContent, String> {
    if key_of(body) != key {
        return Err(format!(
            "stored paper item {key}: content does not match its key"
        ));
    }
    serde_json::from_str(body).map_err(|e| format!("stored paper item {key}: {e}"))
}

/// The paper from its references and their contents (any missing or not the question
/// named is an error).
pub fn join(
    refs: &[ItemRef],
    contents: &HashMap<String, Arc<ItemContent>>,
) -> Result<Paper, String> {
    refs.iter()
        .map(|r| {
            let content = contents
                .get(&r.c)
                .ok_or_else(|| format!("stored paper: item content {} is missing", r.c))?;
            if content.qtype != QType::TF && !is_permutation(&r.o, content.options.len()) {
                return Err(format!(
                    "stored paper: option order {:?} of {} is not one of its {} options",
                    r.o,
                    r.q,
                    content.options.len()
                ));
            }
            if content.question_id != r.q {
                return Err(format!(
                    "stored paper: content {} is question {}, not {}",
                    r.c, content.question_id, r.q
                ));
            }
            Ok(content.item(&r.o, r.p, r.l))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Paper)
}

#[cfg(test)]
#[path = "stored_tests.rs"]
mod tests;
