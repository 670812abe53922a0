use std::collections::HashSet;

use proptest::prelude::*;

use super::*;
use crate::bank::Difficulty;
use crate::exams::Points;
use crate::exams::rules::testkit::{blueprint, line, pool, q};

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

/// A bank of `a1` A1 items, `tf` true/false items and `groups` A3 pairs, with enemy
/// groups given as indexes into its items (two items of one A3 group are never
/// enemies: a group is drawn whole). Every pair of an enemy group is declared once, on
/// one side only: the draw reads both.
fn bank_with_enemies(
    a1: usize,
    tf: usize,
    groups: usize,
    enemy_groups: &[Vec<usize>],
) -> (Vec<Question>, Vec<Vec<String>>) {
    let mut pool: Vec<Question> = (0..a1)
        .map(|i| q(&format!("a1-{i:02}"), QType::A1, "B", None))
        .collect();
    pool.extend((0..tf).map(|i| q(&format!("tf-{i:02}"), QType::TF, "T", None)));
    for g in 0..groups {
        for k in 0..2 {
            pool.push(q(
                &format!("a3-{g}-{k}"),
                QType::A3,
                "C",
                Some(&format!("g{g}")),
            ));
        }
    }
    let mut named = Vec::new();
    for members in enemy_groups {
        let mut ids: Vec<usize> = Vec::new();
        for m in members {
            let m = m % pool.len();
            let same_group =
                |o: &usize| pool[m].group_id.is_some() && pool[*o].group_id == pool[m].group_id;
            if !ids.contains(&m) && !ids.iter().any(same_group) {
                ids.push(m);
            }
        }
        if ids.len() < 2 {
            continue;
        }
        for (k, &m) in ids.iter().enumerate() {
            let later: Vec<String> = ids[k + 1..].iter().map(|&o| pool[o].qid.clone()).collect();
            pool[m].excludes.extend(later);
        }
        named.push(ids.iter().map(|&m| pool[m].qid.clone()).collect());
    }
    (pool, named)
}

/// How many items of a type are in no enemy group (A3: whole groups).
fn free_of(pool: &[Question], enemy_groups: &[Vec<String>], qtype: QType) -> usize {
    let enemy = |id: &str| enemy_groups.iter().any(|g| g.iter().any(|e| e == id));
    match qtype {
        QType::A3 => {
            let spoiled: HashSet<&Option<String>> = pool
                .iter()
                .filter(|q| q.qtype == QType::A3 && enemy(&q.qid))
                .map(|q| &q.group_id)
                .collect();
            let all: HashSet<&Option<String>> = pool
                .iter()
                .filter(|q| q.qtype == QType::A3)
                .map(|q| &q.group_id)
                .collect();
            all.difference(&spoiled).count()
        }
        _ => pool
            .iter()
            .filter(|q| q.qtype == qtype && !enemy(&q.qid))
            .count(),
    }
}

#[test]
fn enemies_never_share_a_paper_and_the_draw_steps_around_them() {
    // a1-00 is the enemy of every other A1 (declared on its side only) and of tf-00.
    let mut pool = pool();
    pool[0].excludes = (1..30).map(|i| format!("a1-{i:02}")).collect();
    pool.push(q("tf-00", QType::TF, "T", None));
    pool[0].excludes.push("tf-00".into());
    let bp = Blueprint {
        items: vec![line(QType::A1, 29, 1), line(QType::TF, 1, 1)],
    };
    for seed in 0..20 {
        let paper = draw(&bp, &pool, seed, true).unwrap();
        let ids: Vec<&str> = paper.iter().map(|i| i.question_id.as_str()).collect();
        assert!(!ids.contains(&"a1-00"), "seed {seed}: {ids:?}");
        assert!(ids.contains(&"tf-00"));
    }
    // Thirty A1 items where a1-00 excludes all others: 30 can never be drawn together.
    let bp = Blueprint {
        items: vec![line(QType::A1, 30, 1)],
    };
    let e = draw(&bp, &pool, 1, true).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(e.message.contains("互斥"), "{}", e.message);
    // Without the enemies the same blueprint draws.
    pool[0].excludes.clear();
    assert!(draw(&bp, &pool, 1, true).is_ok());
}

