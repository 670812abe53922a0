//! Results: each candidate's stations (the mean of its examiners' sheets), total and
//! whether the exam is passed.

use std::collections::BTreeMap;

use super::{ExamAccess, find_in};
use crate::access::Caller;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::skills::SheetStatus;
use crate::skills::rules;
use crate::skills::store::exams::{self as exam_store, ExamRow, ExamStation};
use crate::skills::store::sheets::{self as sheet_store, SheetRow};
use crate::skills::views::{CandidateResult, ResultsView, StationResult};
use crate::state::AppState;

/// The sheets that count, per (doctor, station): for each examiner its latest submitted
/// version, or — unless `submitted_only` — its latest draft when nothing is submitted.
pub fn counting(rows: Vec<SheetRow>, submitted_only: bool) -> BTreeMap<(i64, i64), Vec<SheetRow>> {
    let mut per_examiner: BTreeMap<(i64, i64, i64), SheetRow> = BTreeMap::new();
    for row in rows {
        if submitted_only && row.status != SheetStatus::Submitted {
            continue;
        }
        let k = (row.doctor_id, row.station_id, row.examiner_id);
        let replace = match per_examiner.get(&k) {
            None => true,
            Some(old) => match (old.status, row.status) {
                (SheetStatus::Submitted, SheetStatus::Draft) => false,
                (SheetStatus::Draft, SheetStatus::Submitted) => true,
                _ => row.version > old.version,
            },
        };
        if replace {
            per_examiner.insert(k, row);
        }
    }
    let mut out: BTreeMap<(i64, i64), Vec<SheetRow>> = BTreeMap::new();
    for ((d, s, _), row) in per_examiner {
        out.entry((d, s)).or_default().push(row);
    }
    out
}

/// The results of an exam for the listed candidates.
pub fn compute(
    conn: &mut AnyConnection,
    exam: &ExamRow,
    stations: &[ExamStation],
    only: Option<i64>,
    submitted_only: bool,
) -> AppResult<Vec<CandidateResult>> {
    let candidates: Vec<_> = exam_store::candidates(conn, exam.id)?
        .into_iter()
        .filter(|c| only.is_none_or(|d| d == c.doctor_id))
        .collect();
    let sheets = counting(sheet_store::of_exam(conn, exam.id, only)?, submitted_only);
    Ok(candidates
        .into_iter()
        .map(|c| {
            let per_station: Vec<StationResult> = stations
                .iter()
                .map(|s| {
                    let rows = sheets
                        .get(&(c.doctor_id, s.station_id))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let pairs: Vec<_> =
                        rows.iter().map(|r| (r.points, r.critical_missed)).collect();
                    let combined = rules::combine(&pairs, s.pass_points, exam.review_threshold);
                    let not_applicable: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            r.marks()
                                .into_iter()
                                .filter(|(_, _, na)| *na)
                                .map(|(code, _, _)| code)
                                .collect()
                        })
                        .collect();
                    StationResult {
                        station_id: s.station_id,
                        code: s.code.clone(),
                        points: combined.map(|c| c.points),
                        passed: combined.is_some_and(|c| c.passed),
                        critical_missed: combined.is_some_and(|c| c.critical_missed),
                        sheets: rows.len(),
                        submitted: !rows.is_empty()
                            && rows.iter().all(|r| r.status == SheetStatus::Submitted),
                        flagged: combined.is_some_and(|c| c.flagged)
                            || rules::applicability_disagrees(&not_applicable),
                    }
                })
                .collect();
            let combined: Vec<_> = per_station
                .iter()
                .map(|r| {
                    r.points.map(|points| rules::Combined {
                        points,
                        critical_missed: r.critical_missed,
                        passed: r.passed,
                        spread: crate::points::Points::ZERO,
                        flagged: r.flagged,
                    })
                })
                .collect();
            let (total, passed) = rules::exam_passed(&combined, exam.pass_score);
            CandidateResult {
                doctor_id: c.doctor_id,
                name: c.name,
                complete: per_station.iter().all(|r| r.submitted),
                stations: per_station,
                total,
                passed,
            }
        })
        .collect())
}

/// `GET /api/v1/skills/exams/{id}/results`: admins and examiners see every candidate, a
/// doctor its own line. Drafts count until submitted (`submitted` says which).
pub async fn results(state: &AppState, caller: &Caller, id: i64) -> AppResult<ResultsView> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            let only = match how {
                ExamAccess::Candidate(d) => Some(d),
                _ => None,
            };
            let stations = exam_store::stations(conn, id)?;
            let items = compute(conn, &found.exam, &stations, only, false)?;
            Ok::<_, crate::error::AppError>(ResultsView {
                exam_id: id,
                title: found.exam.title.clone(),
                kind: found.exam.kind,
                pass_score: found.exam.pass_score,
                max_score: stations.iter().map(|s| s.max_points).sum(),
                items,
            })
        })
        .await
}
