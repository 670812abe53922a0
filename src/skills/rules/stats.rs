//! Skills statistics beyond pass rates (issue 10 §3): item facility, the
//! borderline-regression pass mark and examiner stringency. Floats are fine here: these
//! are statistics shown beside the marks, never stored back as marks.

use crate::points::Points;

/// Facility of an item: mean points given ÷ the item's maximum (0–1); `None` without
/// sheets.
pub fn facility(max: Points, given: &[Points]) -> Option<f64> {
    if given.is_empty() || max <= Points::ZERO {
        return None;
    }
    let mean = given.iter().map(|p| p.as_f64()).sum::<f64>() / given.len() as f64;
    Some(mean / max.as_f64())
}

/// Borderline-regression pass mark: least-squares line of checklist points on the global
/// rating, read at the borderline rating (issue 10 §3; Pell et al., Med Teach 2010).
/// `None` unless at least two different ratings were given.
pub fn borderline_regression(pairs: &[(i32, Points)], borderline: i32) -> Option<Points> {
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|(x, _)| f64::from(*x)).sum::<f64>() / n;
    let my = pairs.iter().map(|(_, y)| y.as_f64()).sum::<f64>() / n;
    let sxx: f64 = pairs
        .iter()
        .map(|(x, _)| (f64::from(*x) - mx).powi(2))
        .sum();
    if sxx <= f64::EPSILON {
        return None;
    }
    let sxy: f64 = pairs
        .iter()
        .map(|(x, y)| (f64::from(*x) - mx) * (y.as_f64() - my))
        .sum();
    let slope = sxy / sxx;
    let mark = my + slope * (f64::from(borderline) - mx);
    Some(Points::tenths((mark * 10.0).round() as i32))
}

/// One examiner's stringency at one station.
#[derive(Debug, Clone, PartialEq)]
pub struct Stringency {
    pub examiner_id: i64,
    pub sheets: usize,
    pub mean: f64,
    /// Examiner mean minus station mean: below 0 is stricter (a hawk), above is lenient.
    pub difference: f64,
    /// Standard error of the examiner's mean: the station's sample SD ÷ √sheets.
    pub se: f64,
    /// |difference| > 2 SE.
    pub flagged: bool,
}

/// Examiner stringency: each examiner's mean difference from the station mean, flagged
/// beyond 2 standard errors (issue 10 §3). `sheets` are (examiner, points) at one station.
pub fn stringency(sheets: &[(i64, Points)]) -> Vec<Stringency> {
    let n = sheets.len();
    if n == 0 {
        return Vec::new();
    }
    let all: Vec<f64> = sheets.iter().map(|(_, p)| p.as_f64()).collect();
    let mean = all.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let mut examiners: Vec<i64> = sheets.iter().map(|(e, _)| *e).collect();
    examiners.sort_unstable();
    examiners.dedup();
    examiners
        .into_iter()
        .map(|e| {
            let own: Vec<f64> = sheets
                .iter()
                .filter(|(x, _)| *x == e)
                .map(|(_, p)| p.as_f64())
                .collect();
            let k = own.len();
            let m = own.iter().sum::<f64>() / k as f64;
            let se = sd / (k as f64).sqrt();
            let difference = m - mean;
            Stringency {
                examiner_id: e,
                sheets: k,
                mean: m,
                difference,
                se,
                flagged: se > 0.0 && difference.abs() > 2.0 * se,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(x: i32) -> Points {
        Points::whole(x)
    }

    /// By hand: x = 1..5, y = 30 50 60 75 90; x̄ = 3, ȳ = 61; Sxy = 62 + 11 + 0 + 14 + 58
    /// = 145, Sxx = 10, slope 14.5, intercept 61 − 43.5 = 17.5; at x = 2: 46.5.
    #[test]
    fn borderline_regression_matches_the_hand_computation() {
        let pairs = [(1, p(30)), (2, p(50)), (3, p(60)), (4, p(75)), (5, p(90))];
        assert_eq!(borderline_regression(&pairs, 2), Some(Points::tenths(465)));
    }

    #[test]
    fn no_regression_without_two_ratings() {
        assert_eq!(borderline_regression(&[(3, p(60)), (3, p(70))], 2), None);
        assert_eq!(borderline_regression(&[(3, p(60))], 2), None);
    }

    #[test]
    fn facility_is_the_mean_share_of_the_item() {
        assert_eq!(
            facility(p(10), &[p(10), p(5), Points::ZERO, p(5)]),
            Some(0.5)
        );
        assert_eq!(facility(p(10), &[]), None);
    }

    /// Three examiners, four sheets each: A gives 80, B and C 60. Station mean 66.67,
    /// SD 9.85, SE 4.92: A (+13.3) is beyond 2 SE, B and C (−6.7) are not.
    #[test]
    fn a_lenient_examiner_is_flagged() {
        let mut sheets = Vec::new();
        for _ in 0..4 {
            sheets.push((1, p(80)));
            sheets.push((2, p(60)));
            sheets.push((3, p(60)));
        }
        let s = stringency(&sheets);
        assert_eq!(s.len(), 3);
        assert!((s[0].difference - 13.333).abs() < 0.01, "{s:?}");
        assert!((s[0].se - 4.924).abs() < 0.01, "{s:?}");
        assert!(s[0].flagged);
        assert!(!s[1].flagged && !s[2].flagged);
        assert!((s[1].difference + 6.667).abs() < 0.01);
    }

    proptest! {
        /// Examiners' differences, weighted by their sheets, add up to zero.
        #[test]
        fn differences_balance(xs in proptest::collection::vec((1i64..4, 0i32..1000), 1..30)) {
            let sheets: Vec<(i64, Points)> = xs.iter().map(|(e, t)| (*e, Points::tenths(*t))).collect();
            let s = stringency(&sheets);
            let total: f64 = s.iter().map(|x| x.difference * x.sheets as f64).sum();
            prop_assert!(total.abs() < 1e-6);
        }

        /// A line fitted to exact points on a line reads the line.
        #[test]
        fn regression_recovers_a_line(a in 0i32..50, b in 0i32..15) {
            let pairs: Vec<(i32, Points)> = (1..=5).map(|x| (x, Points::whole(a + b * x))).collect();
            prop_assert_eq!(borderline_regression(&pairs, 2), Some(Points::whole(a + 2 * b)));
        }
    }
}
