//! Checking questions: the shipped bank's strict rules (five options, group sizes, enemy
//! items) and the looser rules any imported question must meet; the bank's quality lint
//! (`lint`), its statistics (`stats`) and the import's duplicate checks (`duplicates`).

pub mod duplicates;
mod enemies;
pub mod import;
pub mod lint;
pub mod stats;

pub use self::enemies::{enemy_pairs, one_sided_excludes, symmetric_excludes};
pub use self::import::{ExportSpec, check_export, check_import, valid_collection};

use std::collections::{BTreeMap, HashSet};

use self::enemies::exclude_problems;
use super::{QType, Question};

/// Longest stem or shared case, in characters (question_bank/README.md, "Limits"): far
/// below Excel's 32,767 per cell, so every stored question fits the `.xlsx` export.
pub const MAX_STEM_CHARS: usize = 4_000;
/// Longest option, in characters.
pub const MAX_OPTION_CHARS: usize = 1_000;
/// Longest explanation, in characters.
pub const MAX_EXPLANATION_CHARS: usize = 4_000;
/// Longest source or topic, in characters.
pub const MAX_SOURCE_CHARS: usize = 500;

/// The length rules of one question: `(field, characters, limit)` of each text too long.
pub fn overlong(q: &Question) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut check = |field: String, text: &str, limit: usize| {
        let n = text.chars().count();
        if n > limit {
            out.push((field, n, limit));
        }
    };
    check("题干".into(), &q.stem, MAX_STEM_CHARS);
    if let Some(case) = &q.case_text {
        check("共用题干".into(), case, MAX_STEM_CHARS);
    }
    for (i, o) in q.options.iter().enumerate() {
        check(format!("选项{}", Question::letter(i)), o, MAX_OPTION_CHARS);
    }
    check("解析".into(), &q.explanation, MAX_EXPLANATION_CHARS);
    check("出处".into(), &q.source, MAX_SOURCE_CHARS);
    check("主题".into(), &q.topic, MAX_SOURCE_CHARS);
    out
}

/// A problem with one question: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: String,
    pub message: String,
}

