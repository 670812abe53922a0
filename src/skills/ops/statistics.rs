//! `GET /api/v1/skills/exams/{id}/statistics`: per station pass rate, item facility, the
//! borderline-regression mark beside the fixed one, examiner stringency — over submitted
//! sheets.

use super::results::{compute, counting};
use super::{ExamAccess, find_in};
use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::points::Points;
use crate::skills::BORDERLINE;
use crate::skills::rules::{self, stats};
use crate::skills::store::exams as exam_store;
use crate::skills::store::sheets as sheet_store;
use crate::skills::views::{ExaminerStringency, ItemFacility, StationStatistics, StatisticsView};
use crate::state::AppState;

pub async fn statistics(state: &AppState, caller: &Caller, id: i64) -> AppResult<StatisticsView> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            if matches!(how, ExamAccess::Candidate(_)) {
                return Err(AppError::forbidden());
            }
            let exam = &found.exam;
            let stations = exam_store::stations(conn, id)?;
            let results = compute(conn, exam, &stations, None, true)?;
            let sheets = counting(sheet_store::of_exam(conn, id, None)?, true);
            let per_station = stations
                .iter()
                .map(|s| {
                    let rows: Vec<_> = sheets
                        .iter()
                        .filter(|((_, station), _)| *station == s.station_id)
                        .flat_map(|(_, rows)| rows.iter())
                        .collect();
                    let combined: Vec<_> = sheets
                        .iter()
                        .filter(|((_, station), _)| *station == s.station_id)
                        .filter_map(|(_, rows)| {
                            let pairs: Vec<_> =
                                rows.iter().map(|r| (r.points, r.critical_missed)).collect();
                            rules::combine(&pairs, s.pass_points, exam.review_threshold)
                        })
                        .collect();
                    let n = combined.len();
                    let passed = combined.iter().filter(|c| c.passed).count();
                    let mean = (n > 0).then(|| {
                        combined.iter().map(|c| c.points.as_f64()).sum::<f64>() / n as f64
                    });
                    let pairs: Vec<(i32, Points)> = rows
                        .iter()
                        .filter_map(|r| r.global_rating.map(|g| (g, r.points)))
                        .collect();
                    let marks: Vec<Vec<(String, Points, bool)>> =
                        rows.iter().map(|r| r.marks()).collect();
                    let items = s
                        .items
                        .iter()
                        .map(|item| {
                            // A sheet that scored the item 不适用 says nothing of it.
                            let given: Vec<Points> = marks
                                .iter()
                                .filter_map(|m| match m.iter().find(|x| x.0 == item.code) {
                                    Some((_, _, true)) => None,
                                    Some((_, p, false)) => Some(*p),
                                    None => Some(Points::ZERO),
                                })
                                .collect();
                            ItemFacility {
                                code: item.code.clone(),
                                text: item.text.clone(),
                                critical: item.critical,
                                max_points: item.points,
                                facility: stats::facility(item.points, &given),
                            }
                        })
                        .collect();
                    let by_examiner: Vec<(i64, Points)> =
                        rows.iter().map(|r| (r.examiner_id, r.points)).collect();
                    let examiners = stats::stringency(&by_examiner)
                        .into_iter()
                        .map(|x| ExaminerStringency {
                            name: s
                                .examiners
                                .iter()
                                .find(|(id, _)| *id == x.examiner_id)
                                .map_or_else(String::new, |(_, n)| n.clone()),
                            examiner_id: x.examiner_id,
                            sheets: x.sheets,
                            mean: round2(x.mean),
                            difference: round2(x.difference),
                            se: round2(x.se),
                            flagged: x.flagged,
                        })
                        .collect();
                    StationStatistics {
                        station_id: s.station_id,
                        code: s.code.clone(),
                        title: s.title.clone(),
                        n,
                        passed,
                        pass_rate: (n > 0).then(|| round2(passed as f64 / n as f64)),
                        mean: mean.map(round2),
                        fixed_pass_mark: s.pass_points,
                        borderline_regression_mark: stats::borderline_regression(
                            &pairs, BORDERLINE,
                        ),
                        items,
                        examiners,
                    }
                })
                .collect();
            let complete: Vec<_> = results.iter().filter(|r| r.complete).collect();
            Ok(StatisticsView {
                exam_id: id,
                candidates: complete.len(),
                passed: complete.iter().filter(|r| r.passed).count(),
                stations: per_station,
            })
        })
        .await
}

/// Statistics are shown to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
