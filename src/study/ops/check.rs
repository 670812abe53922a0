//! `cunyi check ledger`: the maintained totals (and the doctors' stored standing on the
//! pace) recomputed from the records, the progress table's tally and name grams from the
//! doctors, each difference reported, and with `--fix` the differing doctors' totals and
//! standing rewritten, then the tally and the grams if they differ.

use std::collections::BTreeSet;

use diesel::QueryResult;

use crate::db::{self, AnyConnection};
use crate::study::rules::standing::Standing;
use crate::study::store::totals::{self, Totals};
use crate::study::store::{standing, tally};

const TALLY: &str = "progress tally";
const GRAMS: &str = "name grams";

/// One total that differs from what the records say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub doctor_id: i64,
    /// Which total: `online 2025`, `doctor` (the per-doctor row), `standing`,
    /// `name grams`, `progress tally <county> <status> <program> <behind from> <bin>`
    /// (its `doctor_id` 0) …
    pub what: String,
    pub stored: String,
    pub expected: String,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCheck {
    /// Totals recomputed (doctor × kind × year).
    pub totals: usize,
    pub differences: Vec<Difference>,
    /// Doctors whose totals were rewritten (`--fix`).
    pub fixed: usize,
}

fn show(t: Option<&Totals>) -> String {
    match t {
        None => "无".to_owned(),
        Some(t) => format!(
            "credited {} pending {} records {} days {} scores {}/{}",
            t.credited_minutes,
            t.pending_minutes,
            t.records,
            t.credited_days,
            t.score_sum,
            t.score_count
        ),
    }
}

fn show_standing(s: &Standing) -> String {
    format!(
        "behind from {} bin {}",
        s.behind_from
            .map_or_else(|| "无".to_owned(), |d| d.to_string()),
        s.bin
    )
}

/// Compare every maintained total with its recomputation; with `fix`, rewrite the
/// totals of each doctor found different (in one write transaction) .
pub fn check_ledger(conn: &mut AnyConnection, fix: bool) -> QueryResult<LedgerCheck> {
    let expected = totals::recomputed(conn)?;
    let stored = totals::stored(conn)?;
    let mut differences = Vec::new();
    let keys: BTreeSet<_> = expected.keys().chain(stored.keys()).copied().collect();
    for key in keys {
        let (e, s) = (expected.get(&key), stored.get(&key));
        if e != s {
            differences.push(Difference {
                doctor_id: key.0,
                what: format!("{} {}", key.1.as_str(), key.2),
                stored: show(s),
                expected: show(e),
            });
        }
    }
    let expected_rows = totals::sum_by_doctor(&expected);
    let stored_rows = totals::doctor_totals(conn)?;
    let doctors: BTreeSet<i64> = expected_rows
        .keys()
        .chain(stored_rows.keys())
        .copied()
        .collect();
    for doctor in doctors {
        let (e, s) = (expected_rows.get(&doctor), stored_rows.get(&doctor));
        if e != s {
            differences.push(Difference {
                doctor_id: doctor,
                what: "doctor".to_owned(),
                stored: format!("{s:?}"),
                expected: format!("{e:?}"),
            });
        }
    }
    // The stored standing (behind from, chart fifth) against the totals' and programs'.
    let expected_standing = standing::expected(conn)?;
    let stored_standing = standing::stored(conn)?;
    for (doctor, e) in &expected_standing {
        let s = stored_standing.get(doctor);
        if s != Some(e) {
            differences.push(Difference {
                doctor_id: *doctor,
                what: "standing".to_owned(),
                stored: s.map_or_else(|| "无".to_owned(), show_standing),
                expected: show_standing(e),
            });
        }
    }
    // The progress table's tally against the doctors' (rows of 0 doctors are none).
    let expected_tally = tally::tally_expected(conn)?;
    let stored_tally = tally::tally_stored(conn)?;
    let keys: BTreeSet<_> = expected_tally
        .keys()
        .chain(stored_tally.keys())
        .cloned()
        .collect();
    let mut tally_differs = false;
    for key in keys {
        let (e, s) = (expected_tally.get(&key), stored_tally.get(&key));
        if e != s {
            tally_differs = true;
            differences.push(Difference {
                doctor_id: 0,
                what: format!("{TALLY} {} {} {} {} {}", key.0, key.1, key.2, key.3, key.4),
                stored: s.copied().unwrap_or(0).to_string(),
                expected: e.copied().unwrap_or(0).to_string(),
            });
        }
    }
    let gram_doctors = tally::gram_differences(conn)?;
    for doctor in &gram_doctors {
        differences.push(Difference {
            doctor_id: *doctor,
            what: GRAMS.to_owned(),
            stored: "与姓名不符".to_owned(),
            expected: "姓名的每个字和相邻两字".to_owned(),
        });
    }
    let mut fixed = 0;
    if fix && !differences.is_empty() {
        let ids: Vec<i64> = differences
            .iter()
            .filter(|d| !d.what.starts_with(TALLY) && d.what != GRAMS)
            .map(|d| d.doctor_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        db::write(conn, |conn| {
            // The totals' refresh rewrites the standing too (and the triggers the tally).
            totals::refresh(conn, &ids)?;
            if tally_differs {
                tally::rebuild_tally(conn)?;
            }
            if !gram_doctors.is_empty() {
                tally::rebuild_grams(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        fixed = ids.len();
    }
    Ok(LedgerCheck {
        totals: expected.len(),
        differences,
        fixed,
    })
}
