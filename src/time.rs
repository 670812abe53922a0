//! Time: instants are stored as UTC `TIMESTAMP`s; business dates are in China Standard
//! Time (UTC+8, no DST). Only handlers and jobs read the clock; rules take `now`/`today`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SubsecRound, Utc};

/// China Standard Time, UTC+8 (checked when compiling).
pub const CST: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// China Standard Time.
pub fn cst() -> FixedOffset {
    CST
}

/// Now, in UTC, truncated to microseconds: the precision both backends keep, so a value
/// read back equals the value written (the audit hash chain relies on it).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Today's date in China.
pub fn today_cst() -> NaiveDate {
    Utc::now().with_timezone(&cst()).date_naive()
}

/// A stored UTC instant as RFC 3339 (`2026-11-22T07:30:00Z`).
pub fn rfc3339(at: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A stored UTC instant as Beijing wall time, for pages (`2026-11-22 15:30`).
pub fn display_cst(at: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
        .with_timezone(&cst())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Parse an instant: RFC 3339, or a Beijing wall time `YYYY-MM-DDTHH:MM[:SS]`
/// (also with a space). Returns UTC.
pub fn parse_instant(raw: &str) -> Result<NaiveDateTime, String> {
    let raw = raw.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.naive_utc());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(raw, fmt) {
            return Ok(local - chrono::Duration::hours(8));
        }
    }
    Err(format!(
        "时间 {raw:?} 无法识别，请写作 2026-03-10T09:00（北京时间）或 RFC 3339"
    ))
}

/// Serde helpers: `NaiveDateTime` (UTC) ⇄ RFC 3339.
pub mod serde_rfc3339 {
    use chrono::NaiveDateTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*at))
    }

    pub mod option {
        use chrono::NaiveDateTime;
        use serde::Serializer;

        pub fn serialize<S: Serializer>(
            at: &Option<NaiveDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => s.serialize_str(&super::super::rfc3339(*at)),
                None => s.serialize_none(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_is_eight_hours_ahead() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(17, 30, 0)
            .unwrap();
        assert_eq!(display_cst(at), "2026-12-01 01:30");
        assert_eq!(rfc3339(at), "2026-11-30T17:30:00Z");
    }
}