/// Ids: lowercase letters, digits and dashes, 3–60 characters.
pub fn valid_id(id: &str) -> bool {
    (3..=60).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Does the answer fit the item's type and options? Returns why not.
pub fn answer_problem(q: &Question) -> Option<String> {
    let n = q.options.len();
    let letters: Vec<char> = q.answer.chars().collect();
    let in_range = |c: &char| c.is_ascii_uppercase() && ((*c as u8 - b'A') as usize) < n;
    match q.qtype {
        QType::TF => (!matches!(q.answer.as_str(), "T" | "F"))
            .then(|| format!("判断题答案应为 T 或 F，而不是 {:?}", q.answer)),
        QType::X => {
            let sorted = letters.windows(2).all(|w| w[0] < w[1]);
            if letters.len() < 2 || !letters.iter().all(in_range) || !sorted {
                Some(format!(
                    "多选题答案应为 2 个以上、按字母顺序、均在选项中的字母，而不是 {:?}",
                    q.answer
                ))
            } else {
                None
            }
        }
        _ => (letters.len() != 1 || !in_range(&letters[0])).then(|| {
            format!(
                "答案 {:?} 不在选项 A–{} 中",
                q.answer,
                Question::letter(n.saturating_sub(1))
            )
        }),
    }
}

/// Rules every question meets, shipped or imported.
pub fn check_question(q: &Question) -> Vec<String> {
    let mut out = Vec::new();
    if !valid_id(&q.qid) {
        out.push(format!(
            "编号 {:?} 应为 3–60 个小写字母、数字或连字符",
            q.qid
        ));
    }
    if !crate::areas::is_area(&q.area) {
        out.push(format!("内容领域 {:?} 不是九个领域之一", q.area));
    }
    if q.stem.trim().is_empty() {
        out.push("题干为空".into());
    }
    match q.qtype {
        QType::TF => {
            if !q.options.is_empty() {
                out.push("判断题不应有选项".into());
            }
        }
        _ => {
            if !(2..=8).contains(&q.options.len()) {
                out.push(format!("应有 2–8 个选项，现有 {} 个", q.options.len()));
            }
            if q.options.iter().any(|o| o.trim().is_empty()) {
                out.push("有空选项".into());
            }
            let distinct: HashSet<&str> = q.options.iter().map(|o| o.trim()).collect();
            if distinct.len() != q.options.len() {
                out.push("选项有重复".into());
            }
        }
    }
    if let Some(p) = answer_problem(q) {
        out.push(p);
    }
    if matches!(q.qtype, QType::A3 | QType::A4)
        && q.case_text.as_deref().is_none_or(|c| c.trim().is_empty())
    {
        out.push("A3/A4 题缺少共用病例".into());
    }
    for (field, n, limit) in overlong(q) {
        out.push(format!("{field}超过 {limit} 字（现有 {n} 字）"));
    }
    out
}

/// The shipped bank's stricter rules: exactly five options where there are options,
/// an explanation and a source on every item, group sizes, unique ids, every area
/// covered (question_bank/README.md).
pub fn check_bank(questions: &[Question]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let mut groups: BTreeMap<&str, (QType, usize)> = BTreeMap::new();
    for q in questions {
        let location = q.qid.clone();
        let mut add = |message: String| {
            problems.push(Problem {
                location: location.clone(),
                message,
            })
        };
        for m in check_question(q) {
            add(m);
        }
        if !ids.insert(q.qid.as_str()) {
            add("编号重复".into());
        }
        if q.qid.len() > 40 {
            add("题库编号不超过 40 个字符".into());
        }
        if q.qtype != QType::TF && q.options.len() != 5 {
            add(format!(
                "题库题目应有 5 个选项，现有 {} 个",
                q.options.len()
            ));
        }
        if q.explanation.trim().is_empty() {
            add("缺少解析（explanation）".into());
        }
        if q.source.trim().is_empty() {
            add("缺少出处（source）".into());
        }
        if let Some(g) = &q.group_id {
            let entry = groups.entry(g.as_str()).or_insert((q.qtype, 0));
            entry.1 += 1;
        }
    }
    problems.extend(exclude_problems(questions));
    for (group, (qtype, size)) in groups {
        let allowed = match qtype {
            QType::A3 => 2..=3,
            QType::A4 => 3..=4,
            _ => 2..=4,
        };
        if !allowed.contains(&size) {
            problems.push(Problem {
                location: group.to_owned(),
                message: format!(
                    "{} 组应有 {}–{} 题，现有 {size} 题",
                    qtype.as_str(),
                    allowed.start(),
                    allowed.end()
                ),
            });
        }
    }
    for (area, label) in crate::areas::AREAS {
        if !questions.iter().any(|q| q.area == area) {
            problems.push(Problem {
                location: area.to_owned(),
                message: format!("没有“{label}”领域的题目"),
            });
        }
    }
    problems
}

/// Counts by area, type and difficulty (for `cunyi bank check` and the summary).
pub fn totals(
    questions: &[Question],
) -> (
    BTreeMap<String, usize>,
    BTreeMap<String, usize>,
    BTreeMap<String, usize>,
) {
    let (mut by_area, mut by_type, mut by_difficulty) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for q in questions {
        *by_area.entry(q.area.clone()).or_default() += 1;
        *by_type.entry(q.qtype.as_str().to_owned()).or_default() += 1;
        *by_difficulty
            .entry(q.difficulty.map_or("unset", |d| d.as_str()).to_owned())
            .or_default() += 1;
    }
    (by_area, by_type, by_difficulty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Vec<Question> {
        let (questions, problems) = super::super::files::shipped();
        assert!(problems.is_empty(), "{problems:?}");
        questions
    }

    #[test]
    fn the_shipped_bank_passes_every_rule() {
        let questions = shipped();
        let problems = check_bank(&questions);
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(questions.len() >= 300, "{} items", questions.len());
        let (by_area, by_type, _) = totals(&questions);
        assert_eq!(by_area.len(), 9, "every area covered");
        for t in ["A1", "A2", "A3", "A4", "B1", "X", "TF"] {
            assert!(by_type.get(t).copied().unwrap_or(0) > 0, "no {t} items");
        }
    }

    #[test]
    fn the_check_catches_a_wrong_answer_key_and_a_duplicate_id() {
        let mut questions = shipped();
        let single = questions.iter().position(|q| q.qtype == QType::A1).unwrap();
        questions[single].answer = "F".into();
        let multi = questions.iter().position(|q| q.qtype == QType::X).unwrap();
        questions[multi].answer = "CA".into();
        let dup = questions[2].clone();
        questions.push(dup);
        let problems = check_bank(&questions);
        let at = |id: &str| problems.iter().filter(|p| p.location == id).count();
        assert!(at(&questions[single].qid) >= 1, "{problems:?}");
        assert!(
            at(&questions[multi].qid) >= 1,
            "unsorted X answers are refused"
        );
        assert!(problems.iter().any(|p| p.message == "编号重复"));
    }

    #[test]
    fn over_long_texts_are_refused_naming_the_field() {
        let mut q = shipped().remove(0);
        q.stem = "长".repeat(MAX_STEM_CHARS + 1);
        q.options[2] = "项".repeat(MAX_OPTION_CHARS + 1);
        let problems = check_question(&q);
        assert!(
            problems.iter().any(|p| p.starts_with("题干超过 4000 字")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.starts_with("选项C超过 1000 字")));
        q.stem = "长".repeat(MAX_STEM_CHARS);
        q.options[2] = "项".repeat(MAX_OPTION_CHARS);
        assert!(check_question(&q).is_empty());
    }
}
