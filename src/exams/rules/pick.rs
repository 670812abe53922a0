//! Picking a blueprint line's questions: whole units (one item, or a whole A3/A4/B1
//! group) whose sizes add up to the line's count, never two enemy items (互斥题: items
//! that give each other away, `Question::excludes`) on one paper.

use std::collections::{HashMap, HashSet};

use crate::bank::Question;

/// Each item's enemies in a pool, read from both sides (the bank stores both, but a
/// one-sided declaration still counts).
#[derive(Debug, Default)]
pub struct Enemies<'a>(HashMap<&'a str, Vec<&'a str>>);

impl<'a> Enemies<'a> {
    pub fn of(pool: &'a [Question]) -> Enemies<'a> {
        let mut map: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
        for q in pool {
            for e in &q.excludes {
                if *e != q.qid {
                    map.entry(q.qid.as_str()).or_default().push(e.as_str());
                    map.entry(e.as_str()).or_default().push(q.qid.as_str());
                }
            }
        }
        for list in map.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Enemies(map)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The enemies of an item.
    pub fn of_item(&self, qid: &str) -> &[&'a str] {
        self.0.get(qid).map_or(&[], Vec::as_slice)
    }

    /// Are two items enemies?
    pub fn between(&self, a: &str, b: &str) -> bool {
        self.of_item(a).contains(&b)
    }

    /// Does a unit hold two enemies (a group the bank's rules should have refused)?
    pub fn within(&self, unit: &[&Question]) -> bool {
        unit.iter().any(|q| {
            self.of_item(&q.qid)
                .iter()
                .any(|e| unit.iter().any(|o| o.qid == *e))
        })
    }
}

/// How many steps the search for enemy-free units may take before it gives up (a bank
/// whose enemies make a line impossible is refused, not searched for ever).
pub const SEARCH_STEPS: usize = 200_000;

/// Indexes of units whose sizes add up to exactly `target` and whose items are never
/// enemies of each other nor in `blocked` (the enemies of what other lines drew),
/// preferring the earliest units (so, with shuffled input, a random choice). Without
/// enemies it picks what [`subset_with_sum`] picks. `None` when no such choice exists
/// (or the search gave up after [`SEARCH_STEPS`]).
pub fn choose(
    units: &[Vec<&Question>],
    target: usize,
    enemies: &Enemies<'_>,
    blocked: &HashSet<&str>,
) -> Option<Vec<usize>> {
    let free: Vec<usize> = (0..units.len())
        .filter(|&u| {
            units[u].iter().all(|q| !blocked.contains(q.qid.as_str())) && !enemies.within(&units[u])
        })
        .collect();
    let sizes: Vec<usize> = free.iter().map(|&u| units[u].len()).collect();
    let reach = reachable(&sizes, target);
    let mut search = Search {
        units,
        free: &free,
        sizes: &sizes,
        reach: &reach,
        enemies,
        taken: HashMap::new(),
        picked: Vec::new(),
        steps: 0,
    };
    search
        .fill(0, target)
        .then(|| search.picked.iter().map(|&k| free[k]).collect())
}

/// `reach[i][s]`: some subset of `sizes[i..]` adds up to `s`.
fn reachable(sizes: &[usize], target: usize) -> Vec<Vec<bool>> {
    let n = sizes.len();
    let mut reach = vec![vec![false; target + 1]; n + 1];
    reach[n][0] = true;
    for i in (0..n).rev() {
        for s in 0..=target {
            reach[i][s] = reach[i + 1][s] || (s >= sizes[i] && reach[i + 1][s - sizes[i]]);
        }
    }
    reach
}

struct Search<'s, 'q> {
    units: &'s [Vec<&'q Question>],
    /// The units not blocked, as indexes into `units`.
    free: &'s [usize],
    sizes: &'s [usize],
    reach: &'s [Vec<bool>],
    enemies: &'s Enemies<'q>,
    /// The enemies of the units picked so far, counted (so a unit can be put back).
    taken: HashMap<&'q str, usize>,
    /// Indexes into `free`.
    picked: Vec<usize>,
    steps: usize,
}

impl<'q> Search<'_, 'q> {
    /// Depth-first, earliest units first: pick units from `from` on adding up to `need`.
    fn fill(&mut self, from: usize, need: usize) -> bool {
        if need == 0 {
            return true;
        }
        for k in from..self.free.len() {
            self.steps += 1;
            if self.steps > SEARCH_STEPS {
                return false;
            }
            let size = self.sizes[k];
            if size > need || !self.reach[k + 1][need - size] {
                continue;
            }
            let unit = &self.units[self.free[k]];
            if unit
                .iter()
                .any(|q| self.taken.get(q.qid.as_str()).is_some_and(|n| *n > 0))
            {
                continue;
            }
            self.take(unit, 1);
            self.picked.push(k);
            if self.fill(k + 1, need - size) {
                return true;
            }
            self.picked.pop();
            self.take(unit, -1);
        }
        false
    }

