//! Pure decisions of the reminders: filling a template, when a failed mail is tried
//! again, and when each reminder falls due. No clock: `now`/`today` come in.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::Params;

/// A sender gives up on a mail after this many attempts (issue 12 item 5: "retries with
/// backoff", then failed — shown on the sysadmin page, retried by hand).
pub const MAX_ATTEMPTS: i32 = 8;
/// The first retry waits this long; each further one twice as long…
pub const BACKOFF_BASE_SECS: i64 = 60;
/// …but never longer than this.
pub const BACKOFF_CAP_SECS: i64 = 6 * 3600;
/// How long a claim holds: a sender that crashed mid-send leaves its rows `sending`
/// until then, when another sender claims them again. Well above the SMTP timeout.
pub const LEASE_SECS: i64 = 5 * 60;

/// A template filled in: subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Fill `{{name}}` placeholders from `params`; values are HTML-escaped when `html` is
/// set. A placeholder without a value, or an unclosed one, is an error naming it (a
/// template and its caller disagree: a programming error, caught by the tests).
pub fn fill(template: &str, params: &Params, html: bool) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed placeholder after {:?}", &rest[..start]))?;
        let name = after[..end].trim();
        let value = params
            .get(name)
            .ok_or_else(|| format!("no value for {{{{{name}}}}}"))?;
        if html {
            out.push_str(&escape_html(value));
        } else {
            out.push_str(value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Escape text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Render the three parts of a template. The subject is one line (line breaks in values
/// become spaces, so a value cannot add a header); line breaks of HTML values become
/// `<br>`.
pub fn render(parts: super::emails::Parts, params: &Params) -> Result<Rendered, String> {
    let one_line: Params = params
        .iter()
        .map(|(k, v)| (*k, v.replace(['\r', '\n'], " ")))
        .collect();
    let subject = fill(parts.subject, &one_line, false)?.trim().to_owned();
    let text = fill(parts.text, params, false)?;
    let html = fill(parts.html, params, true)?;
    Ok(Rendered {
        subject,
        text,
        html: html_line_breaks(&html),
    })
}

/// Line breaks inside an escaped value (a multi-line review comment) stay visible in HTML:
/// a line that does not end a tag gets a `<br>`.
fn html_line_breaks(html: &str) -> String {
    let lines: Vec<&str> = html.lines().collect();
    let mut out = String::with_capacity(html.len() + 16);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i + 1 < lines.len() {
            if !line.trim_end().ends_with('>') && !line.trim().is_empty() {
                out.push_str("<br>");
            }
            out.push('\n');
        }
    }
    out
}

/// What to do with a mail after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this instant.
    Retry(NaiveDateTime),
    /// Give up.
    Fail,
}

/// The wait before attempt `attempts + 1`: 1 min, 2, 4 … doubling, at most 6 h.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let secs = BACKOFF_BASE_SECS.saturating_mul(1i64 << doublings);
    Duration::seconds(secs.min(BACKOFF_CAP_SECS))
}

/// After the `attempts`-th attempt failed: a permanent refusal (a 5xx reply, a bad
/// address) or the last allowed attempt fails the mail; otherwise retry after the backoff.
pub fn after_failure(attempts: i32, permanent: bool, now: NaiveDateTime) -> AfterFailure {
    if permanent || attempts >= MAX_ATTEMPTS {
        AfterFailure::Fail
    } else {
        AfterFailure::Retry(now + backoff(attempts))
    }
}

/// Which reminder of a filing deadline is due today: the one-week reminder from 7 days
/// before (2–7 days left, so a planner that missed a day still sends it), the last-day
/// reminder from 1 day before (1 or 0 days left) — issue 12 item 5. `None` otherwise.
pub fn filing_stage(due: NaiveDate, today: NaiveDate) -> Option<u8> {
    match (due - today).num_days() {
        2..=7 => Some(7),
        0..=1 => Some(1),
        _ => None,
    }
}

/// Days before an exam opens when its candidates are reminded (from 3 days before until
/// it opens).
pub const EXAM_LEAD_DAYS: i64 = 3;

/// The exam reminder is due from [`EXAM_LEAD_DAYS`] days before the Beijing date it
/// opens until it opens.
pub fn exam_due(
    opens_on: NaiveDate,
    opens_at: NaiveDateTime,
    today: NaiveDate,
    now: NaiveDateTime,
) -> bool {
    now < opens_at && (opens_on - today).num_days() <= EXAM_LEAD_DAYS
}

/// Which make-up deadline reminder is due: two weeks before (4–14 days left) and three
/// days before (0–3 days left) the end of the 3-month make-up window (Zaozhuang annex 2 §5).
pub fn makeup_stage(deadline: NaiveDate, today: NaiveDate) -> Option<u8> {
    match (deadline - today).num_days() {
        4..=14 => Some(14),
        0..=3 => Some(3),
        _ => None,
    }
}

/// Days left until `day`, never negative (for the mail's text).
pub fn days_left(day: NaiveDate, today: NaiveDate) -> i64 {
    (day - today).num_days().max(0)
}

