//! Pure rules of identity: what a username and a password must be, and when failed
//! logins lock a username or a client out.

use chrono::{Duration, NaiveDateTime};

/// A login name: 3–32 characters of `a-z 0-9 _ . -`, starting with a letter or digit,
/// compared case-insensitively (stored lower-case). Phone numbers qualify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, String> {
        let name = raw.trim().to_ascii_lowercase();
        let len = name.chars().count();
        if len == 0 {
            return Err("用户名不能为空".into());
        }
        if !(3..=32).contains(&len) {
            return Err("用户名应为 3–32 个字符".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
        {
            return Err("用户名只能包含英文字母、数字、下划线、点和连字符".into());
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("用户名须以字母或数字开头".into());
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8–128 characters, at least two of {letters, digits, other symbols},
/// and not the username. (NIST SP 800-63B favours length over composition; the
/// two-kinds rule stops the "12345678" that county staff would otherwise pick.)
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(raw: &str, username: Option<&str>) -> Result<NewPassword, String> {
        let len = raw.chars().count();
        if len < 8 {
            return Err("密码至少 8 个字符".into());
        }
        if len > 128 {
            return Err("密码不能超过 128 个字符".into());
        }
        let kinds = [
            raw.chars().any(|c| c.is_alphabetic()),
            raw.chars().any(|c| c.is_ascii_digit()),
            raw.chars().any(|c| !c.is_alphanumeric()),
        ];
        if kinds.iter().filter(|k| **k).count() < 2 {
            return Err("密码须包含字母、数字、符号中的至少两类".into());
        }
        if username.is_some_and(|u| raw.trim().eq_ignore_ascii_case(u)) {
            return Err("密码不能与用户名相同".into());
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–50 characters, no control characters.
pub fn display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err("姓名不能为空".into());
    }
    if len > 50 || name.chars().any(char::is_control) {
        return Err("姓名应为 1–50 个字符，且不含控制字符".into());
    }
    Ok(name.to_owned())
}

/// A checked change of one's own password: the current one given, the new one meeting
/// the policy ([`NewPassword`]) and, on the page, typed twice alike.
#[derive(Debug)]
pub struct PasswordChange {
    pub current: String,
    pub new: NewPassword,
}

impl PasswordChange {
    /// Check every field at once; `confirm` is the page's second entry (the API has none).
    pub fn check(
        current: Option<String>,
        new: Option<String>,
        confirm: Option<&str>,
        username: &str,
    ) -> crate::error::AppResult<PasswordChange> {
        let mut p = crate::error::Problems::new();
        let current = p.field(
            "current_password",
            current
                .filter(|c| !c.is_empty())
                .ok_or_else(|| "请输入当前密码".to_owned()),
        );
        let new_raw = new.unwrap_or_default();
        let new = p.field("new_password", NewPassword::parse(&new_raw, Some(username)));
        if new.is_ok() && confirm.is_some_and(|c| c != new_raw) {
            p.add("confirm_password", "两次输入的新密码不一致");
        }
        p.build(|| {
            Ok(PasswordChange {
                current: current?,
                new: new?,
            })
        })
    }
}

/// How many failures within `window` lock a key, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// A username: 5 failures in 15 minutes lock it for 15 minutes. Slows guessing to a
/// crawl while a forgetful doctor only waits a quarter hour.
pub const PER_USERNAME: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// A client address: 30 failures in 15 minutes lock it (a township clinic behind one
/// NAT address has many users, so this is looser than per username).
pub const PER_CLIENT: ThrottlePolicy = ThrottlePolicy {
    max_failures: 30,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// The failure count of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_started_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

/// How long the key is still locked, if it is.
pub fn locked_for(state: Option<&ThrottleState>, now: NaiveDateTime) -> Option<Duration> {
    let until = state?.locked_until?;
    (until > now).then(|| until - now)
}

/// The state after one more failure: a new window if the old one has passed, and a lock
/// once the count reaches the limit within the window.
pub fn after_failure(
    state: Option<ThrottleState>,
    policy: &ThrottlePolicy,
    now: NaiveDateTime,
) -> ThrottleState {
    if let Some(s) = state
        && locked_for(Some(&s), now).is_some()
    {
        return s; // still locked: the lock is not extended, nor reset
    }
    let mut next = match state {
        // Keep counting inside an unexpired window that never locked; a passed window
        // or a lock that has run out starts afresh.
        Some(s) if s.locked_until.is_none() && now - s.window_started_at < policy.window => s,
        _ => ThrottleState {
            failures: 0,
            window_started_at: now,
            locked_until: None,
        },
    };
    next.failures += 1;
    if next.failures >= policy.max_failures {
        next.locked_until = Some(now + policy.lockout);
    }
    next
}

/// Admit one login attempt against a key: refused while it is locked (how much longer),
/// otherwise counted as a failure *before* the password is checked, so that parallel
/// attempts cannot all pass the check before any failure is recorded. A success then
/// [`refund`]s it.
pub fn admit(
    state: Option<ThrottleState>,
    policy: &ThrottlePolicy,
    now: NaiveDateTime,
) -> Result<ThrottleState, Duration> {
    match locked_for(state.as_ref(), now) {
        Some(remaining) => Err(remaining),
        None => Ok(after_failure(state, policy, now)),
    }
}

/// Take back an attempt counted by [`admit`] that turned out to succeed.
pub fn refund(state: ThrottleState, policy: &ThrottlePolicy) -> ThrottleState {
    let failures = (state.failures - 1).max(0);
    ThrottleState {
        failures,
        window_started_at: state.window_started_at,
        locked_until: if failures < policy.max_failures {
            None
        } else {
            state.locked_until
        },
    }
}

/// Retry-After in whole seconds (at least 1).
pub fn retry_after_secs(remaining: Duration) -> u64 {
    remaining.num_seconds().max(1).unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" Doctor_01 ").unwrap().as_str(),
            "doctor_01"
        );
        assert_eq!(
            Username::parse("13800138000").unwrap().as_str(),
            "13800138000"
        );
        for bad in ["", "ab", "张三丰", "a b c", "_lead", &"x".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn attempts_are_counted_before_the_check_and_refunded_on_success() {
        let now = t0();
        let mut state = None;
        for _ in 0..PER_USERNAME.max_failures {
            state = Some(admit(state, &PER_USERNAME, now).expect("admitted"));
        }
        // The limit is reached by attempts alone: the next is refused, whatever it holds.
        assert!(admit(state, &PER_USERNAME, now).is_err());
        // The last admitted one was the right password: it is taken back and unlocks.
        let refunded = refund(state.unwrap(), &PER_USERNAME);
        assert_eq!(refunded.failures, PER_USERNAME.max_failures - 1);
        assert!(admit(Some(refunded), &PER_USERNAME, now).is_ok());
    }

    proptest! {
        /// However many attempts arrive at one instant, at most `max_failures` are
        /// admitted to the password check.
        #[test]
        fn at_most_the_limit_is_admitted(n in 1usize..200) {
            let now = t0();
            let mut state = None;
            let mut admitted = 0;
            for _ in 0..n {
                if let Ok(next) = admit(state, &PER_USERNAME, now) {
                    admitted += 1;
                    state = Some(next);
                }
            }
            prop_assert!(admitted <= PER_USERNAME.max_failures as usize);
            prop_assert_eq!(admitted, n.min(PER_USERNAME.max_failures as usize));
        }
    }

    #[test]
    fn passwords_need_length_variety_and_not_the_username() {
        assert!(NewPassword::parse("cunyi2026", None).is_ok());
        assert!(NewPassword::parse("村医培训2026", None).is_ok());
        assert!(NewPassword::parse("short1", None).is_err());
        assert!(NewPassword::parse("12345678", None).is_err());
        assert!(NewPassword::parse("abcdefgh", None).is_err());
        assert!(NewPassword::parse("doctor01", Some("doctor01")).is_err());
        assert!(!format!("{:?}", NewPassword::parse("cunyi2026", None).unwrap()).contains("cunyi"));
    }

    #[test]
    fn a_password_change_names_each_bad_field() {
        let fields = |e: crate::error::AppError| -> Vec<String> {
            e.field_errors().iter().map(|f| f.field.clone()).collect()
        };
        let ok = PasswordChange::check(
            Some("old-2026".into()),
            Some("new-2026!".into()),
            Some("new-2026!"),
            "wang",
        )
        .unwrap();
        assert_eq!(ok.current, "old-2026");
        let none = PasswordChange::check(None, None, None, "wang").unwrap_err();
        assert_eq!(fields(none), ["current_password", "new_password"]);
        let mismatch = PasswordChange::check(
            Some("old-2026".into()),
            Some("new-2026!".into()),
            Some("new-2027!"),
            "wang",
        )
        .unwrap_err();
        assert_eq!(fields(mismatch), ["confirm_password"]);
    }

    #[test]
    fn the_fifth_failure_locks_the_username_for_fifteen_minutes() {
        let mut state = None;
        for i in 0..5 {
            assert_eq!(locked_for(state.as_ref(), t0()), None, "locked after {i}");
            state = Some(after_failure(state, &PER_USERNAME, t0()));
        }
        assert_eq!(
            locked_for(state.as_ref(), t0()),
            Some(Duration::minutes(15))
        );
        assert_eq!(
            locked_for(state.as_ref(), t0() + Duration::minutes(15)),
            None
        );
    }

    #[test]
    fn failures_spread_beyond_the_window_never_lock() {
        let mut state = None;
        for i in 0..20 {
            let now = t0() + Duration::minutes(16 * i);
            state = Some(after_failure(state, &PER_USERNAME, now));
            assert_eq!(locked_for(state.as_ref(), now), None);
        }
    }

    proptest! {
        /// Whatever the timing, a key is locked right after a failure exactly when at
        /// least `max_failures` failures fell in the current window, and a lock never
        /// lasts longer than the lockout.
        #[test]
        fn a_lock_needs_enough_recent_failures(gaps in proptest::collection::vec(0i64..1200, 1..40)) {
            let mut state = None;
            let mut now = t0();
            for gap in gaps {
                now += Duration::seconds(gap);
                if locked_for(state.as_ref(), now).is_some() {
                    continue; // a locked key is refused before its password is checked
                }
                let next = after_failure(state, &PER_USERNAME, now);
                prop_assert!(next.failures >= 1 && next.failures <= PER_USERNAME.max_failures);
                prop_assert!(now - next.window_started_at < PER_USERNAME.window);
                prop_assert_eq!(next.locked_until.is_some(), next.failures == PER_USERNAME.max_failures);
                if let Some(remaining) = locked_for(Some(&next), now) {
                    prop_assert!(remaining <= PER_USERNAME.lockout);
                }
                state = Some(next);
            }
        }
    }
}