    fn take(&mut self, unit: &[&'q Question], by: isize) {
        let enemies = self.enemies;
        for q in unit {
            for e in enemies.of_item(&q.qid) {
                let n = self.taken.entry(e).or_insert(0);
                *n = n.saturating_add_signed(by);
            }
        }
    }
}

/// Indexes of a subset of `sizes` adding up to exactly `target`, preferring the earliest
/// (so, with shuffled input, a random subset). None when no subset does.
pub fn subset_with_sum(sizes: &[usize], target: usize) -> Option<Vec<usize>> {
    let reach = reachable(sizes, target);
    if !reach[0][target] {
        return None;
    }
    let (mut picked, mut s) = (Vec::new(), target);
    for i in 0..sizes.len() {
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
    use super::*;
    use crate::bank::QType;
    use crate::exams::rules::testkit::q;

    fn enemy(mut a: Question, of: &[&str]) -> Question {
        a.excludes = of.iter().map(|s| (*s).to_owned()).collect();
        a
    }

    #[test]
    fn subset_sums() {
        assert_eq!(subset_with_sum(&[2, 3, 2], 5), Some(vec![0, 1]));
        assert_eq!(subset_with_sum(&[2, 2], 3), None);
        assert_eq!(subset_with_sum(&[4, 3], 0), Some(vec![]));
    }

    #[test]
    fn enemies_are_read_from_either_side() {
        let pool = vec![
            enemy(q("a", QType::A1, "A", None), &["b", "a"]),
            q("b", QType::A1, "A", None),
            enemy(q("c", QType::A1, "A", None), &["a"]),
        ];
        let enemies = Enemies::of(&pool);
        assert!(enemies.between("b", "a") && enemies.between("a", "c"));
        assert!(!enemies.between("b", "c") && !enemies.between("a", "a"));
        assert_eq!(enemies.of_item("a"), ["b", "c"]);
    }

    #[test]
    fn the_search_steps_back_from_an_item_with_many_enemies() {
        // `a` is the enemy of both others: taking it first leaves nothing, so the search
        // puts it back and takes `b` and `c`.
        let pool = vec![
            enemy(q("a", QType::A1, "A", None), &["b", "c"]),
            q("b", QType::A1, "A", None),
            q("c", QType::A1, "A", None),
        ];
        let units: Vec<Vec<&Question>> = pool.iter().map(|q| vec![q]).collect();
        let enemies = Enemies::of(&pool);
        let none = HashSet::new();
        assert_eq!(choose(&units, 2, &enemies, &none), Some(vec![1, 2]));
        assert_eq!(choose(&units, 1, &enemies, &none), Some(vec![0]));
        assert_eq!(choose(&units, 3, &enemies, &none), None);
        // What other lines drew blocks its enemies.
        let blocked: HashSet<&str> = ["b"].into();
        assert_eq!(choose(&units, 2, &enemies, &blocked), None);
        assert_eq!(choose(&units, 1, &enemies, &blocked), Some(vec![0]));
    }

    #[test]
    fn without_enemies_the_choice_is_the_subset_sums() {
        let pool: Vec<Question> = (0..7)
            .map(|i| q(&format!("g{i}"), QType::A3, "A", Some(&format!("g{i}"))))
            .collect();
        let sizes = [2usize, 3, 2, 3, 3, 2, 2];
        let units: Vec<Vec<&Question>> =
            sizes.iter().zip(&pool).map(|(n, q)| vec![q; *n]).collect();
        let none = HashSet::new();
        for target in 0..12 {
            assert_eq!(
                choose(&units, target, &Enemies::default(), &none),
                subset_with_sum(&sizes, target),
                "{target}"
            );
        }
    }
}