/// An error message fit for the `last_error` column: one line, at most 500 characters.
pub fn error_line(message: &str) -> String {
    let line: String = message.replace(['\r', '\n'], " ");
    line.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Template;
    use crate::notify::emails::parts;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn params(pairs: &[(&'static str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn placeholders_are_filled_and_html_is_escaped() {
        let p = params(&[("name", "<王> & \"李\"")]);
        assert_eq!(
            fill("你好 {{ name }}！", &p, false).unwrap(),
            "你好 <王> & \"李\"！"
        );
        assert_eq!(
            fill("<p>{{name}}</p>", &p, true).unwrap(),
            "<p>&lt;王&gt; &amp; &quot;李&quot;</p>"
        );
        assert!(
            fill("{{missing}}", &p, false)
                .unwrap_err()
                .contains("missing")
        );
        assert!(fill("{{name", &p, false).is_err());
    }

    #[test]
    fn subjects_are_one_line() {
        let p = params(&[
            ("county", "市中区\nBcc: x@example.com"),
            ("title", "2026 年第 1 季度季度培训工作总结"),
            ("due_on", "2026-03-30"),
            ("days", "7"),
            ("status", "草稿"),
            ("name", "张三"),
        ]);
        let r = render(parts(Template::FilingDue), &p).unwrap();
        assert!(!r.subject.contains('\n'));
        assert!(r.subject.starts_with("【村医培训】市中区 Bcc"));
        assert!(r.text.contains("2026-03-30"));
    }

    /// Every shipped template renders with the parameters its callers give it.
    #[test]
    fn every_template_renders_with_its_parameters() {
        let common = [
            ("name", "张三"),
            ("county", "市中区"),
            ("title", "T"),
            ("due_on", "2026-03-30"),
        ];
        for (template, extra) in [
            (Template::FilingDue, vec![("days", "7"), ("status", "草稿")]),
            (
                Template::FilingReturned,
                vec![
                    ("comment", "第一行\n第二行"),
                    ("reviewed_at", "2026-03-01 10:00"),
                ],
            ),
            (
                Template::ExamSoon,
                vec![
                    ("exam", "E"),
                    ("kind", "单元测试"),
                    ("opens_at", "a"),
                    ("closes_at", "b"),
                    ("duration", "60"),
                ],
            ),
            (
                Template::MakeupDeadline,
                vec![("deadline", "2026-06-30"), ("days", "3")],
            ),
        ] {
            let mut p = params(&common);
            p.extend(params(&extra));
            let r = render(parts(template), &p).unwrap_or_else(|e| panic!("{template:?}: {e}"));
            assert!(r.subject.starts_with("【村医培训】"), "{template:?}");
            assert!(r.html.contains("<p>"), "{template:?}");
        }
        let mut p = params(&common);
        p.extend(params(&[
            ("comment", "第一行\n第二行"),
            ("reviewed_at", "x"),
        ]));
        let r = render(parts(Template::FilingReturned), &p).unwrap();
        assert!(r.html.contains("第一行<br>\n第二行"), "{}", r.html);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(30), Duration::hours(6));
        let now = d(2026, 1, 1).and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(
            after_failure(1, false, now),
            AfterFailure::Retry(now + Duration::minutes(1))
        );
        assert_eq!(after_failure(1, true, now), AfterFailure::Fail);
        assert_eq!(after_failure(MAX_ATTEMPTS, false, now), AfterFailure::Fail);
    }

    #[test]
    fn filing_reminders_come_a_week_and_a_day_before() {
        let due = d(2026, 3, 30);
        assert_eq!(filing_stage(due, d(2026, 3, 22)), None);
        assert_eq!(filing_stage(due, d(2026, 3, 23)), Some(7));
        assert_eq!(filing_stage(due, d(2026, 3, 28)), Some(7));
        assert_eq!(filing_stage(due, d(2026, 3, 29)), Some(1));
        assert_eq!(filing_stage(due, d(2026, 3, 30)), Some(1));
        assert_eq!(filing_stage(due, d(2026, 3, 31)), None);
    }

    #[test]
    fn exam_and_makeup_reminders() {
        let opens = d(2026, 5, 10).and_hms_opt(1, 0, 0).unwrap();
        assert!(exam_due(
            d(2026, 5, 10),
            opens,
            d(2026, 5, 7),
            opens - Duration::days(3)
        ));
        assert!(!exam_due(
            d(2026, 5, 10),
            opens,
            d(2026, 5, 6),
            opens - Duration::days(4)
        ));
        assert!(!exam_due(d(2026, 5, 10), opens, d(2026, 5, 10), opens));
        assert_eq!(makeup_stage(d(2026, 6, 30), d(2026, 6, 15)), None);
        assert_eq!(makeup_stage(d(2026, 6, 30), d(2026, 6, 16)), Some(14));
        assert_eq!(makeup_stage(d(2026, 6, 30), d(2026, 6, 27)), Some(3));
        assert_eq!(makeup_stage(d(2026, 6, 30), d(2026, 7, 1)), None);
    }

    proptest! {
        /// Retries wait at least the base and at most the cap, never less than before.
        #[test]
        fn backoff_is_monotone_and_capped(a in 1i32..100) {
            prop_assert!(backoff(a) >= Duration::seconds(BACKOFF_BASE_SECS));
            prop_assert!(backoff(a) <= Duration::seconds(BACKOFF_CAP_SECS));
            prop_assert!(backoff(a + 1) >= backoff(a));
        }

        /// Over the days before a deadline, exactly two distinct reminders are due, the
        /// week one first, and none after the deadline.
        #[test]
        fn two_filing_reminders_per_deadline(offset in 0i64..3650) {
            let due = d(2024, 1, 1) + Duration::days(offset);
            let stages: Vec<u8> = (-30..=5)
                .filter_map(|k| filing_stage(due, due + Duration::days(k)))
                .collect();
            let mut distinct = stages.clone();
            distinct.dedup();
            prop_assert_eq!(distinct, vec![7, 1]);
        }

        /// Filling never leaves a placeholder and escapes every `<` of a value in HTML.
        #[test]
        fn filled_html_has_no_raw_value_markup(v in ".{0,40}") {
            let p = params(&[("x", v.as_str())]);
            let out = fill("<b>{{x}}</b>", &p, true).unwrap();
            prop_assert_eq!(out.matches('<').count(), 2);
        }
    }
}