#[test]
fn a_line_blocked_by_another_lines_enemies_is_named() {
    // Every TF item is an enemy of every A1 item: a paper with both cannot exist.
    let mut pool = pool();
    for i in 0..3 {
        let mut t = q(&format!("tf-{i}"), QType::TF, "T", None);
        t.excludes = (0..30).map(|k| format!("a1-{k:02}")).collect();
        pool.push(t);
    }
    let bp = Blueprint {
        items: vec![line(QType::A1, 2, 1), line(QType::TF, 1, 1)],
    };
    let e = draw(&bp, &pool, 5, true).unwrap_err();
    assert_eq!(e.line, 1, "{}", e.message);
    assert!(e.message.contains("互斥"));
}

proptest! {
    /// Random banks with random enemy groups: a drawn paper never holds two items of
    /// one enemy group and always meets its blueprint; when each line has enough items
    /// outside every enemy group, every seed draws; a draw that fails names a line.
    #[test]
    fn enemy_groups_never_share_a_paper(
        a1 in 8usize..30,
        tf in 3usize..12,
        groups in 2usize..7,
        enemy_groups in proptest::collection::vec(
            proptest::collection::vec(0usize..1000, 2..6), 0..6),
        counts in (1u32..12, 1u32..6, 0u32..4),
        seed in any::<u64>(),
    ) {
        let (pool, named) = bank_with_enemies(a1, tf, groups, &enemy_groups);
        let (c1, c2, pairs) = counts;
        let mut items = vec![line(QType::A1, c1, 1), line(QType::TF, c2, 1)];
        if pairs > 0 {
            items.push(line(QType::A3, pairs * 2, 2));
        }
        let bp = Blueprint { items };
        let enough = c1 as usize <= free_of(&pool, &named, QType::A1)
            && c2 as usize <= free_of(&pool, &named, QType::TF)
            && pairs as usize <= free_of(&pool, &named, QType::A3);
        match draw(&bp, &pool, seed, true) {
            Ok(paper) => {
                prop_assert_eq!(paper.len() as u32, bp.question_count());
                prop_assert_eq!(paper.iter().map(|i| i.points).sum::<Points>(), bp.max_score());
                let ids: HashSet<&str> = paper.iter().map(|i| i.question_id.as_str()).collect();
                prop_assert_eq!(ids.len(), paper.len());
                for group in &named {
                    let on_paper = group.iter().filter(|id| ids.contains(id.as_str())).count();
                    prop_assert!(on_paper <= 1, "{:?} on one paper: {:?}", group, ids);
                }
            }
            Err(e) => {
                prop_assert!(!enough, "enough free items, yet: {:?}", e);
                prop_assert!(e.line < bp.items.len());
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}

#[test]
fn the_shipped_bank_draws_around_its_enemy_pairs() {
    let (shipped, problems) = crate::bank::files::shipped();
    assert!(problems.is_empty(), "{problems:?}");
    let bank = crate::bank::rules::symmetric_excludes(&shipped);
    let pairs = crate::bank::rules::enemy_pairs(&shipped);
    assert!(!pairs.is_empty(), "the shipped bank declares enemy pairs");
    // The demo's annual assessment (src/demo/exams.rs).
    let at = |area: &str, qtype: QType, count: u32| BlueprintLine {
        area: area.into(),
        ..line(qtype, count, 1)
    };
    let bp = Blueprint {
        items: vec![
            at("public_health", QType::A1, 20),
            at("general_practice", QType::A2, 10),
            at("public_health", QType::A3, 6),
            at("public_health", QType::B1, 4),
            at("emergency", QType::X, 3),
            at("public_health", QType::TF, 5),
        ],
    };
    let pool: Vec<Question> = bank
        .into_iter()
        .filter(|q| bp.items.iter().any(|l| l.area == q.area))
        .collect();
    for seed in 0..100 {
        let paper = draw(&bp, &pool, seed, true).unwrap();
        let ids: HashSet<&str> = paper.iter().map(|i| i.question_id.as_str()).collect();
        for (a, b) in &pairs {
            assert!(
                !(ids.contains(a.as_str()) && ids.contains(b.as_str())),
                "seed {seed}: {a} and {b} on one paper"
            );
        }
    }
}
