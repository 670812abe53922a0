//! Pure rules of the audit log: how a row's hash chains it to the one before, and the
//! entry every refusal writes.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::Entry;

pub mod labels;
pub use labels::{action_label, detail_text};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chained hash of one row's content: SHA-256 of the previous hash and every field,
/// each length-prefixed so no two different rows serialise alike (tamper evidence). Fields are length-prefixed so no two
/// different rows serialise alike.
#[allow(clippy::too_many_arguments)]
pub fn row_hash(
    prev_hash: &str,
    at: NaiveDateTime,
    actor_id: Option<i64>,
    actor: Option<&str>,
    action: &str,
    target: Option<&str>,
    detail: &str,
    client: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let actor_id = actor_id.map(|i| i.to_string());
    for field in [
        Some(prev_hash),
        Some(at.as_str()),
        actor_id.as_deref(),
        actor,
        Some(action),
        target,
        Some(detail),
        client,
    ] {
        match field {
            Some(s) => {
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    hex::encode(h.finalize())
}

/// The `access.denied` entry of a refusal answered with `status` (403, or 404 when the
/// answer does not reveal that the target exists).
pub fn denial(attempt: &str, target: Option<String>, status: u16) -> Entry {
    let mut entry = Entry::new("access.denied")
        .detail(serde_json::json!({ "attempt": attempt, "status": status }));
    entry.target = target;
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 123_456)
            .unwrap()
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = row_hash(
            GENESIS,
            at(),
            Some(1),
            Some("a"),
            "x",
            Some("t"),
            "{}",
            Some("c"),
        );
        let variants = [
            row_hash(
                "1",
                at(),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at() + chrono::Duration::microseconds(1),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(2),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                None,
                "x",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "y",
                Some("t"),
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "x",
                None,
                "{}",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{ }",
                Some("c"),
            ),
            row_hash(
                GENESIS,
                at(),
                Some(1),
                Some("a"),
                "x",
                Some("t"),
                "{}",
                None,
            ),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }

    #[test]
    fn a_denial_names_the_attempt_and_the_answer() {
        let e = denial("user.create", Some("region:370403".into()), 403);
        assert_eq!(e.action, "access.denied");
        assert_eq!(e.target.as_deref(), Some("region:370403"));
        assert_eq!(e.detail["attempt"], "user.create");
        assert_eq!(e.detail["status"], 403);
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let a = row_hash(GENESIS, at(), None, Some("ab"), "c", None, "{}", None);
        let b = row_hash(GENESIS, at(), None, Some("a"), "bc", None, "{}", None);
        assert_ne!(a, b);
    }
}
