//! Pure rules of centralized sessions: what a session must be, when check-in is open,
//! and the rotating check-in code.

use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Check-in opens this long before the start.
pub const OPENS_BEFORE: Duration = Duration::minutes(30);
/// A code lives for a minute; the previous minute's is still accepted (shown at :59,
/// typed at :05).
pub const CODE_PERIOD_SECS: i64 = 60;

/// Check-in is open from half an hour before the start to the end.
pub fn checkin_open(starts_at: NaiveDateTime, ends_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= starts_at - OPENS_BEFORE && now <= ends_at
}

fn period(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp().div_euclid(CODE_PERIOD_SECS)
}

/// The six-digit code of a session for the minute `at` falls in: HMAC-SHA256 of the
/// session and the minute under the session's secret, so it is signed, changes every
/// minute, and cannot be guessed from earlier codes.
pub fn code_at(secret: &str, session_id: i64, at: NaiveDateTime) -> String {
    code_for_period(secret, session_id, period(at))
}

fn code_for_period(secret: &str, session_id: i64, period: i64) -> String {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(&session_id.to_be_bytes());
    mac.update(&period.to_be_bytes());
    let bytes = mac.finalize().into_bytes();
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
    format!("{n:06}")
}

/// When the code shown now stops being accepted.
pub fn code_valid_until(at: NaiveDateTime) -> NaiveDateTime {
    let next = (period(at) + 2) * CODE_PERIOD_SECS;
    chrono::DateTime::from_timestamp(next, 0).map_or(at, |d| d.naive_utc())
}

/// Why a check-in is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinRefusal {
    NotOpen,
    WrongOrExpired,
}

/// Accept the code of this minute or the last, during the session only.
pub fn check_code(
    secret: &str,
    session_id: i64,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    presented: &str,
    now: NaiveDateTime,
) -> Result<(), CheckinRefusal> {
    if !checkin_open(starts_at, ends_at, now) {
        return Err(CheckinRefusal::NotOpen);
    }
    let presented = presented.trim();
    let p = period(now);
    let ok = [p, p - 1].iter().any(|&q| {
        let expected = code_for_period(secret, session_id, q);
        crate::auth::token::TokenKeys::csrf_matches(&expected, presented)
    });
    if ok {
        Ok(())
    } else {
        Err(CheckinRefusal::WrongOrExpired)
    }
}

/// A session's credited minutes may not exceed its length.
pub fn check_times(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    minutes: i32,
) -> Result<(), (&'static str, String)> {
    if ends_at <= starts_at {
        return Err(("ends_at", "结束时间应晚于开始时间".into()));
    }
    let length = (ends_at - starts_at).num_minutes();
    if length > 24 * 60 {
        return Err((
            "ends_at",
            "一次集中培训不能超过 24 小时，请分多次登记".into(),
        ));
    }
    if minutes < 1 || i64::from(minutes) > length {
        return Err((
            "minutes",
            format!("认定时长应在 1 到 {length} 分钟（培训时长）之间"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 10)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    #[test]
    fn the_code_rotates_every_minute_and_the_last_one_still_works() {
        let (start, end) = (t(1, 0, 0), t(4, 0, 0));
        let shown = code_at("secret", 7, t(2, 0, 59));
        assert_eq!(shown.len(), 6);
        assert_ne!(
            shown,
            code_at("secret", 7, t(2, 1, 0)),
            "a new minute, a new code"
        );
        assert_ne!(
            shown,
            code_at("secret", 8, t(2, 0, 59)),
            "another session, another code"
        );
        assert_ne!(
            shown,
            code_at("other", 7, t(2, 0, 59)),
            "another secret, another code"
        );
        assert!(
            check_code("secret", 7, start, end, &shown, t(2, 1, 30)).is_ok(),
            "typed a few seconds late"
        );
        assert_eq!(
            check_code("secret", 7, start, end, &shown, t(2, 2, 1)),
            Err(CheckinRefusal::WrongOrExpired)
        );
        assert_eq!(
            check_code("secret", 7, start, end, "000000", t(2, 0, 30)).is_ok(),
            code_at("secret", 7, t(2, 0, 30)) == "000000"
        );
        assert!(code_valid_until(t(2, 0, 59)) == t(2, 2, 0));
    }

    #[test]
    fn checkin_is_open_only_around_the_session() {
        let (start, end) = (t(1, 0, 0), t(4, 0, 0));
        let early = code_at("s", 1, t(0, 20, 0));
        assert_eq!(
            check_code("s", 1, start, end, &early, t(0, 20, 0)),
            Err(CheckinRefusal::NotOpen)
        );
        assert!(checkin_open(start, end, t(0, 30, 0)));
        assert!(!checkin_open(start, end, t(4, 0, 1)));
    }

    #[test]
    fn credited_minutes_fit_the_session() {
        assert!(check_times(t(1, 0, 0), t(4, 0, 0), 180).is_ok());
        assert_eq!(
            check_times(t(1, 0, 0), t(4, 0, 0), 181).unwrap_err().0,
            "minutes"
        );
        assert_eq!(
            check_times(t(4, 0, 0), t(1, 0, 0), 60).unwrap_err().0,
            "ends_at"
        );
    }
}
