//! A doctor's standing in skills exams, for `crate::assessment` (平时考核 reads the
//! `single` exams, 结业考核 the latest `completion` or `makeup`).

use chrono::{Datelike, NaiveDate};

use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::points::Points;
use crate::skills::SkillExamKind;
use crate::skills::rules;
use crate::skills::store::exams as exam_store;

/// What the assessment needs to know of a doctor's skills exams in a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillStanding {
    /// Each submitted `single` exam result of the year, as a percentage 0–100 of the max.
    pub single: Vec<Points>,
    /// The latest `completion` or `makeup` exam the doctor sat in the program, if any.
    pub completion: Option<SkillOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillOutcome {
    pub exam_id: i64,
    pub kind: SkillExamKind,
    pub held_on: NaiveDate,
    pub total: Points,
    pub passed: bool,
}

/// The doctor's standing in `program_id` for `year` (the year an exam was held). Only
/// complete results count: every station of the exam has a submitted sheet for the
/// doctor (the mean of two examiners' submitted sheets); a candidate passes when every
/// station is passed and the total reaches the exam's pass score.
pub fn standing(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    year: i32,
) -> AppResult<SkillStanding> {
    let mut single = Vec::new();
    let mut completion = None;
    for exam in exam_store::sat_by(conn, doctor_id, program_id)? {
        let stations = exam_store::stations(conn, exam.id)?;
        let Some(result) = super::results::compute(conn, &exam, &stations, Some(doctor_id), true)?
            .into_iter()
            .next()
        else {
            continue;
        };
        if !result.complete {
            continue;
        }
        match exam.kind {
            SkillExamKind::Single if exam.held_on.year() == year => {
                let max: Points = stations.iter().map(|s| s.max_points).sum();
                single.push(rules::percent_of(result.total, max));
            }
            SkillExamKind::Single => {}
            kind @ (SkillExamKind::Completion | SkillExamKind::Makeup) => {
                // Exams come oldest first: the last one seen is the latest.
                completion = Some(SkillOutcome {
                    exam_id: exam.id,
                    kind,
                    held_on: exam.held_on,
                    total: result.total,
                    passed: result.passed,
                });
            }
        }
    }
    Ok(SkillStanding { single, completion })
}

/// One skills exam a doctor sat, with its result per station (titles from the exam's
/// stations): the dossier's skills section.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SatExam {
    pub exam_id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub kind_label: &'static str,
    pub held_on: NaiveDate,
    pub stations: Vec<SatStation>,
    pub total: Points,
    pub max_points: Points,
    pub passed: bool,
    /// Every station has a submitted sheet: only then does the result count.
    pub complete: bool,
}

impl SatExam {
    pub fn result_label(&self) -> &'static str {
        match (self.complete, self.passed) {
            (false, _) => "评分中",
            (true, true) => "合格",
            (true, false) => "不合格",
        }
    }
}

/// A station's result within [`SatExam`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct SatStation {
    pub code: String,
    pub title: String,
    /// The mean of the examiners' sheets; `null` before any sheet.
    pub points: Option<Points>,
    pub max_points: Points,
    pub passed: bool,
    pub critical_missed: bool,
}

/// Every skills exam the doctor sat in the program, oldest first.
pub fn sat_exams(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> AppResult<Vec<SatExam>> {
    let mut out = Vec::new();
    for exam in exam_store::sat_by(conn, doctor_id, program_id)? {
        let stations = exam_store::stations(conn, exam.id)?;
        let Some(result) = super::results::compute(conn, &exam, &stations, Some(doctor_id), false)?
            .into_iter()
            .next()
        else {
            continue;
        };
        let sat = result
            .stations
            .iter()
            .map(|r| {
                let station = stations.iter().find(|s| s.station_id == r.station_id);
                SatStation {
                    code: r.code.clone(),
                    title: station.map(|s| s.title.clone()).unwrap_or_default(),
                    points: r.points,
                    max_points: station.map(|s| s.max_points).unwrap_or_default(),
                    passed: r.passed,
                    critical_missed: r.critical_missed,
                }
            })
            .collect();
        out.push(SatExam {
            exam_id: exam.id,
            title: exam.title.clone(),
            kind: exam.kind,
            kind_label: exam.kind.label(),
            held_on: exam.held_on,
            stations: sat,
            total: result.total,
            max_points: stations.iter().map(|s| s.max_points).sum(),
            passed: result.passed,
            complete: result.complete,
        });
    }
    Ok(out)
}
