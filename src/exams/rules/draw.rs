//! The draw (抽题组卷): a paper per candidate from the blueprint and the bank, with a
//! recorded seed, so the same pool and seed give the same paper.

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::pick::{self, Enemies, subset_with_sum};
use super::stored::ItemContent;
use crate::bank::{QType, Question};
use crate::exams::{Blueprint, BlueprintLine, PaperItem};

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
///
/// Enemy items (`Question::excludes`, read from either side) are never on one paper:
/// a line picks among the items that are not enemies of what is already drawn, stepping
/// back from a pick that leaves too few ([`pick::choose`]). When a line cannot be filled
/// because of enemies (not because the bank is short), the whole draw is tried again in
/// another random order, up to [`ATTEMPTS`] times, before the line is named.
pub fn draw(
    blueprint: &Blueprint,
    pool: &[Question],
    seed: u64,
    shuffle_options: bool,
) -> Result<Vec<PaperItem>, Shortage> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let enemies = Enemies::of(pool);
    let mut attempt = 1;
    let drawn = loop {
        match pick_lines(blueprint, pool, &enemies, &mut rng) {
            Ok(drawn) => break drawn,
            Err(Failure::Enemies(_)) if attempt < ATTEMPTS => attempt += 1,
            Err(Failure::Short(s) | Failure::Enemies(s)) => return Err(s),
        }
    };
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
            paper.push(ItemContent::of(q).item(&order, blueprint.items[i].points, i));
        }
    }
    Ok(paper)
}

/// How many random orders a draw tries when enemies block a line.
pub const ATTEMPTS: usize = 8;

/// Why lines could not be drawn: the bank is short, or enemy items block the line.
enum Failure {
    Short(Shortage),
    Enemies(Shortage),
}

/// The questions of each line (in blueprint order), drawn in the order of `draw`.
fn pick_lines<'a>(
    blueprint: &Blueprint,
    pool: &'a [Question],
    enemies: &Enemies<'a>,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<Vec<&'a Question>>, Failure> {
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
    // The enemies of everything drawn so far.
    let mut blocked: HashSet<&str> = HashSet::new();
    let mut drawn: Vec<Vec<&Question>> = vec![Vec::new(); blueprint.items.len()];
    for &i in &order {
        let line = &blueprint.items[i];
        let count = line.count as usize;
        let units = if line.qtype.is_group() {
            let units = group_units(line, pool, &used, rng);
            let available: usize = units.iter().map(Vec::len).sum();
            let sizes: Vec<usize> = units.iter().map(Vec::len).collect();
            if subset_with_sum(&sizes, count).is_none() {
                return Err(Failure::Short(Shortage {
                    line: i,
                    message: format!(
                        "需要 {count} 道 {}（整组抽取，组数 {}，共 {available} 题），题库中符合条件的题组凑不出恰好 {count} 题",
                        line.qtype.as_str(),
                        units.len()
                    ),
                }));
            }
            units
        } else {
            let mut candidates: Vec<&Question> = pool
                .iter()
                .filter(|q| matches(line, q) && !used.contains(q.qid.as_str()))
                .collect();
            if candidates.len() < count {
                return Err(Failure::Short(Shortage {
                    line: i,
                    message: format!(
                        "需要 {count} 道 {}，题库中符合条件（且未被其他行抽走）的只有 {} 道",
                        line.qtype.as_str(),
                        candidates.len()
                    ),
                }));
            }
            let (picked, rest) = candidates.partial_shuffle(rng, count);
            let clear = enemies.is_empty()
                || (picked.iter().all(|q| !blocked.contains(q.qid.as_str()))
                    && !enemies.within(picked));
            if !clear {
                // The quick pick holds enemies: search every candidate, in random order.
                rest.shuffle(rng);
            }
            let mut units: Vec<Vec<&Question>> = picked.iter().map(|q| vec![*q]).collect();
            if !clear {
                units.extend(rest.iter().map(|q| vec![*q]));
            }
            units
        };
        let Some(picked) = pick::choose(&units, count, enemies, &blocked) else {
            return Err(Failure::Enemies(Shortage {
                line: i,
                message: format!(
                    "需要 {count} 道 {}，题库中符合条件的题有 {} 道，但其中互斥的题（不能同卷）太多，凑不出 {count} 道互不互斥的题",
                    line.qtype.as_str(),
                    units.iter().map(Vec::len).sum::<usize>()
                ),
            }));
        };
        for u in picked {
            for q in &units[u] {
                used.insert(&q.qid);
                blocked.extend(enemies.of_item(&q.qid));
                drawn[i].push(q);
            }
        }
    }
    Ok(drawn)
}

/// A group line's candidates: the whole groups of its type whose every item matches the
/// line and is not drawn yet, in random order.
fn group_units<'a>(
    line: &BlueprintLine,
    pool: &'a [Question],
    used: &HashSet<&str>,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<&'a Question>> {
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
    groups.shuffle(rng);
    groups
}

/// Options that refer to the others ("以上都是") stay where they are.
fn keeps_order(q: &Question) -> bool {
    q.options
        .iter()
        .any(|o| o.starts_with("以上") || o.contains("都不是") || o.contains("均不是"))
}

#[cfg(test)]
#[path = "draw_tests.rs"]
mod tests;
