//! Answers and grading (评分): what an answer may be, what each item scores, the paper's
//! total and whether it passes. Points are exact tenths, so totals never drift.

use std::collections::{HashMap, HashSet};

use crate::bank::QType;
use crate::exams::{PaperItem, Points, XScoring};

/// A candidate's answer as stored: `B`; X letters sorted (`ACD`); `T`/`F`; or empty
/// (cleared). Refuses what the item cannot take (API.md "Answers").
pub fn normalize_answer(item: &PaperItem, raw: &str) -> Result<String, String> {
    normalize(item.qtype, &item.keys(), raw)
}

/// [`normalize_answer`] for an item of `qtype` whose options have these keys.
pub fn normalize(qtype: QType, keys: &[char], raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    if qtype == QType::TF {
        return match raw.to_ascii_uppercase().as_str() {
            "T" | "TRUE" => Ok("T".into()),
            "F" | "FALSE" => Ok("F".into()),
            _ => Err("判断题的答案应为 T 或 F".into()),
        };
    }
    let mut letters: Vec<char> = Vec::new();
    for c in raw.chars().filter(|c| !matches!(c, ',' | ' ')) {
        let c = c.to_ascii_uppercase();
        if !keys.contains(&c) {
            return Err(format!("{c} 不是本题的选项"));
        }
        letters.push(c);
    }
    letters.sort_unstable();
    letters.dedup();
    if qtype != QType::X && letters.len() != 1 {
        return Err("本题是单选题，只能选一个选项".into());
    }
    Ok(letters.into_iter().collect())
}

/// Points for one item: the key scores in full; an X item under `partial` scores
/// points × chosen right ÷ all right (to the nearest tenth, halves up) when no wrong
/// letter is chosen; anything else scores nothing (多选、少选、错选 rules).
pub fn grade(item: &PaperItem, given: Option<&str>, x: XScoring) -> Points {
    let Some(given) = given.filter(|g| !g.is_empty()) else {
        return Points::ZERO;
    };
    if given == item.answer {
        return item.points;
    }
    if item.qtype != QType::X || x == XScoring::AllOrNothing {
        return Points::ZERO;
    }
    let right: HashSet<char> = item.answer.chars().collect();
    if given.chars().any(|c| !right.contains(&c)) || right.is_empty() {
        return Points::ZERO;
    }
    let (chosen, all) = (given.chars().count() as i64, right.len() as i64);
    let tenths = (i64::from(item.points.as_tenths()) * chosen * 2 + all) / (all * 2);
    Points::tenths(i32::try_from(tenths).unwrap_or(i32::MAX))
}

/// One graded item of a paper.
#[derive(Debug, Clone, PartialEq)]
pub struct GradedItem {
    /// Its place on the paper (0-based).
    pub position: usize,
    pub question_id: String,
    /// What was given (None when left empty).
    pub answer: Option<String>,
    pub points: Points,
    pub max_points: Points,
}

/// A graded paper.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub score: Points,
    pub max_score: Points,
    pub items: Vec<GradedItem>,
}

/// Grade every item of a paper against the saved answers; the score is their exact sum.
pub fn grade_paper(paper: &[PaperItem], answers: &HashMap<String, String>, x: XScoring) -> Graded {
    let items: Vec<GradedItem> = paper
        .iter()
        .enumerate()
        .map(|(position, item)| {
            let answer = answers
                .get(&item.question_id)
                .filter(|a| !a.is_empty())
                .cloned();
            GradedItem {
                position,
                question_id: item.question_id.clone(),
                points: grade(item, answer.as_deref(), x),
                answer,
                max_points: item.points,
            }
        })
        .collect();
    Graded {
        score: items.iter().map(|i| i.points).sum(),
        max_score: paper.iter().map(|i| i.points).sum(),
        items,
    }
}

