//! The question bank (题库): the shipped collection `core` (question_bank/, embedded in
//! the binary and loaded at start) and collections imported from GIFT, Aiken, Moodle XML
//! or `.xlsx`. Items follow Chinese medical-exam conventions: A1, A2, A3/A4 case groups,
//! B1 shared options, X multiple answers, true/false.
//!
//! Rooms: `rules` (checks, enemy items, duplicates, the lint), `formats` (the importers'
//! parsers), `export` (GIFT and `.xlsx` writers), `files` (the shipped bank), `store`
//! (queries), `ops` (use cases for the API, the page and the CLI), `views`, `api`,
//! `pages`, `command` (`cunyi bank check|lint`).

pub mod api;
pub mod command;
pub mod export;
pub mod files;
pub mod formats;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use formats::Format;

/// The bank as other areas read it (the exam engine draws its papers from `list`,
/// checks a blueprint's collections with `collection_exists` and shows `summary` on the
/// new-exam form): plain queries on a connection, inside the caller's own hop.
pub use store::{Filter, collection_exists, list, summary};
pub use views::Summary;

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

    /// The Chinese name shown to people (pages, the lint table): never the bare code.
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

/// The segment of the national exam frame (考试大纲) a question counts towards: 公共卫生,
/// 全科医疗 (of which 中医 is a share) or 医学人文. Declared by a bank file's `frame`, else
/// the area's default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Frame {
    PublicHealth,
    #[default]
    GeneralPractice,
    Humanities,
}

impl Frame {
    pub const ALL: [Frame; 3] = [
        Frame::PublicHealth,
        Frame::GeneralPractice,
        Frame::Humanities,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frame::PublicHealth => "public_health",
            Frame::GeneralPractice => "general_practice",
            Frame::Humanities => "humanities",
        }
    }

    pub fn parse(s: &str) -> Option<Frame> {
        Frame::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Frame::PublicHealth => "公共卫生",
            Frame::GeneralPractice => "全科医疗",
            Frame::Humanities => "医学人文",
        }
    }

    /// An area's default segment: public health → 公共卫生, policy and law → 医学人文,
    /// every other area → 全科医疗.
    pub fn of_area(area: &str) -> Frame {
        match area {
            "public_health" => Frame::PublicHealth,
            "policy_law" => Frame::Humanities,
            _ => Frame::GeneralPractice,
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

    /// 易 / 中 / 难.
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "易",
            Difficulty::Medium => "中",
            Difficulty::Hard => "难",
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
    /// The exam frame's segment (the file's `frame`, else the area's default).
    #[serde(default)]
    pub frame: Frame,
    /// A 中医 item (item overrides group overrides file; imports: false).
    #[serde(default)]
    pub tcm: bool,
    /// Enemy items: never on one paper with this one. As parsed from a bank file, what
    /// the item (or its group) declares; once stored, both sides of every pair
    /// (`rules::symmetric_excludes`), so the exam engine reads them from either side.
    #[serde(default)]
    pub excludes: Vec<String>,
}

impl Question {
    /// The option letter of an index (0 → A).
    pub fn letter(i: usize) -> char {
        (b'A' + i as u8) as char
    }

    /// The key as people read it: `B`, `ACD`, and 正确 / 错误 for true/false.
    pub fn key_label(&self) -> String {
        match (self.qtype, self.answer.as_str()) {
            (QType::TF, "T") => "正确".into(),
            (QType::TF, _) => "错误".into(),
            _ => self.answer.clone(),
        }
    }
}

/// A collection as people read it: the shipped one is 内置题库, the others by the name
/// their importers gave them.
pub fn collection_label(name: &str) -> String {
    if name == files::CORE {
        "内置题库".to_owned()
    } else {
        name.to_owned()
    }
}

/// Where something in an imported file is (line, or item number), and why it was left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub position: String,
    pub reason: String,
}

/// One fault in an imported file: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub position: String,
    pub message: String,
}

/// A file refused whole (422, nothing written), with every fault found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub faults: Vec<Malformed>,
}

impl Refusal {
    /// How many faults a refusal lists before "……另有 N 处".
    pub const SHOWN: usize = 100;

    pub fn one(position: &str, message: impl Into<String>) -> Refusal {
        Refusal {
            faults: vec![Malformed {
                position: position.to_owned(),
                message: message.into(),
            }],
        }
    }

    /// The faults to show (at most `SHOWN`) and how many more there are.
    pub fn shown(&self) -> (&[Malformed], usize) {
        let n = self.faults.len().min(Self::SHOWN);
        (&self.faults[..n], self.faults.len() - n)
    }

    /// Every fault on its own line, the long tail summed up.
    pub fn lines(&self) -> Vec<String> {
        let (shown, more) = self.shown();
        let mut out: Vec<String> = shown
            .iter()
            .map(|m| format!("{}：{}", m.position, m.message))
            .collect();
        if more > 0 {
            out.push(format!("……另有 {more} 处错误未列出"));
        }
        out
    }
}

impl From<Malformed> for Refusal {
    fn from(m: Malformed) -> Refusal {
        Refusal { faults: vec![m] }
    }
}

/// `POST /api/v1/question-bank/import?format=&area=&collection=` (and the page's form).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// 文件格式：gift、aiken、moodle_xml、xlsx
    pub format: Option<String>,
    /// 知识领域代码（见题库说明）
    pub area: Option<String>,
    /// 题集名称
    pub collection: Option<String>,
}

/// A checked import query (`rules::check_import`): where a file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    pub format: Format,
    pub area: String,
    pub collection: String,
}

/// `GET /api/v1/question-bank/export?format=gift|xlsx&collection=&area=`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// 文件格式：gift、aiken、moodle_xml、xlsx
    pub format: Option<String>,
    /// 题集名称
    pub collection: Option<String>,
    /// 知识领域代码（见题库说明）
    pub area: Option<String>,
}

/// Why an import wrote nothing: the file was refused (every fault listed), or the
/// request was (a bad field, a collection of another region, a failure).
#[derive(Debug)]
pub enum ImportFailure {
    Refused(Refusal),
    App(AppError),
}

impl From<AppError> for ImportFailure {
    fn from(e: AppError) -> Self {
        ImportFailure::App(e)
    }
}
