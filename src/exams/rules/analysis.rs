//! Item analysis (试题分析) with Moodle's quiz-statistics definitions (API.md
//! "analysis"). Scores are exact [`Points`]; the statistics are computed in f64.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::exams::Points;

crate::text_enum! {
    /// What Cronbach's α was computed over: the questions (every paper the same set) or
    /// the positions (random papers of equal length).
    pub enum ReliabilityBasis {
        Questions = "questions" / "按试题",
        Positions = "positions" / "按题位",
    }
}

/// One graded item of a submitted attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseItem {
    /// Its place on the paper.
    pub position: usize,
    pub question_id: String,
    pub points: Points,
    pub max_points: Points,
}

/// One submitted attempt's graded items.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub items: Vec<ResponseItem>,
}

impl Response {
    /// The attempt's total, for statistics.
    pub fn total(&self) -> f64 {
        self.items.iter().map(|i| i.points).sum::<Points>().as_f64()
    }
}

/// The test's statistics over the totals (Moodle: "quiz structure analysis").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestStats {
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Sample standard deviation (n − 1) of the totals.
    pub sd: Option<f64>,
    /// Cronbach's α (KR-20 for 0/1 items), over the papers' slots.
    pub reliability: Option<f64>,
    /// Standard error of measurement: sd·√(1 − reliability).
    pub sem: Option<f64>,
    /// What α was computed over: `questions` (one fixed paper), `positions` (random
    /// papers of equal length), or null.
    pub reliability_basis: Option<ReliabilityBasis>,
}

/// One question's statistics (Moodle: "quiz question analysis").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStats {
    pub question_id: String,
    pub n: usize,
    /// Mean score ÷ max, 0–1.
    pub facility: Option<f64>,
    /// Sample SD of the score ÷ max (as Moodle reports it).
    pub sd: Option<f64>,
    /// r(item, total − item).
    pub discrimination_index: Option<f64>,
    /// r(item, total).
    pub point_biserial: Option<f64>,
    /// Flagged: those who did well overall did worse on this item.
    pub negative_discrimination: bool,
}

/// The test's and every question's statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub test: TestStats,
    pub items: Vec<ItemStats>,
}

/// The arithmetic mean (none of nothing).
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Sample variance (n − 1).
pub fn variance(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    (xs.len() >= 2).then(|| xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64)
}

/// The median (the mean of the middle two for an even count).
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// Pearson's r; None when either side does not vary.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (mx, my) = (mean(xs)?, mean(ys)?);
    let cov: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let sy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    (sx > 1e-12 && sy > 1e-12).then(|| cov / (sx * sy).sqrt())
}

/// One question's scores across attempts, with the attempts' totals and its max.
#[derive(Debug, Default)]
struct ItemScores {
    scores: Vec<f64>,
    totals: Vec<f64>,
    max: f64,
}