/// Passing: the score reaches the pass score, exactly (on the paper's own scale).
pub fn passed(score: Points, pass_score: Points) -> bool {
    score >= pass_score
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::exams::rules::testkit::{item_of, q};

    #[test]
    fn every_item_type_grades() {
        let x = XScoring::AllOrNothing;
        for (t, key, right, wrong) in [
            (QType::A1, "B", "B", "C"),
            (QType::A2, "E", "E", "A"),
            (QType::A3, "A", "A", "B"),
            (QType::A4, "D", "D", "C"),
            (QType::B1, "C", "C", "D"),
            (QType::TF, "F", "F", "T"),
            (QType::X, "ACD", "ACD", "AC"),
        ] {
            let item = item_of(&q("q1", t, key, None), Points::whole(2));
            assert_eq!(grade(&item, Some(right), x), Points::whole(2), "{t:?}");
            assert_eq!(grade(&item, Some(wrong), x), Points::ZERO, "{t:?}");
            assert_eq!(grade(&item, None, x), Points::ZERO, "{t:?}");
            assert_eq!(grade(&item, Some(""), x), Points::ZERO, "{t:?}");
        }
    }

    #[test]
    fn x_items_score_partially_only_when_configured() {
        let item = item_of(&q("x", QType::X, "ACD", None), Points::whole(3));
        let p = XScoring::Partial;
        assert_eq!(grade(&item, Some("ACD"), p), Points::whole(3));
        assert_eq!(
            grade(&item, Some("AC"), p),
            Points::whole(2),
            "two of three right, none wrong"
        );
        assert_eq!(grade(&item, Some("A"), p), Points::whole(1));
        assert_eq!(
            grade(&item, Some("ACE"), p),
            Points::ZERO,
            "a wrong letter scores nothing"
        );
        assert_eq!(grade(&item, Some("ABCDE"), p), Points::ZERO);
        assert_eq!(
            grade(&item, Some("AC"), XScoring::AllOrNothing),
            Points::ZERO
        );
    }

    #[test]
    fn partial_points_round_to_the_nearest_tenth() {
        let one = item_of(&q("x", QType::X, "ACD", None), Points::whole(1));
        let p = XScoring::Partial;
        assert_eq!(grade(&one, Some("A"), p), Points::tenths(3), "1/3 → 0.3");
        assert_eq!(grade(&one, Some("AC"), p), Points::tenths(7), "2/3 → 0.7");
        let half = item_of(&q("x", QType::X, "AC", None), Points::tenths(5));
        assert_eq!(grade(&half, Some("A"), p), Points::tenths(3), "0.25 → 0.3");
    }

    #[test]
    fn the_total_is_the_exact_sum_and_passing_is_reaching_the_mark() {
        let paper: Vec<PaperItem> = (0..10)
            .map(|i| {
                item_of(
                    &q(&format!("q{i}"), QType::A1, "B", None),
                    Points::tenths(1),
                )
            })
            .collect();
        let answers: HashMap<String, String> = (0..10)
            .map(|i| (format!("q{i}"), if i < 7 { "B" } else { "C" }.to_owned()))
            .collect();
        let g = grade_paper(&paper, &answers, XScoring::AllOrNothing);
        assert_eq!(
            (g.score, g.max_score),
            (Points::tenths(7), Points::whole(1))
        );
        assert_eq!(g.items[9].answer.as_deref(), Some("C"));
        assert!(passed(g.score, Points::tenths(7)));
        assert!(!passed(g.score, Points::tenths(8)));
    }

    #[test]
    fn answers_are_checked_against_the_item() {
        let single = item_of(&q("a", QType::A1, "B", None), Points::whole(1));
        assert_eq!(normalize_answer(&single, " b ").unwrap(), "B");
        assert!(normalize_answer(&single, "AB").is_err());
        assert!(normalize_answer(&single, "Z").is_err());
        assert_eq!(normalize_answer(&single, "").unwrap(), "");
        let x = item_of(&q("x", QType::X, "AC", None), Points::whole(1));
        assert_eq!(normalize_answer(&x, "c,a").unwrap(), "AC");
        let tf = item_of(&q("t", QType::TF, "T", None), Points::whole(1));
        assert_eq!(normalize_answer(&tf, "true").unwrap(), "T");
        assert!(normalize_answer(&tf, "A").is_err());
    }

    proptest! {
        /// Grading never gives more than the item is worth nor less than nothing, and
        /// the exact key always scores in full.
        #[test]
        fn grades_stay_within_the_items_points(answer in "[A-E]{1,5}", key in "[A-E]{2,5}", partial in any::<bool>(), tenths in 5i32..100) {
            let mut key: Vec<char> = key.chars().collect();
            key.sort_unstable();
            key.dedup();
            let key: String = key.into_iter().collect();
            let points = Points::tenths(tenths);
            let item = item_of(&q("x", QType::X, &key, None), points);
            let x = if partial { XScoring::Partial } else { XScoring::AllOrNothing };
            let given = normalize_answer(&item, &answer).unwrap();
            let g = grade(&item, Some(&given), x);
            prop_assert!(Points::ZERO <= g && g <= points);
            prop_assert_eq!(grade(&item, Some(&key), x), points);
        }
    }
}
