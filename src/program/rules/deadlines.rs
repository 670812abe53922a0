//! The yearly deadlines of a program: days of the year, and the concrete calendar of
//! what county bureaus file when (Zaozhuang annex 2 §六).

use chrono::NaiveDate;
use serde::Serialize;

use crate::program::{Deadlines, MonthDay};

/// `MM-DD`, a day that exists every year.
pub fn parse_month_day(raw: &str) -> Result<MonthDay, String> {
    let bad = || format!("应为 MM-DD 格式的日期（如 11-30），而不是 {raw:?}");
    let (m, d) = raw.trim().split_once('-').ok_or_else(bad)?;
    if m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (month, day): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // 2023 is not a leap year, so 02-29 is refused.
    NaiveDate::from_ymd_opt(2023, month, day).ok_or_else(bad)?;
    Ok(MonthDay { month, day })
}

impl MonthDay {
    /// This day in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

crate::text_enum! {
    /// What falls due.
    pub enum DueKind {
        /// 年度培训计划
        AnnualPlan = "annual_plan" / "年度培训计划",
        /// 季度培训工作总结
        QuarterlySummary = "quarterly_summary" / "季度培训工作总结",
        /// 年度培训任务完成
        TrainingDone = "training_done" / "年度培训任务完成",
        /// 年度综合考核成绩报送
        AnnualScores = "annual_scores" / "年度综合考核成绩报送",
        /// 年度培训工作总结
        AnnualSummary = "annual_summary" / "年度培训工作总结",
    }
}

/// A concrete due date of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub kind: DueKind,
    pub year: i32,
    /// 1–4 for quarterly summaries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
    pub due: NaiveDate,
}

/// Every due date of the program, in date order — what county bureaus must file when
/// (Zaozhuang annex 2 §六).
pub fn calendar(d: &Deadlines, start_year: i32, end_year: i32) -> Vec<Due> {
    let mut out = Vec::new();
    for year in start_year..=end_year {
        if let Some(plan) = d.plan_due.iter().find(|p| p.year == year) {
            out.push(Due {
                kind: DueKind::AnnualPlan,
                year,
                quarter: None,
                due: plan.date,
            });
        }
        for (i, q) in d.quarterly_summaries.iter().enumerate() {
            if let Some(due) = q.in_year(year) {
                out.push(Due {
                    kind: DueKind::QuarterlySummary,
                    year,
                    quarter: Some(i as u8 + 1),
                    due,
                });
            }
        }
        for (kind, md) in [
            (DueKind::TrainingDone, d.training_done),
            (DueKind::AnnualScores, d.annual_scores),
            (DueKind::AnnualSummary, d.annual_summary),
        ] {
            if let Some(due) = md.in_year(year) {
                out.push(Due {
                    kind,
                    year,
                    quarter: None,
                    due,
                });
            }
        }
    }
    out.sort_by_key(|d| (d.due, d.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::rules::preset;

    #[test]
    fn month_days_must_exist_every_year() {
        assert_eq!(
            parse_month_day("11-30").unwrap(),
            MonthDay { month: 11, day: 30 }
        );
        for bad in ["02-29", "13-01", "11-31", "1130", "1-30", ""] {
            assert!(parse_month_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_calendar_lists_every_filing_in_date_order() {
        let def = preset("zaozhuang-2024").unwrap();
        let cal = calendar(&def.policy.deadlines, 2024, 2026);
        // per year: plan, 3 quarterly, training done, scores, annual summary
        assert_eq!(cal.len(), 3 * 7);
        assert_eq!(cal[0].kind, DueKind::QuarterlySummary); // 2024-03-30 precedes the 2024 plan (05-30)
        assert!(cal.windows(2).all(|w| w[0].due <= w[1].due));
        assert!(cal.iter().any(|d| d.kind == DueKind::AnnualSummary
            && d.due == NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()));
    }
}