/// Item and test statistics over submitted attempts (Moodle's quiz statistics, API.md
/// "analysis"). Items appear in the order first
/// seen (paper order of the first attempt that had them).
pub fn analyze(responses: &[Response]) -> Analysis {
    let totals: Vec<f64> = responses.iter().map(Response::total).collect();
    let sd = variance(&totals).map(f64::sqrt);
    // Slots for α: the questions themselves when every paper is the same set, else the
    // positions when every paper has the same length.
    let sets: HashSet<Vec<&str>> = responses
        .iter()
        .map(|r| {
            let mut ids: Vec<&str> = r.items.iter().map(|i| i.question_id.as_str()).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    let lengths: HashSet<usize> = responses.iter().map(|r| r.items.len()).collect();
    let basis = if sets.len() == 1 {
        Some(ReliabilityBasis::Questions)
    } else if lengths.len() == 1 {
        Some(ReliabilityBasis::Positions)
    } else {
        None
    };
    let reliability = basis.and_then(|basis| {
        let mut slots: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in responses {
            for item in &r.items {
                let key = match basis {
                    ReliabilityBasis::Questions => item.question_id.clone(),
                    ReliabilityBasis::Positions => format!("{:08}", item.position),
                };
                slots.entry(key).or_default().push(item.points.as_f64());
            }
        }
        let k = slots.len() as f64;
        let total_var = variance(&totals)?;
        if k < 2.0 || total_var <= 1e-12 {
            return None;
        }
        let item_var: f64 = slots.values().map(|s| variance(s).unwrap_or(0.0)).sum();
        Some(k / (k - 1.0) * (1.0 - item_var / total_var))
    });
    let sem = match (sd, reliability) {
        (Some(sd), Some(a)) if a <= 1.0 => Some(sd * (1.0 - a).sqrt()),
        _ => None,
    };
    let test = TestStats {
        n: responses.len(),
        mean: mean(&totals),
        median: median(&totals),
        sd,
        reliability,
        sem,
        reliability_basis: basis.filter(|_| reliability.is_some()),
    };
    let mut order: Vec<String> = Vec::new();
    let mut per: HashMap<String, ItemScores> = HashMap::new();
    for (r, total) in responses.iter().zip(&totals) {
        for item in &r.items {
            let entry = per.entry(item.question_id.clone()).or_insert_with(|| {
                order.push(item.question_id.clone());
                ItemScores {
                    max: item.max_points.as_f64(),
                    ..ItemScores::default()
                }
            });
            entry.scores.push(item.points.as_f64());
            entry.totals.push(*total);
        }
    }
    let items = order
        .into_iter()
        .map(|qid| {
            let ItemScores {
                scores: xs,
                totals: ts,
                max,
            } = &per[&qid];
            let rest: Vec<f64> = ts.iter().zip(xs).map(|(t, x)| t - x).collect();
            let discrimination = pearson(xs, &rest);
            ItemStats {
                n: xs.len(),
                facility: mean(xs).filter(|_| *max > 0.0).map(|m| m / max),
                sd: variance(xs).filter(|_| *max > 0.0).map(|v| v.sqrt() / max),
                discrimination_index: discrimination,
                point_biserial: pearson(xs, ts),
                negative_discrimination: discrimination.is_some_and(|d| d < 0.0),
                question_id: qid,
            }
        })
        .collect();
    Analysis { test, items }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn responses(matrix: &[[i32; 4]]) -> Vec<Response> {
        matrix
            .iter()
            .map(|row| Response {
                items: row
                    .iter()
                    .enumerate()
                    .map(|(i, p)| ResponseItem {
                        position: i,
                        question_id: format!("q{}", i + 1),
                        points: Points::whole(*p),
                        max_points: Points::whole(1),
                    })
                    .collect(),
            })
            .collect()
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.unwrap();
        assert!((a - b).abs() < 1e-6, "{a} ≠ {b}");
    }

    /// Five candidates, four 1-point items; every number below was worked by hand:
    /// totals 4 3 2 1 2 → mean 2.4, median 2, s² = 5.2/4 = 1.3; item variances .2 .2 .3
    /// .3 → α = 4/3·(1 − 1.0/1.3) = 0.307692; SEM = √1.3·√(1 − α) = √0.9.
    /// Item 1 (1 1 1 1 0): facility .8; cov with the total .1 → r = .1/(√.2·√1.3) =
    /// .196116; with the rest (3 2 1 0 2) cov −.1 → −.196116: flagged.
    /// Item 3 (1 1 0 0 0): r_total = .55/(√.3·√1.3) = .880705; rest (3 2 2 1 2): cov .25,
    /// s² .5 → r = .25/(√.3·√.5) = .645497.
    #[test]
    fn item_statistics_match_hand_computed_values() {
        let a = analyze(&responses(&[
            [1, 1, 1, 1],
            [1, 1, 1, 0],
            [1, 1, 0, 0],
            [1, 0, 0, 0],
            [0, 1, 0, 1],
        ]));
        assert_eq!(a.test.n, 5);
        close(a.test.mean, 2.4);
        close(a.test.median, 2.0);
        close(a.test.sd, 1.3f64.sqrt());
        close(a.test.reliability, 4.0 / 3.0 * (1.0 - 1.0 / 1.3));
        close(a.test.sem, 0.9f64.sqrt());
        assert_eq!(a.test.reliability_basis, Some(ReliabilityBasis::Questions));
        let i1 = &a.items[0];
        assert_eq!((i1.question_id.as_str(), i1.n), ("q1", 5));
        close(i1.facility, 0.8);
        close(i1.sd, 0.2f64.sqrt());
        close(i1.point_biserial, 0.1 / (0.2f64.sqrt() * 1.3f64.sqrt()));
        close(
            i1.discrimination_index,
            -0.1 / (0.2f64.sqrt() * 1.3f64.sqrt()),
        );
        assert!(i1.negative_discrimination);
        let i3 = &a.items[2];
        close(i3.facility, 0.4);
        close(i3.point_biserial, 0.55 / (0.3f64.sqrt() * 1.3f64.sqrt()));
        close(
            i3.discrimination_index,
            0.25 / (0.3f64.sqrt() * 0.5f64.sqrt()),
        );
        assert!(!i3.negative_discrimination);
        close(a.items[1].discrimination_index, 0.375);
        close(a.items[3].discrimination_index, 0.0);
    }

    #[test]
    fn statistics_of_degenerate_sets_are_absent_not_nan() {
        let a = analyze(&[]);
        assert_eq!(
            (a.test.n, a.test.mean, a.test.sd, a.test.reliability),
            (0, None, None, None)
        );
        let a = analyze(&responses(&[[1, 1, 0, 0], [1, 1, 0, 0]]));
        assert_eq!(a.test.reliability, None, "no variance in the totals");
        assert_eq!(a.items[0].discrimination_index, None);
        close(a.items[0].facility, 1.0);
    }

    proptest! {
        /// Reliability never exceeds 1 and the statistics are invariant to the order of
        /// the attempts.
        #[test]
        fn analysis_is_order_free(rows in proptest::collection::vec(proptest::array::uniform4(0u8..2), 2..30)) {
            let matrix: Vec<[i32; 4]> = rows.iter().map(|r| r.map(i32::from)).collect();
            let a = analyze(&responses(&matrix));
            let mut reversed = matrix.clone();
            reversed.reverse();
            let b = analyze(&responses(&reversed));
            prop_assert!(a.test.reliability.is_none_or(|r| r <= 1.0 + 1e-9));
            let near = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-9,
                (None, None) => true,
                _ => false,
            };
            prop_assert!(near(a.test.reliability, b.test.reliability));
            prop_assert!(near(a.test.sd, b.test.sd));
            for (x, y) in a.items.iter().zip(&b.items) {
                prop_assert!(near(x.discrimination_index, y.discrimination_index));
            }
        }
    }
}
