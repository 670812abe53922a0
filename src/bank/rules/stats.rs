//! The statistics the bank's lint needs, computed here rather than pulled from a crate:
//! the regularized upper incomplete gamma function Q(a, x) and Pearson's χ²
//! goodness-of-fit test built on it (p = Q(df/2, χ²/2)).
//!
//! Numerics after Numerical Recipes §6.1–6.2: Lanczos ln Γ (g = 7, n = 9), the series
//! for P(a, x) when x < a + 1, Lentz's continued fraction for Q(a, x) otherwise.

const EPSILON: f64 = 1e-15;
const MAX_ITERATIONS: usize = 1_000;
/// Near the smallest positive f64, to keep Lentz's method off zero.
const TINY: f64 = 1e-300;

/// ln Γ(x) for x > 0 (Lanczos approximation, |error| < 1e-13 over the range used here).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0
/// and x ≥ 0 (NaN outside that domain).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if a.is_nan() || x.is_nan() || a <= 0.0 || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    if x < a + 1.0 {
        (1.0 - gamma_p_series(a, x)).clamp(0.0, 1.0)
    } else {
        gamma_q_fraction(a, x).clamp(0.0, 1.0)
    }
}

/// P(a, x) by its series, for x < a + 1.
fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut term = 1.0 / a;
    let mut sum = term;
    let mut ap = a;
    for _ in 0..MAX_ITERATIONS {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * EPSILON {
            break;
        }
    }
    sum * (-x + a * x.ln() - ln_gamma(a)).exp()
}

/// Q(a, x) by its continued fraction (modified Lentz), for x ≥ a + 1.
fn gamma_q_fraction(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..=MAX_ITERATIONS {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPSILON {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// P(χ² ≥ `statistic`) with `df` degrees of freedom (the survival function).
pub fn chi_square_sf(statistic: f64, df: usize) -> f64 {
    if df == 0 {
        return 1.0;
    }
    gamma_q(df as f64 / 2.0, statistic.max(0.0) / 2.0)
}

/// Pearson's χ² goodness-of-fit test of `observed` counts against `expected` counts
/// (same total): (statistic, degrees of freedom, p-value). Cells expected to be empty
/// are left out; df = cells − 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: usize,
    pub p: f64,
}

pub fn chi_square_gof(observed: &[f64], expected: &[f64]) -> ChiSquare {
    let mut statistic = 0.0;
    let mut cells = 0usize;
    for (o, e) in observed.iter().zip(expected) {
        if *e > 0.0 {
            statistic += (o - e) * (o - e) / e;
            cells += 1;
        }
    }
    let df = cells.saturating_sub(1);
    ChiSquare {
        statistic,
        df,
        p: chi_square_sf(statistic, df),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_factorials_and_half_integers() {
        // Γ(n) = (n−1)!; Γ(1/2) = √π; Γ(5/2) = 3√π/4.
        let mut factorial = 1.0f64;
        for n in 1..=20 {
            assert!(
                (ln_gamma(n as f64) - factorial.ln()).abs() < 1e-10,
                "Γ({n})"
            );
            factorial *= n as f64;
        }
        let sqrt_pi = std::f64::consts::PI.sqrt();
        assert!(close(ln_gamma(0.5), sqrt_pi.ln(), 1e-13));
        assert!(close(ln_gamma(2.5), (0.75 * sqrt_pi).ln(), 1e-13));
        assert!(close(ln_gamma(0.1), 9.513_507_698_668_732f64.ln(), 1e-12));
    }

    #[test]
    fn q_matches_its_closed_forms() {
        // Q(1, x) = e^−x; Q(2, x) = (1 + x) e^−x; Q(1/2, x) = erfc(√x).
        for x in [0.01, 0.5, 1.0, 2.0, 3.5, 10.0, 40.0] {
            assert!(close(gamma_q(1.0, x), (-x).exp(), 1e-12), "Q(1,{x})");
            assert!(
                close(gamma_q(2.0, x), (1.0 + x) * (-x).exp(), 1e-12),
                "Q(2,{x})"
            );
        }
        // erfc(1) = 0.157299207050285…, erfc(2) = 0.004677734981047…
        assert!(close(gamma_q(0.5, 1.0), 0.157_299_207_050_285_13, 1e-12));
        assert!(close(gamma_q(0.5, 4.0), 0.004_677_734_981_047_266, 1e-11));
        assert_eq!(gamma_q(3.0, 0.0), 1.0);
        assert!(gamma_q(0.0, 1.0).is_nan() && gamma_q(1.0, -1.0).is_nan());
    }

    #[test]
    fn chi_square_matches_the_tables() {
        // Critical values of the χ² table (p = 0.05, 0.01, 0.001).
        for (x, df, p) in [
            (3.841_458_820_694_124, 1, 0.05),
            (5.991_464_547_107_979, 2, 0.05),
            (9.487_729_036_781_154, 4, 0.05),
            (13.276_704_135_987_62, 4, 0.01),
            (18.466_826_952_903_15, 4, 0.001),
            (11.070_497_693_516_35, 5, 0.05),
            (124.342_113_404_148_8, 100, 0.05),
        ] {
            assert!(close(chi_square_sf(x, df), p, 1e-7), "χ²({x}, {df})");
        }
        // scipy.stats.chi2.sf(10, 4) = 0.040427681994512805
        assert!(close(
            chi_square_sf(10.0, 4),
            0.040_427_681_994_512_805,
            1e-10
        ));
        assert_eq!(chi_square_sf(0.0, 4), 1.0);
    }

    #[test]
    fn a_uniform_sample_passes_and_a_skewed_one_fails() {
        let even = chi_square_gof(&[20.0, 21.0, 19.0, 20.0, 20.0], &[20.0; 5]);
        assert_eq!(even.df, 4);
        assert!(even.p > 0.99, "{even:?}");
        let skewed = chi_square_gof(&[40.0, 15.0, 15.0, 15.0, 15.0], &[20.0; 5]);
        assert!(close(skewed.statistic, 25.0, 1e-12));
        assert!(skewed.p < 0.001, "{skewed:?}");
    }

    proptest! {
        #[test]
        fn p_plus_q_is_one_and_q_falls_with_x(a in 0.05f64..60.0, x in 0.0f64..150.0, dx in 0.001f64..20.0) {
            let q = gamma_q(a, x);
            prop_assert!((0.0..=1.0).contains(&q));
            prop_assert!(gamma_q(a, x + dx) <= q + 1e-12);
        }

        #[test]
        fn the_statistic_is_never_negative_and_p_is_a_probability(
            counts in proptest::collection::vec(0u32..200, 2..8)
        ) {
            let total: f64 = counts.iter().map(|c| f64::from(*c)).sum();
            let observed: Vec<f64> = counts.iter().map(|c| f64::from(*c)).collect();
            let expected = vec![total / counts.len() as f64; counts.len()];
            let t = chi_square_gof(&observed, &expected);
            prop_assert!(t.statistic >= 0.0);
            prop_assert!(total == 0.0 || (0.0..=1.0).contains(&t.p));
        }
    }
}
