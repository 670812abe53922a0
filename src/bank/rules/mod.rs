//! Checking questions: the shipped bank's strict rules (five options, group sizes, enemy
//! items) and the looser rules any imported question must meet; the bank's quality lint
//! (`lint`), its statistics (`stats`) and the import's duplicate checks (`duplicates`).

pub mod duplicates;
pub mod lint;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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

/// Enemy items of the bank as the exam engine reads them: every declaration expanded (a
/// group id stands for its items) and made symmetric, sorted, without self-references
/// or ids outside `questions` — enemy pairs of question_bank/README.md.
pub fn symmetric_excludes(questions: &[Question]) -> Vec<Question> {
    let members = group_members(questions);
    let known: HashSet<&str> = questions.iter().map(|q| q.qid.as_str()).collect();
    let mut enemies: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for q in questions {
        for other in expand(&q.excludes, &members, &known) {
            if other != q.qid && !same_group(q, other, &members) {
                enemies.entry(q.qid.as_str()).or_default().insert(other);
                enemies.entry(other).or_default().insert(q.qid.as_str());
            }
        }
    }
    questions
        .iter()
        .map(|q| {
            let mut q = q.clone();
            q.excludes = enemies
                .get(q.qid.as_str())
                .map(|set| set.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default();
            q
        })
        .collect()
}

/// Group id → the ids of its items.
fn group_members(questions: &[Question]) -> HashMap<&str, Vec<&str>> {
    let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
    for q in questions {
        if let Some(g) = &q.group_id {
            members.entry(g.as_str()).or_default().push(q.qid.as_str());
        }
    }
    members
}

/// The item ids a declaration names: an item id as is, a group id as its items.
fn expand<'a>(
    declared: &'a [String],
    members: &HashMap<&'a str, Vec<&'a str>>,
    known: &HashSet<&'a str>,
) -> Vec<&'a str> {
    let mut out = Vec::new();
    for id in declared {
        match members.get(id.as_str()) {
            Some(items) => out.extend(items.iter().copied()),
            None => {
                if let Some(k) = known.get(id.as_str()) {
                    out.push(*k);
                }
            }
        }
    }
    out
}

fn same_group(q: &Question, other: &str, members: &HashMap<&str, Vec<&str>>) -> bool {
    q.group_id
        .as_deref()
        .and_then(|g| members.get(g))
        .is_some_and(|items| items.contains(&other))
}

/// The one-sided enemy declarations: `(declares, names)` where `names` does not declare
/// `declares` back (the lint warns; drawing treats the pair as symmetric anyway).
pub fn one_sided_excludes(questions: &[Question]) -> Vec<(String, String)> {
    let members = group_members(questions);
    let known: HashSet<&str> = questions.iter().map(|q| q.qid.as_str()).collect();
    let declared: HashMap<&str, HashSet<&str>> = questions
        .iter()
        .map(|q| {
            (
                q.qid.as_str(),
                expand(&q.excludes, &members, &known).into_iter().collect(),
            )
        })
        .collect();
    let mut out = BTreeSet::new();
    for (a, names) in &declared {
        for b in names {
            if a != b && !declared.get(b).is_some_and(|back| back.contains(a)) {
                out.insert(((*a).to_owned(), (*b).to_owned()));
            }
        }
    }
    out.into_iter().collect()
}

