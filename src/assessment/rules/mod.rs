//! Pure rules of the assessment: the ongoing and annual scores, completion and its
//! make-up, the gate to the next year, certificate codes and masking. No I/O, no clock.

pub mod certificate;
pub mod completion;
pub mod ongoing;

pub use completion::{
    CompletionFacts, MakeupNeed, advance, allowed, makeup_deadline, makeup_needs, target,
};
pub use ongoing::{Ongoing, YearFacts, annual_passed, annual_score, ongoing, percent, yearly};

/// The gate (Weifang 五(二): 年度考核合格后方能进入下一年度的学习培训): a doctor whose
/// previous year is confirmed and not passed is refused, naming the year, until a
/// re-assessment passes. `latest` is the newest confirmed attempt of `year − 1`.
pub fn gate(year: i32, latest_previous: Option<bool>) -> Result<(), String> {
    match latest_previous {
        Some(false) => Err(format!(
            "{} 年度考核未通过，须重新考核合格后方能参加 {year} 年度的学习培训",
            year - 1
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_confirmed_failure_closes_the_gate() {
        assert_eq!(gate(2026, None), Ok(()));
        assert_eq!(gate(2026, Some(true)), Ok(()));
        let e = gate(2026, Some(false)).unwrap_err();
        assert!(e.starts_with("2025 年度考核未通过"), "{e}");
    }
}
