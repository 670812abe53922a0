//! The bank's answers, typed: the same JSON as always.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Question, Refusal, Skipped};

/// `GET /api/v1/question-bank/summary`: active questions by area, type and collection.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub total: i64,
    pub by_area: BTreeMap<String, i64>,
    pub by_type: BTreeMap<String, i64>,
    pub by_collection: BTreeMap<String, i64>,
    pub by_difficulty: BTreeMap<String, i64>,
}

/// What an import answers.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub collection: String,
    pub imported: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Left out, with why: types that cannot be mapped, repeats.
    pub skipped: Vec<Skipped>,
    /// Imported, but changed: media removed from a stem.
    pub warnings: Vec<Skipped>,
}

/// One fault of a refused file in a problem+json `errors` list.
#[derive(Debug, Serialize)]
pub struct FileError {
    pub field: &'static str,
    pub message: String,
    pub position: String,
}

/// A refused file as problem+json (422): one `errors` entry (field `file`) per fault,
/// each with its position; `position` is the first fault's. Past `Refusal::SHOWN`
/// faults, a last entry says how many more there are.
#[derive(Debug, Serialize)]
pub struct RefusalProblem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub position: Option<String>,
    pub error_count: usize,
    pub errors: Vec<FileError>,
}

impl RefusalProblem {
    pub fn of(r: &Refusal) -> RefusalProblem {
        let (shown, more) = r.shown();
        let mut errors: Vec<FileError> = shown
            .iter()
            .map(|m| FileError {
                field: "file",
                message: format!("{}：{}", m.position, m.message),
                position: m.position.clone(),
            })
            .collect();
        if more > 0 {
            errors.push(FileError {
                field: "file",
                message: format!("……另有 {more} 处错误未列出"),
                position: "文件".into(),
            });
        }
        RefusalProblem {
            kind: "urn:cunyi:problem:validation",
            title: "文件格式有误",
            status: 422,
            detail: r.detail(),
            position: shown.first().map(|m| m.position.clone()),
            error_count: r.faults.len(),
            errors,
        }
    }
}

/// A file to download: its type, name and bytes.
#[derive(Debug, Clone)]
pub struct Download {
    pub content_type: &'static str,
    pub filename: &'static str,
    pub body: Vec<u8>,
}

/// The content type of `.xlsx` files.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What the bank holds, for its page: active questions by (area, type), and the summary.
#[derive(Debug, Clone)]
pub struct Holdings {
    pub by_area_and_type: HashMap<(String, String), i64>,
    pub summary: Summary,
}

/// One stored question and whether papers still draw it.
#[derive(Debug, Clone)]
pub struct StoredQuestion {
    pub question: Question,
    pub active: bool,
}
