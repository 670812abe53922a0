//! Enemy items (互斥题): two items that give each other away and never share a paper.
//! Declarations name items or groups (a group stands for its items); the bank stores
//! them on both sides, so the exam engine reads them from either item.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Problem;
use crate::bank::Question;

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

/// Enemy declarations that name nothing in the bank, the item itself, or its own group.
pub(super) fn exclude_problems(questions: &[Question]) -> Vec<Problem> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Vec<Question> {
        let (questions, problems) = crate::bank::files::shipped();
        assert!(problems.is_empty(), "{problems:?}");
        questions
    }

    fn framed() -> Vec<Question> {
        let (questions, problems) = crate::bank::files::parse_file(
            "general_practice/f.toml",
            crate::bank::files::tests::FRAMED,
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
