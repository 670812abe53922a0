//! The question bank (题库): the shipped collection `core` (question_bank/, embedded in
//! the binary and loaded at start) and collections imported from GIFT, Aiken, Moodle XML
//! or `.xlsx`. Items follow Chinese medical-exam conventions: A1, A2, A3/A4 case groups,
//! B1 shared options, X multiple answers, true/false.

pub mod api;
pub mod export;
pub mod files;
pub mod formats;
pub mod pages;
pub mod rules;
pub mod store;

use serde::{Deserialize, Serialize};

/// Item types (题型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum QType {
    A1,
    A2,
    A3,
    A4,
    B1,
    X,
    TF,
}

impl QType {
    pub const ALL: [QType; 7] = [
        QType::A1,
        QType::A2,
        QType::A3,
        QType::A4,
        QType::B1,
        QType::X,
        QType::TF,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QType::A1 => "A1",
            QType::A2 => "A2",
            QType::A3 => "A3",
            QType::A4 => "A4",
            QType::B1 => "B1",
            QType::X => "X",
            QType::TF => "TF",
        }
    }

    pub fn parse(s: &str) -> Option<QType> {
        QType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// A3, A4 and B1 come in groups sharing a case or options.
    pub fn is_group(self) -> bool {
        matches!(self, QType::A3 | QType::A4 | QType::B1)
    }

    pub fn label(self) -> &'static str {
        match self {
            QType::A1 => "A1 型题（单句型最佳选择题）",
            QType::A2 => "A2 型题（病例摘要型最佳选择题）",
            QType::A3 => "A3 型题（病例组型）",
            QType::A4 => "A4 型题（病例串型）",
            QType::B1 => "B1 型题（标准配伍题）",
            QType::X => "X 型题（多项选择题）",
            QType::TF => "判断题",
        }
    }
}

/// 难度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    pub fn parse(s: &str) -> Option<Difficulty> {
        match s.trim() {
            "easy" | "易" | "容易" => Some(Difficulty::Easy),
            "medium" | "中" | "中等" => Some(Difficulty::Medium),
            "hard" | "难" | "较难" => Some(Difficulty::Hard),
            _ => None,
        }
    }
}

/// One question. Grouped types carry their group's id and shared case (A3/A4) or
/// options (B1, copied into each item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id in the bank: the same on every paper that draws it.
    pub qid: String,
    pub collection: String,
    pub area: String,
    pub topic: String,
    pub qtype: QType,
    pub difficulty: Option<Difficulty>,
    pub group_id: Option<String>,
    pub case_text: Option<String>,
    pub stem: String,
    /// Option texts in order A, B, C…; empty for true/false.
    pub options: Vec<String>,
    /// `B`, `ACD` (X) or `T`/`F`.
    pub answer: String,
    pub explanation: String,
    pub source: String,
}

impl Question {
    /// The option letter of an index (0 → A).
    pub fn letter(i: usize) -> char {
        (b'A' + i as u8) as char
    }
}

/// Where something in an imported file is (line, or item number), and why it was left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub position: String,
    pub reason: String,
}

/// A file that cannot be read at all: where and why (422, nothing written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub position: String,
    pub message: String,
}
