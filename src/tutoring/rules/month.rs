//! Evaluation months (`YYYY-MM`): each group is evaluated once a month.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `YYYY-MM` exactly (a four-digit year from 2000, a two-digit month 01–12) — the
    /// month an evaluation is for (每月对学习小组进行评估, Zaozhuang annex 2 §四(三)).
    pub fn parse(raw: &str) -> Result<Month, String> {
        let raw = raw.trim();
        let bad = || format!("月份「{raw}」应写作 YYYY-MM，例如 2026-03");
        let (y, m) = raw.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    /// The month a date falls in.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// The month before (last month's evaluation is the one a county chases).
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Month::of(day) == self
    }

    /// `2026年3月`, for pages.
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn months_are_written_yyyy_mm() {
        assert_eq!(
            Month::parse("2026-03"),
            Ok(Month {
                year: 2026,
                month: 3
            })
        );
        for bad in [
            "2026-3",
            "2026-13",
            "2026-00",
            "26-03",
            "2026/03",
            "",
            "２０２６-03",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Month::parse("2026-01").unwrap().previous().to_string(),
            "2025-12"
        );
        assert_eq!(
            Month::parse("2026-02").unwrap().last_day(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
    }

    proptest! {
        #[test]
        fn a_month_reads_back_as_written(year in 2000i32..2999, month in 1u32..=12) {
            let m = Month { year, month };
            prop_assert_eq!(Month::parse(&m.to_string()), Ok(m));
            prop_assert_eq!(m.next().previous(), m);
            prop_assert!(m.contains(m.first_day()) && m.contains(m.last_day()));
            prop_assert!(!m.contains(m.next().first_day()));
        }
    }
}
