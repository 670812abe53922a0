//! When a filing falls due and what period it covers (Zaozhuang annex 2 §六; Weifang
//! §五 for the annual scores), and whether it came late — in Beijing time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::super::ReportKind;
use crate::program::Deadlines;

/// The due date of a filing from the program's deadlines: the plan per year (2024-05-30,
/// then 01-31), quarterly summaries 03-30/06-30/09-30, the annual summary 12-15, the
/// annual scores 11-30 — Zaozhuang annex 2 §六. Errors name the bad field.
pub fn due_on(
    d: &Deadlines,
    kind: ReportKind,
    year: i32,
    quarter: Option<i32>,
) -> Result<NaiveDate, (&'static str, String)> {
    if kind != ReportKind::QuarterlySummary && quarter.is_some() {
        return Err(("quarter", "只有季度总结需要填写季度".into()));
    }
    let missing = || ("year", format!("培训项目没有 {year} 年的该项报送期限"));
    match kind {
        ReportKind::AnnualPlan => d
            .plan_due
            .iter()
            .find(|p| p.year == year)
            .map(|p| p.date)
            .ok_or_else(missing),
        ReportKind::QuarterlySummary => {
            let n = d.quarterly_summaries.len();
            let q = quarter.ok_or(("quarter", "季度总结须填写季度".to_owned()))?;
            let i = usize::try_from(q - 1)
                .ok()
                .filter(|i| *i < n)
                .ok_or_else(|| ("quarter", format!("季度应为 1 至 {n}")))?;
            d.quarterly_summaries[i].in_year(year).ok_or_else(missing)
        }
        ReportKind::AnnualSummary => d.annual_summary.in_year(year).ok_or_else(missing),
        ReportKind::AnnualScores => d.annual_scores.in_year(year).ok_or_else(missing),
    }
}

/// Late: submitted on a Beijing date after the due date (23:59 on the day is on time,
/// 00:01 the next day is late) — the deadlines are dates in China Standard Time.
pub fn is_late(due: NaiveDate, submitted_at_utc: NaiveDateTime) -> bool {
    let local = DateTime::<Utc>::from_naive_utc_and_offset(submitted_at_utc, Utc)
        .with_timezone(&crate::time::cst())
        .date_naive();
    local > due
}

/// The days a filing reports on: a quarter's three months for a quarterly summary, the
/// calendar year otherwise.
pub fn period(kind: ReportKind, year: i32, quarter: Option<i32>) -> (NaiveDate, NaiveDate) {
    let first = |m: u32| NaiveDate::from_ymd_opt(year, m, 1).unwrap_or(NaiveDate::MIN);
    match (kind, quarter) {
        (ReportKind::QuarterlySummary, Some(q)) if (1..=4).contains(&q) => {
            let start_month = 3 * (q as u32 - 1) + 1;
            let start = first(start_month);
            let end = if q == 4 {
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
            } else {
                first(start_month + 3).pred_opt().unwrap_or(start)
            };
            (start, end)
        }
        _ => (
            first(1),
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::rules::preset;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn zz() -> Deadlines {
        preset("zaozhuang-2024").unwrap().policy.deadlines
    }

    #[test]
    fn zaozhuang_due_dates() {
        let z = zz();
        assert_eq!(
            due_on(&z, ReportKind::AnnualPlan, 2024, None),
            Ok(d(2024, 5, 30))
        );
        assert_eq!(
            due_on(&z, ReportKind::AnnualPlan, 2025, None),
            Ok(d(2025, 1, 31))
        );
        assert_eq!(
            due_on(&z, ReportKind::AnnualPlan, 2026, None),
            Ok(d(2026, 1, 31))
        );
        for (q, m) in [(1, 3), (2, 6), (3, 9)] {
            assert_eq!(
                due_on(&z, ReportKind::QuarterlySummary, 2025, Some(q)),
                Ok(d(2025, m, 30))
            );
        }
        assert_eq!(
            due_on(&z, ReportKind::AnnualSummary, 2025, None),
            Ok(d(2025, 12, 15))
        );
        assert_eq!(
            due_on(&z, ReportKind::AnnualScores, 2025, None),
            Ok(d(2025, 11, 30))
        );
    }

    #[test]
    fn bad_periods_name_their_field() {
        let z = zz();
        assert_eq!(
            due_on(&z, ReportKind::QuarterlySummary, 2025, Some(4))
                .unwrap_err()
                .0,
            "quarter"
        );
        assert_eq!(
            due_on(&z, ReportKind::QuarterlySummary, 2025, None)
                .unwrap_err()
                .0,
            "quarter"
        );
        assert_eq!(
            due_on(&z, ReportKind::AnnualSummary, 2025, Some(1))
                .unwrap_err()
                .0,
            "quarter"
        );
        assert_eq!(
            due_on(&z, ReportKind::AnnualPlan, 2027, None)
                .unwrap_err()
                .0,
            "year"
        );
    }

    #[test]
    fn late_is_judged_in_beijing_time() {
        // 2025-03-30 23:59 CST is 15:59 UTC: on time.
        let on_time = d(2025, 3, 30).and_hms_opt(15, 59, 0).unwrap();
        // 2025-03-31 00:01 CST is 2025-03-30 16:01 UTC: late, though still the 30th in UTC.
        let late = d(2025, 3, 30).and_hms_opt(16, 1, 0).unwrap();
        assert!(!is_late(d(2025, 3, 30), on_time));
        assert!(is_late(d(2025, 3, 30), late));
    }

    #[test]
    fn quarters_cover_their_three_months() {
        assert_eq!(
            period(ReportKind::QuarterlySummary, 2025, Some(1)),
            (d(2025, 1, 1), d(2025, 3, 31))
        );
        assert_eq!(
            period(ReportKind::QuarterlySummary, 2025, Some(3)),
            (d(2025, 7, 1), d(2025, 9, 30))
        );
        assert_eq!(
            period(ReportKind::AnnualSummary, 2025, None),
            (d(2025, 1, 1), d(2025, 12, 31))
        );
    }

    proptest! {
        /// Any instant is late exactly when its Beijing date is after the due date.
        #[test]
        fn late_matches_the_beijing_date(secs in 0i64..(3 * 365 * 86_400), due_offset in 0i64..(3 * 365)) {
            let base = d(2024, 1, 1).and_hms_opt(0, 0, 0).unwrap();
            let at = base + chrono::Duration::seconds(secs);
            let due = d(2024, 1, 1) + chrono::Duration::days(due_offset);
            let beijing = (at + chrono::Duration::hours(8)).date();
            prop_assert_eq!(is_late(due, at), beijing > due);
        }

        /// Periods are well formed and lie in their year.
        #[test]
        fn periods_lie_in_their_year(year in 2000i32..2100, q in 1i32..=4) {
            let (a, b) = period(ReportKind::QuarterlySummary, year, Some(q));
            prop_assert!(a <= b);
            prop_assert_eq!(a.year(), year);
            prop_assert_eq!(b.year(), year);
        }
    }
}