/// The declared enemy pairs, each once (`a < b`).
pub fn enemy_pairs(questions: &[Question]) -> BTreeSet<(String, String)> {
    symmetric_excludes(questions)
        .into_iter()
        .flat_map(|q| {
            q.excludes
                .into_iter()
                .filter(|e| *e > q.qid)
                .map(|e| (q.qid.clone(), e))
                .collect::<Vec<_>>()
        })
        .collect()
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

/// Enemy declarations that name nothing in the bank, the item itself, or its own group.
fn exclude_problems(questions: &[Question]) -> Vec<Problem> {
    let members = group_members(questions);
    let ids: HashSet<&str> = questions.iter().map(|q| q.qid.as_str()).collect();
    let mut problems = Vec::new();
    for q in questions {
        let mut seen = HashSet::new();
        for id in &q.excludes {
            let message = if !seen.insert(id.as_str()) {
                format!("互斥题 {id} 重复列出")
            } else if *id == q.qid || q.group_id.as_deref() == Some(id.as_str()) {
                format!("互斥题 {id} 是本题（或本题所在的题组）自身")
            } else if same_group(q, id, &members) {
                format!("互斥题 {id} 与本题同组：同组小题总是一起出现")
            } else if !ids.contains(id.as_str()) && !members.contains_key(id.as_str()) {
                format!("互斥题 {id} 不在题库中")
            } else {
                continue;
            };
            problems.push(Problem {
                location: q.qid.clone(),
                message,
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

    fn framed() -> Vec<Question> {
        let (questions, problems) = super::super::files::parse_file(
            "general_practice/f.toml",
            super::super::files::tests::FRAMED,
        );
        assert!(problems.is_empty(), "{problems:?}");
        questions
    }

    #[test]
    fn enemies_are_stored_on_both_sides_and_a_group_stands_for_its_items() {
        let mut questions = framed();
        questions[1].excludes = vec!["gp-f-g1".into()];
        let resolved = symmetric_excludes(&questions);
        let of = |id: &str| {
            resolved
                .iter()
                .find(|q| q.qid == id)
                .unwrap()
                .excludes
                .clone()
        };
        assert_eq!(of("gp-f-001"), vec!["gp-f-002", "gp-f-g1-1", "gp-f-g1-2"]);
        assert_eq!(of("gp-f-002"), vec!["gp-f-001", "gp-f-g1-1", "gp-f-g1-2"]);
        assert_eq!(of("gp-f-g1-1"), vec!["gp-f-001", "gp-f-002"]);
        assert_eq!(enemy_pairs(&questions).len(), 5);
    }

    #[test]
    fn one_sided_declarations_are_found() {
        let mut questions = framed();
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            one_sided_excludes(&questions),
            vec![
                pair("gp-f-001", "gp-f-002"),
                pair("gp-f-g1-1", "gp-f-001"),
                pair("gp-f-g1-1", "gp-f-002"),
                pair("gp-f-g1-2", "gp-f-001"),
            ]
        );
        // Naming the group back answers both of its items.
        questions[0].excludes.push("gp-f-g1".into());
        questions[1].excludes = vec!["gp-f-001".into(), "gp-f-g1-1".into()];
        assert!(one_sided_excludes(&questions).is_empty());
    }

    #[test]
    fn enemies_must_exist_and_not_be_the_item_itself() {
        let mut questions = framed();
        questions[0].excludes = vec![
            "gp-f-001".into(),
            "no-such-item".into(),
            "gp-f-002".into(),
            "gp-f-002".into(),
        ];
        questions[3].excludes = vec!["gp-f-g1-1".into(), "gp-f-g1".into()];
        let problems = exclude_problems(&questions);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 5, "{messages:?}");
        assert!(messages[0].contains("本题") && messages[1].contains("不在题库中"));
        assert!(messages[2].contains("重复列出"));
        assert!(messages[3].contains("同组") && messages[4].contains("本题"));
        assert!(exclude_problems(&framed()).is_empty());
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

    proptest::proptest! {
        #[test]
        fn enemies_are_always_symmetric_and_never_the_item_itself(
            links in proptest::collection::vec((0usize..8, 0usize..8), 0..20)
        ) {
            let mut questions: Vec<Question> = shipped().into_iter().take(8).collect();
            for (a, b) in &links {
                let id = questions[*b].qid.clone();
                questions[*a].excludes.push(id);
            }
            let resolved = symmetric_excludes(&questions);
            for q in &resolved {
                proptest::prop_assert!(!q.excludes.contains(&q.qid));
                for e in &q.excludes {
                    let other = resolved.iter().find(|o| &o.qid == e).unwrap();
                    proptest::prop_assert!(other.excludes.contains(&q.qid));
                }
            }
        }
    }
}
