//! Pure rules of shadowing: dates that nest, days that are real working time.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::Problems;

/// A date range that is not reversed and lies in the program's years.
pub fn check_range(
    p: &mut Problems,
    starts: Option<NaiveDate>,
    ends: Option<NaiveDate>,
    years: &std::ops::RangeInclusive<i32>,
) {
    use chrono::Datelike;
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            p.add("ends_on", "结束日期不能早于开始日期");
        } else if !years.contains(&s.year()) || !years.contains(&e.year()) {
            p.add(
                "starts_on",
                format!(
                    "日期应在培训项目年度（{}—{}）内",
                    years.start(),
                    years.end()
                ),
            );
        }
    }
}

/// A rotation lies within its placement (科室轮转 is part of the placement).
pub fn within(outer: (NaiveDate, NaiveDate), inner: (NaiveDate, NaiveDate)) -> bool {
    inner.0 >= outer.0 && inner.1 <= outer.1
}

/// `HH:MM`.
pub fn parse_time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| format!("时间 {raw:?} 应写作 08:00"))
}

/// A day's log as an interval in UTC and its minutes: Beijing wall times on one day,
/// end after start.
pub fn log_interval(
    day: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
) -> Result<(NaiveDateTime, NaiveDateTime, i32), String> {
    if end <= start {
        return Err("结束时间应晚于开始时间".into());
    }
    let offset = chrono::Duration::hours(8);
    let (s, e) = (day.and_time(start) - offset, day.and_time(end) - offset);
    Ok((s, e, (e - s).num_minutes() as i32))
}

/// An assessment score in points, stored in tenths.
pub fn score_tenths(points: f64) -> Result<i32, String> {
    if (0.0..=100.0).contains(&points) {
        Ok((points * 10.0).round() as i32)
    } else {
        Err("考核成绩应在 0 到 100 之间".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    #[test]
    fn a_day_of_shadowing_is_beijing_time_stored_in_utc() {
        let (s, e, minutes) = log_interval(
            d(3, 10),
            parse_time("08:00").unwrap(),
            parse_time("12:30").unwrap(),
        )
        .unwrap();
        assert_eq!(s, d(3, 10).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(e, d(3, 10).and_hms_opt(4, 30, 0).unwrap());
        assert_eq!(minutes, 270);
        assert!(
            log_interval(
                d(3, 10),
                parse_time("12:00").unwrap(),
                parse_time("08:00").unwrap()
            )
            .is_err()
        );
        assert!(parse_time("8点").is_err());
    }

    #[test]
    fn rotations_nest_in_their_placement() {
        assert!(within((d(3, 1), d(5, 31)), (d(3, 1), d(3, 31))));
        assert!(!within((d(3, 1), d(5, 31)), (d(2, 28), d(3, 31))));
    }

    #[test]
    fn scores_are_points_kept_in_tenths() {
        assert_eq!(score_tenths(88.5), Ok(885));
        assert!(score_tenths(101.0).is_err());
    }
}
