//! The draw (抽题组卷): a paper per candidate from the blueprint and the bank, with a
//! recorded seed, so the same pool and seed give the same paper.

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::bank::{QType, Question};
use crate::exams::{Blueprint, BlueprintLine, PaperItem, PaperOption, Points};

/// Not enough questions for a blueprint line.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortage {
    /// Index of the blueprint line.
    pub line: usize,
    pub message: String,
}

fn matches(line: &BlueprintLine, q: &Question) -> bool {
    q.area == line.area
        && q.qtype == line.qtype
        && line.difficulty.is_none_or(|d| q.difficulty == Some(d))
        && line.collection.as_ref().is_none_or(|c| &q.collection == c)
}

/// Draw a paper: for each blueprint line, `count` questions not drawn for another line
/// (whole groups for A3/A4/B1, sizes adding up to `count`), in random order; options
/// shuffled per candidate (a B1 group's shared options the same way for all its items).
/// `pool` must come in bank order; the same pool and seed give the same paper. Lines
/// that are more specific (difficulty, collection) draw first, so a general line never
/// takes what a specific one needs.
pub fn draw(
    blueprint: &Blueprint,
    pool: &[Question],
    seed: u64,
    shuffle_options: bool,
) -> Result<Vec<PaperItem>, Shortage> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..blueprint.items.len()).collect();
    order.sort_by_key(|&i| {
        let l = &blueprint.items[i];
        (
            std::cmp::Reverse(
                usize::from(l.difficulty.is_some()) + usize::from(l.collection.is_some()),
            ),
            i,
        )
    });
    let mut used: HashSet<&str> = HashSet::new();
    let mut drawn: Vec<Vec<&Question>> = vec![Vec::new(); blueprint.items.len()];
    for &i in &order {
        let line = &blueprint.items[i];
        let count = line.count as usize;
        if line.qtype.is_group() {
            let mut groups: BTreeMap<&str, Vec<&Question>> = BTreeMap::new();
            let mut spoiled: HashSet<&str> = HashSet::new();
            for q in pool.iter().filter(|q| q.qtype == line.qtype) {
                let Some(g) = q.group_id.as_deref() else {
                    continue;
                };
                if matches(line, q) && !used.contains(q.qid.as_str()) {
                    groups.entry(g).or_default().push(q);
                } else {
                    spoiled.insert(g);
                }
            }
            let mut groups: Vec<Vec<&Question>> = groups
                .into_iter()
                .filter(|(g, _)| !spoiled.contains(g))
                .map(|(_, items)| items)
                .collect();
            let available: usize = groups.iter().map(Vec::len).sum();
            groups.shuffle(&mut rng);
            let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
            let Some(picked) = subset_with_sum(&sizes, count) else {
                return Err(Shortage {
                    line: i,
                    message: format!(
                        "需要 {count} 道 {}（整组抽取，组数 {}，共 {available} 题），题库中符合条件的题组凑不出恰好 {count} 题",
                        line.qtype.as_str(),
                        groups.len()
                    ),
                });
            };
            for g in picked {
                for q in &groups[g] {
                    used.insert(&q.qid);
                    drawn[i].push(q);
                }
            }
        } else {
            let mut candidates: Vec<&Question> = pool
                .iter()
                .filter(|q| matches(line, q) && !used.contains(q.qid.as_str()))
                .collect();
            if candidates.len() < count {
                return Err(Shortage {
                    line: i,
                    message: format!(
                        "需要 {count} 道 {}，题库中符合条件（且未被其他行抽走）的只有 {} 道",
                        line.qtype.as_str(),
                        candidates.len()
                    ),
                });
            }
            let (picked, _) = candidates.partial_shuffle(&mut rng, count);
            for q in picked.iter() {
                used.insert(&q.qid);
                drawn[i].push(q);
            }
        }
    }
    // Assemble in blueprint order; shuffle options after drawing, so the draw itself
    // does not depend on whether options are shuffled.
    let mut b1_orders: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut paper = Vec::with_capacity(blueprint.question_count() as usize);
    for (i, questions) in drawn.iter().enumerate() {
        for q in questions {
            let n = q.options.len();
            let order: Vec<usize> = if !shuffle_options || q.qtype == QType::TF || keeps_order(q) {
                (0..n).collect()
            } else if q.qtype == QType::B1 {
                let group = q.group_id.as_deref().unwrap_or_default();
                b1_orders
                    .entry(group)
                    .or_insert_with(|| {
                        let mut o: Vec<usize> = (0..n).collect();
                        o.shuffle(&mut rng);
                        o
                    })
                    .clone()
            } else {
                let mut o: Vec<usize> = (0..n).collect();
                o.shuffle(&mut rng);
                o
            };
            paper.push(item(q, &order, blueprint.items[i].points, i));
        }
    }
    Ok(paper)
}

