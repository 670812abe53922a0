//! Pure rules of centralized sessions: what a session must be, when check-in is open,
//! and the rotating check-in code.

use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{NewSession, SessionBody};
use crate::auth::Role;
use crate::error::{AppError, AppResult, Problems};

/// Check-in opens this long before the start.
pub const OPENS_BEFORE: Duration = Duration::minutes(30);
/// A code lives for a minute; the previous minute's is still accepted (shown at :59,
/// typed at :05).
pub const CODE_PERIOD_SECS: i64 = 60;

/// Wrong check-in codes a doctor may type for one session: 5 in 10 minutes, then it
/// waits 10 minutes. Two codes are valid at a time (10⁶ each), so guessing is hopeless,
/// while a doctor who mistypes twice is not slowed at all.
pub const CHECKIN_TRIES: crate::auth::ThrottlePolicy = crate::auth::ThrottlePolicy {
    max_failures: 5,
    window: Duration::minutes(10),
    lockout: Duration::minutes(10),
};

/// The attempt counter of one doctor at one session's check-in.
pub fn checkin_key(session_id: i64, doctor_id: i64) -> String {
    format!("checkin:{session_id}:{doctor_id}")
}

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

/// Check a session body's fields — a title, one of the nine content areas, a place, a
/// time whose credited minutes fit it (Zaozhuang annex 2 §四(二)) — every problem at
/// once (region and program are resolved against the database by `ops`).
pub fn check_body(body: &SessionBody) -> AppResult<NewSession> {
    let mut p = Problems::new();
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let title = text(&body.title);
    if title.is_empty() || title.chars().count() > 100 {
        p.add("title", "标题应为 1–100 个字符");
    }
    let topic = text(&body.topic);
    let topic = if topic.is_empty() {
        "clinical_skills".to_owned()
    } else {
        topic
    };
    if !crate::areas::is_area(&topic) {
        p.add(
            "topic",
            format!("培训内容应为 {} 之一", crate::areas::codes()),
        );
    }
    let location = text(&body.location);
    if location.is_empty() || location.chars().count() > 100 {
        p.add("location", "地点应为 1–100 个字符");
    }
    let starts_at = p.take(
        "starts_at",
        crate::time::parse_instant(&text(&body.starts_at)),
    );
    let ends_at = p.take("ends_at", crate::time::parse_instant(&text(&body.ends_at)));
    let minutes = body.minutes.unwrap_or(0);
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && let Err((field, message)) = check_times(s, e, minutes)
    {
        p.add(field, message);
    } else if body.minutes.is_none() {
        p.add("minutes", "必填：认定的分钟数");
    }
    if body.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
        p.add("capacity", "人数上限应为 1 到 10000");
    }
    let region = p.take(
        "region_code",
        crate::regions::RegionCode::parse(&text(&body.region_code)),
    );
    let checked = match (starts_at, ends_at, region) {
        (Some(starts_at), Some(ends_at), Some(region)) => Some(NewSession {
            title,
            topic,
            starts_at,
            ends_at,
            minutes,
            location,
            region_code: region.as_str().to_owned(),
            capacity: body.capacity,
            instructor_ids: body.instructor_ids.clone().unwrap_or_default(),
            program_id: body.program_id,
        }),
        _ => None,
    };
    p.finish()?;
    checked.ok_or_else(|| AppError::field("starts_at", "请填写培训时间"))
}

/// How the caller relates to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An admin of its region, or an instructor who teaches it: sees everything, marks
    /// attendance, shows the code.
    Runs,
    /// A doctor of its region: sees it, checks in.
    Attends,
}

/// Who may see a session: admins whose subtree holds its region and the instructors
/// who teach it run it; a doctor under its region (a county's or the city's session)
/// attends it; nobody else sees it.
pub fn access(role: Role, caller_path: &str, session_path: &str, teaches: bool) -> Option<Access> {
    match role {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin
            if session_path.starts_with(caller_path) =>
        {
            Some(Access::Runs)
        }
        Role::Instructor if teaches => Some(Access::Runs),
        Role::Doctor if caller_path.starts_with(session_path) => Some(Access::Attends),
        _ => None,
    }
}

/// Which sessions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Upcoming,
    Past,
    All,
}

/// `upcoming` (the default), `past` or `all`.
pub fn when(raw: Option<&str>) -> Result<When, String> {
    match raw.unwrap_or("upcoming") {
        "upcoming" | "" => Ok(When::Upcoming),
        "past" => Ok(When::Past),
        "all" => Ok(When::All),
        _ => Err("应为 upcoming、past 或 all".into()),
    }
}

/// The local date a session's minutes are credited on (Beijing time).
pub fn credited_on(starts_at: NaiveDateTime) -> chrono::NaiveDate {
    (starts_at + Duration::hours(8)).date()
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

    #[test]
    fn who_runs_and_who_attends() {
        let county = "/370000/370400/370402/";
        let village = "/370000/370400/370402/370402001/";
        assert_eq!(
            access(Role::CountyAdmin, county, village, false),
            Some(Access::Runs)
        );
        assert_eq!(access(Role::CountyAdmin, village, county, false), None);
        assert_eq!(
            access(Role::Doctor, village, county, false),
            Some(Access::Attends)
        );
        assert_eq!(
            access(Role::Doctor, "/370000/370400/370403/", county, false),
            None
        );
        assert_eq!(
            access(Role::Instructor, county, county, true),
            Some(Access::Runs)
        );
        assert_eq!(access(Role::Instructor, county, county, false), None);
    }

    #[test]
    fn lists_and_dates() {
        assert_eq!(when(None), Ok(When::Upcoming));
        assert_eq!(when(Some("past")), Ok(When::Past));
        assert!(when(Some("soon")).is_err());
        assert_eq!(
            credited_on(t(20, 0, 0)),
            NaiveDate::from_ymd_opt(2026, 3, 11).unwrap(),
            "20:00 UTC is the next morning in Beijing"
        );
    }

    #[test]
    fn a_session_body_names_every_problem() {
        let e = check_body(&SessionBody::default()).unwrap_err();
        let fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "location",
                "starts_at",
                "ends_at",
                "minutes",
                "region_code"
            ]
        );
    }
}
