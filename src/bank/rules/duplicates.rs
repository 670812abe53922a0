//! The same question twice in an import: once is enough (the repeat is skipped), but the
//! same question with a different key means one of them is wrong, and the file is
//! refused naming both.
//!
//! "The same question": the same id (the same category, title and stem), or the same
//! case and stem with the same options in any order (whitespace and letter case aside).
//! Keys are compared as option texts, so a shuffled copy with the same answer is the
//! same question.

use std::collections::HashMap;

use crate::bank::{QType, Question};

/// What an item repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    /// The same as the item at this index, with the same key.
    Same(usize),
    /// The same question as the item at this index, with a different key.
    Contradicts(usize),
}

fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What makes two questions the same question: case, stem and the set of options.
pub fn fingerprint(q: &Question) -> String {
    let mut options: Vec<String> = q.options.iter().map(|o| normal(o)).collect();
    options.sort_unstable();
    format!(
        "{}\u{1f}{}\u{1f}{}",
        normal(q.case_text.as_deref().unwrap_or("")),
        normal(&q.stem),
        options.join("\u{1e}")
    )
}

/// The key as the texts it names (sorted), or `T`/`F`.
fn key(q: &Question) -> Vec<String> {
    if q.qtype == QType::TF {
        return vec![q.answer.clone()];
    }
    let mut texts: Vec<String> = q
        .answer
        .bytes()
        .filter(u8::is_ascii_uppercase)
        .filter_map(|b| q.options.get(usize::from(b - b'A')))
        .map(|o| normal(o))
        .collect();
    texts.sort_unstable();
    texts
}

/// The key with the texts it names, for messages: `A（氨氯地平）`, `正确`.
pub fn key_described(q: &Question) -> String {
    if q.qtype == QType::TF {
        return q.key_label();
    }
    let texts: Vec<&str> = q
        .answer
        .bytes()
        .filter(u8::is_ascii_uppercase)
        .filter_map(|b| q.options.get(usize::from(b - b'A')))
        .map(String::as_str)
        .collect();
    format!("{}（{}）", q.answer, texts.join("、"))
}

/// For each item of a batch, the earlier item it repeats, if any.
pub fn within(batch: &[&Question]) -> Vec<Option<Duplicate>> {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut by_print: HashMap<String, usize> = HashMap::new();
    batch
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let print = fingerprint(q);
            let first = by_id
                .get(q.qid.as_str())
                .or_else(|| by_print.get(&print))
                .copied();
            match first {
                Some(f) => Some(if key(batch[f]) == key(q) {
                    Duplicate::Same(f)
                } else {
                    Duplicate::Contradicts(f)
                }),
                None => {
                    by_id.insert(q.qid.as_str(), i);
                    by_print.insert(print, i);
                    None
                }
            }
        })
        .collect()
}

/// For each item of a batch, a question already in the collection (another id: the same
/// id is the same question, updated) that it repeats: `(index in stored, kind)`.
pub fn against(batch: &[Question], stored: &[Question]) -> Vec<Option<Duplicate>> {
    let ids: std::collections::HashSet<&str> = batch.iter().map(|q| q.qid.as_str()).collect();
    let prints: HashMap<String, usize> = stored
        .iter()
        .enumerate()
        .filter(|(_, s)| !ids.contains(s.qid.as_str()))
        .map(|(i, s)| (fingerprint(s), i))
        .collect();
    batch
        .iter()
        .map(|q| {
            prints.get(&fingerprint(q)).map(|s| {
                if key(&stored[*s]) == key(q) {
                    Duplicate::Same(*s)
                } else {
                    Duplicate::Contradicts(*s)
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::bank::formats::blank;

    fn q(id: &str, stem: &str, options: &[&str], answer: &str) -> Question {
        let mut q = blank("public_health", "t", QType::A1);
        q.qid = id.into();
        q.stem = stem.into();
        q.options = options.iter().map(|o| (*o).to_owned()).collect();
        q.answer = answer.into();
        q
    }

    #[test]
    fn a_repeat_is_the_same_or_contradicts() {
        let a = q("c-1", "首选药物", &["甲", "乙", "丙"], "A");
        let same_shuffled = q("c-2", "首选 药物", &["乙", "甲", "丙"], "B");
        let other_key = q("c-3", "首选药物", &["丙", "乙", "甲"], "B");
        let same_id_other_key = q("c-1", "首选药物", &["甲", "乙", "丙"], "C");
        let unrelated = q("c-4", "另一题", &["甲", "乙", "丙"], "A");
        let found = within(&[
            &a,
            &same_shuffled,
            &other_key,
            &same_id_other_key,
            &unrelated,
        ]);
        assert_eq!(
            found,
            vec![
                None,
                Some(Duplicate::Same(0)),
                Some(Duplicate::Contradicts(0)),
                Some(Duplicate::Contradicts(0)),
                None
            ]
        );
    }

    #[test]
    fn the_collection_is_compared_by_content_not_by_the_same_id() {
        let stored = vec![
            q("c-1", "首选药物", &["甲", "乙", "丙"], "A"),
            q("c-9", "另一题", &["甲", "乙"], "A"),
        ];
        let corrected = q("c-1", "首选药物", &["甲", "乙", "丙"], "B");
        let copy = q("c-2", "首选药物", &["甲", "乙", "丙"], "A");
        let wrong_copy = q("c-3", "另一题", &["甲", "乙"], "B");
        assert_eq!(
            against(std::slice::from_ref(&corrected), &stored),
            vec![None],
            "a corrected key under the same id is an update"
        );
        assert_eq!(
            against(&[copy, wrong_copy], &stored),
            vec![Some(Duplicate::Same(0)), Some(Duplicate::Contradicts(1))]
        );
        let mut tf = blank("public_health", "t", QType::TF);
        tf.answer = "F".into();
        assert_eq!(tf.key_label(), "错误");
        assert_eq!(key_described(&stored[0]), "A（甲）");
    }

    proptest! {
        #[test]
        fn shuffling_options_with_the_key_keeps_a_question_the_same(
            seed in 0usize..120, key_at in 0usize..5
        ) {
            let texts = ["甲", "乙", "丙", "丁", "戊"];
            let mut order: Vec<usize> = (0..5).collect();
            // A permutation from the seed (Lehmer code).
            let mut s = seed;
            for i in (1..5).rev() {
                order.swap(i, s % (i + 1));
                s /= i + 1;
            }
            let a = q("x-1", "题", &texts, &Question::letter(key_at).to_string());
            let shuffled: Vec<&str> = order.iter().map(|i| texts[*i]).collect();
            let moved = order.iter().position(|i| *i == key_at).unwrap_or(0);
            let b = q("x-2", "题", &shuffled, &Question::letter(moved).to_string());
            prop_assert_eq!(within(&[&a, &b])[1], Some(Duplicate::Same(0)));
        }
    }
}