/// Options that refer to the others ("以上都是") stay where they are.
fn keeps_order(q: &Question) -> bool {
    q.options
        .iter()
        .any(|o| o.starts_with("以上") || o.contains("都不是") || o.contains("均不是"))
}

pub(crate) fn item(q: &Question, order: &[usize], points: Points, line: usize) -> PaperItem {
    let (options, answer) = if q.qtype == QType::TF {
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
            q.answer.clone(),
        )
    } else {
        let options = order
            .iter()
            .enumerate()
            .map(|(shown, &original)| PaperOption {
                key: Question::letter(shown).to_string(),
                text: q.options[original].clone(),
            })
            .collect();
        let mut answer: Vec<char> = q
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
        question_id: q.qid.clone(),
        qtype: q.qtype,
        area: q.area.clone(),
        group_id: q.group_id.clone(),
        case_text: q.case_text.clone(),
        stem: q.stem.clone(),
        options,
        answer,
        explanation: q.explanation.clone(),
        points,
        line,
    }
}

/// Indexes of a subset of `sizes` adding up to exactly `target`, preferring the earliest
/// (so, with shuffled input, a random subset). None when no subset does.
pub fn subset_with_sum(sizes: &[usize], target: usize) -> Option<Vec<usize>> {
    // reach[i][s]: some subset of sizes[i..] sums to s.
    let n = sizes.len();
    let mut reach = vec![vec![false; target + 1]; n + 1];
    reach[n][0] = true;
    for i in (0..n).rev() {
        for s in 0..=target {
            reach[i][s] = reach[i + 1][s] || (s >= sizes[i] && reach[i + 1][s - sizes[i]]);
        }
    }
    if !reach[0][target] {
        return None;
    }
    let (mut picked, mut s) = (Vec::new(), target);
    for i in 0..n {
        if s == 0 {
            break;
        }
        if s >= sizes[i] && reach[i + 1][s - sizes[i]] {
            picked.push(i);
            s -= sizes[i];
        }
    }
    Some(picked)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;
    use crate::bank::Difficulty;
    use crate::exams::rules::testkit::{blueprint, line, pool};

    #[test]
    fn papers_follow_the_blueprint_and_reproduce_from_the_seed() {
        let pool = pool();
        let bp = blueprint();
        let a = draw(&bp, &pool, 7, true).unwrap();
        assert_eq!(
            a,
            draw(&bp, &pool, 7, true).unwrap(),
            "same seed, same paper"
        );
        assert_ne!(a, draw(&bp, &pool, 8, true).unwrap());
        assert_eq!(a.len(), 20);
        assert_eq!(a.iter().map(|i| i.points).sum::<Points>(), bp.max_score());
        assert_eq!(
            a.iter().filter(|i| i.qtype == QType::A3).count(),
            7,
            "whole groups adding up to 7"
        );
        // Groups stay whole and in order.
        let a3: Vec<&PaperItem> = a.iter().filter(|i| i.qtype == QType::A3).collect();
        for g in a3
            .iter()
            .map(|i| i.group_id.clone())
            .collect::<HashSet<_>>()
        {
            let ids: Vec<&str> = a3
                .iter()
                .filter(|i| i.group_id == g)
                .map(|i| i.question_id.as_str())
                .collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(ids, sorted);
            let expected = if g
                .as_deref()
                .is_some_and(|g| g[1..].parse::<usize>().unwrap() % 2 == 0)
            {
                2
            } else {
                3
            };
            assert_eq!(ids.len(), expected);
        }
        // No question twice.
        assert_eq!(
            a.iter()
                .map(|i| &i.question_id)
                .collect::<HashSet<_>>()
                .len(),
            20
        );
    }

    #[test]
    fn shuffled_keys_still_point_at_the_right_text() {
        let pool = pool();
        let paper = draw(&blueprint(), &pool, 11, true).unwrap();
        let mut moved = 0;
        for item in &paper {
            let original = pool.iter().find(|q| q.qid == item.question_id).unwrap();
            let right_text: HashSet<&str> = original
                .answer
                .chars()
                .map(|c| original.options[(c as u8 - b'A') as usize].as_str())
                .collect();
            let shown: HashSet<&str> = item
                .answer
                .chars()
                .map(|c| {
                    item.options
                        .iter()
                        .find(|o| o.key == c.to_string())
                        .unwrap()
                        .text
                        .as_str()
                })
                .collect();
            assert_eq!(right_text, shown, "{}", item.question_id);
            if item
                .options
                .iter()
                .map(|o| o.text.as_str())
                .collect::<Vec<_>>()
                != original.options
            {
                moved += 1;
            }
        }
        assert!(moved > 10, "options are shuffled");
        // A B1 group's items share one order of the shared options.
        let b1: Vec<&PaperItem> = paper.iter().filter(|i| i.qtype == QType::B1).collect();
        assert!(
            b1.windows(2)
                .all(|w| w[0].group_id != w[1].group_id || w[0].options == w[1].options)
        );
        // Unshuffled papers keep the bank's order.
        let plain = draw(&blueprint(), &pool, 11, false).unwrap();
        assert!(
            plain
                .iter()
                .all(|i| i.qtype == QType::TF || i.options[0].text == "甲")
        );
    }

    #[test]
    fn a_short_bank_names_the_line() {
        let pool = pool();
        let bp = Blueprint {
            items: vec![line(QType::A1, 5, 1), line(QType::A1, 26, 1)],
        };
        let e = draw(&bp, &pool, 1, true).unwrap_err();
        assert_eq!(e.line, 1, "the second line finds only 25 left");
        // Sizes 2 and 3 with three groups of each cannot make 1.
        let e = draw(
            &Blueprint {
                items: vec![line(QType::A3, 1, 1)],
            },
            &pool,
            1,
            true,
        )
        .unwrap_err();
        assert_eq!(e.line, 0);
        // Specific lines draw first, so a general line does not starve them.
        let mut pool = pool;
        for q in pool.iter_mut().take(5) {
            q.difficulty = Some(Difficulty::Hard);
        }
        let mut hard = line(QType::A1, 5, 1);
        hard.difficulty = Some(Difficulty::Hard);
        let bp = Blueprint {
            items: vec![line(QType::A1, 25, 1), hard],
        };
        assert!(draw(&bp, &pool, 3, true).is_ok());
    }

    #[test]
    fn subset_sums() {
        assert_eq!(subset_with_sum(&[2, 3, 2], 5), Some(vec![0, 1]));
        assert_eq!(subset_with_sum(&[2, 2], 3), None);
        assert_eq!(subset_with_sum(&[4, 3], 0), Some(vec![]));
    }

    proptest! {
        /// Any seed gives a paper that meets the blueprint exactly, with keys that still
        /// name the right option texts.
        #[test]
        fn every_seed_meets_the_blueprint(seed in any::<u64>()) {
            let pool = pool();
            let bp = blueprint();
            let paper = draw(&bp, &pool, seed, true).unwrap();
            prop_assert_eq!(paper.len() as u32, bp.question_count());
            prop_assert_eq!(paper.iter().map(|i| i.points).sum::<Points>(), bp.max_score());
            let ids: HashSet<&str> = paper.iter().map(|i| i.question_id.as_str()).collect();
            prop_assert_eq!(ids.len(), paper.len());
            for item in &paper {
                let original = pool.iter().find(|q| q.qid == item.question_id).unwrap();
                for c in item.answer.chars() {
                    let text = &item.options.iter().find(|o| o.key == c.to_string()).unwrap().text;
                    let k = original.options.iter().position(|o| o == text).unwrap();
                    prop_assert!(original.answer.contains(Question::letter(k)));
                }
            }
        }
    }
}
