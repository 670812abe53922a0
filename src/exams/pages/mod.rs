//! Exam pages: a doctor's exam list, the attempt page on a phone (countdown from the
//! server's deadline, autosave, works without scripts too), the result page; for the
//! bureaus the exam list, a new-exam form, results (with withdrawing and closing early)
//! and the item-analysis page with its chart. One file per page.

mod analysis;
mod attempt;
mod list;
mod new;
mod results;

use std::collections::HashMap;

use actix_web::web;
use serde::Deserialize;

use super::{PaperItem, Points};
use crate::bank::QType;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/exams", web::get().to(list::list))
        .route("/exams/new", web::get().to(new::new_form))
        .route("/exams/new", web::post().to(new::create))
        .route("/exams/{id}/start", web::post().to(attempt::start))
        .route("/exams/{id}/results", web::get().to(results::results))
        .route("/exams/{id}/withdraw", web::post().to(results::withdraw))
        .route("/exams/{id}/close", web::post().to(results::close))
        .route("/exams/{id}/analysis", web::get().to(analysis::analysis))
        .route("/attempts/{id}", web::get().to(attempt::attempt))
        .route("/attempts/{id}/submit", web::post().to(attempt::submit));
}

/// A form that carries only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// The Chinese name of an item type on the pages.
fn type_label(t: QType) -> &'static str {
    match t {
        QType::A1 => "单选",
        QType::A2 => "病例单选",
        QType::A3 => "病例组",
        QType::A4 => "病例串",
        QType::B1 => "配伍",
        QType::X => "多选",
        QType::TF => "判断",
    }
}

/// An answer as people read it: the letters, or 正确 / 错误 for true/false.
pub(super) fn answer_label(qtype: QType, answer: &str) -> String {
    match (qtype, answer) {
        (QType::TF, "T") => "正确".into(),
        (QType::TF, "F") => "错误".into(),
        _ => answer.to_owned(),
    }
}

/// One option on the page.
pub struct OptionView {
    pub key: String,
    /// The letter shown before the text: empty for true/false, whose texts say it all.
    pub shown: String,
    pub text: String,
    pub checked: bool,
    /// On the result page: part of the key.
    pub right: bool,
}

/// One question on the page.
pub struct ItemView {
    pub n: usize,
    pub qid: String,
    pub type_label: &'static str,
    /// The shared case, shown above the first item of its group.
    pub case_text: Option<String>,
    pub case_span: String,
    pub stem: String,
    pub options: Vec<OptionView>,
    pub multi: bool,
    pub points: Points,
    pub answered: bool,
    /// Result page: what was given (as stored, and as people read it: 正确 / 错误 for
    /// true/false), the points, the key and explanation (if shown).
    pub given: String,
    pub given_label: String,
    pub earned: Option<Points>,
    pub key: Option<String>,
    pub explanation: Option<String>,
}

/// The paper as the pages show it, with the answers given.
fn items_view(paper: &[PaperItem], answers: &HashMap<String, String>) -> Vec<ItemView> {
    let mut out = Vec::with_capacity(paper.len());
    let mut previous_group: Option<&str> = None;
    for (i, item) in paper.iter().enumerate() {
        let given = answers.get(&item.question_id).cloned().unwrap_or_default();
        let first_of_group = item.group_id.as_deref() != previous_group || item.group_id.is_none();
        previous_group = item.group_id.as_deref();
        let group_len = paper[i..]
            .iter()
            .take_while(|p| p.group_id.is_some() && p.group_id == item.group_id)
            .count();
        out.push(ItemView {
            n: i + 1,
            qid: item.question_id.clone(),
            type_label: type_label(item.qtype),
            case_text: if first_of_group {
                item.case_text.clone()
            } else {
                None
            },
            case_span: if group_len > 1 {
                format!("（第 {}–{} 题共用）", i + 1, i + group_len)
            } else {
                String::new()
            },
            stem: item.stem.clone(),
            options: item
                .options
                .iter()
                .map(|o| OptionView {
                    key: o.key.clone(),
                    shown: if item.qtype == QType::TF {
                        String::new()
                    } else {
                        o.key.clone()
                    },
                    text: o.text.clone(),
                    checked: given.contains(o.key.as_str()) && !o.key.is_empty(),
                    right: false,
                })
                .collect(),
            multi: item.qtype == QType::X,
            points: item.points,
            answered: !given.is_empty(),
            given_label: answer_label(item.qtype, &given),
            given,
            earned: None,
            key: None,
            explanation: None,
        });
    }
    out
}
