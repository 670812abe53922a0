//! A filing's statistics, computed from a plain input (the facts the store gathers for a
//! county and a period): doctors enrolled, minutes credited per kind and how many are on
//! pace, the ≥ 1/3 centralized share, sessions held and attendance, shadowing placements
//! signed off, exams sat and passed, and — for the annual scores — each trainee's annual
//! score. Every figure can list the rows behind it ([`rows`]). The figures from
//! tutoring, the 3331 visits, skills exams, the annual assessment and make-ups are in
//! [`super::activity`]; the annual scores are the assessment area's confirmed ones.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::activity::{self, ActivityFacts};
use super::plan::required_share;
use crate::exams::ExamKind;
use crate::points::Points;
use crate::program::Share;
use crate::study::StudyKind;
use crate::study::rules::{behind, elapsed_share};

/// A doctor of the county, with the minutes credited to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoctorFacts {
    pub id: i64,
    pub name: String,
    /// Still in post (在岗): counted as enrolled.
    pub active: bool,
    /// Approved minutes by kind within the period.
    pub in_period: BTreeMap<StudyKind, i64>,
    /// Approved minutes by kind from the period's 1 January to its end (the 1/3 rule is
    /// per year).
    pub year_to_date: BTreeMap<StudyKind, i64>,
    /// Approved minutes by kind up to the period's end, all years (pace).
    pub to_date: BTreeMap<StudyKind, i64>,
}

/// A centralized session held in the county during the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    /// Doctors credited for attending.
    pub attendees: i64,
}

/// A shadowing placement of a county doctor overlapping the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementFacts {
    pub id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub rotations: i64,
    /// Rotations signed off by the period's end.
    pub signed_off: i64,
}

/// A submitted exam attempt of a county doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptFacts {
    pub doctor_id: i64,
    pub exam_id: i64,
    pub exam_title: String,
    pub kind: ExamKind,
    /// The training year the exam belongs to.
    pub exam_year: i32,
    /// The Beijing date of submission.
    pub submitted_on: NaiveDate,
    pub score: Option<Points>,
    pub max_score: Points,
    pub passed: Option<bool>,
}

/// What the statistics are computed from.
#[derive(Debug, Clone)]
pub struct StatsInput {
    pub year: i32,
    pub period: (NaiveDate, NaiveDate),
    /// Pace is judged on this day: the period's end, or today if earlier.
    pub as_of: NaiveDate,
    pub online_required: i32,
    pub centralized_required: i32,
    pub shadowing_required: i32,
    pub share: Share,
    pub program_start_year: i32,
    /// The last day of the program's training, if known.
    pub program_end: Option<NaiveDate>,
    pub quota_places: i32,
    /// Add the annual scores table (annual_scores filings).
    pub with_scores: bool,
    pub doctors: Vec<DoctorFacts>,
    pub sessions: Vec<SessionFacts>,
    pub placements: Vec<PlacementFacts>,
    pub attempts: Vec<AttemptFacts>,
    /// Tutoring, 3331 visits, skills exams, annual assessment, make-ups.
    pub activity: ActivityFacts,
}

/// One figure of a filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub unit: String,
    pub value: i64,
    /// What the figure should reach, where a rule says (the 1/3 share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
    /// The rows behind the figure (set when the filing is shown).
    #[serde(default)]
    pub link: String,
}

/// A trainee's annual comprehensive score (年度综合考核成绩): the latest attempt the
/// county confirmed in the assessment area; none yet → empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub doctor_id: i64,
    pub name: String,
    pub score: Option<Points>,
    pub max_score: Option<Points>,
    pub passed: Option<bool>,
    /// 平时考核, of the same attempt.
    #[serde(default)]
    pub ongoing: Option<Points>,
    /// The annual exam's part, of the same attempt.
    #[serde(default)]
    pub exam: Option<Points>,
    /// Which attempt (2 and up: a re-assessment).
    #[serde(default)]
    pub attempt: Option<i32>,
}

/// A filing's statistics, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub as_of: NaiveDate,
    pub figures: Vec<Figure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<ScoreRow>>,
}

impl Statistics {
    /// A figure's value by key.
    pub fn value(&self, key: &str) -> Option<i64> {
        self.figures.iter().find(|f| f.key == key).map(|f| f.value)
    }

    /// Set each figure's drill-down link under `base` (`/api/v1/reports/7/figures`).
    pub fn with_links(mut self, base: &str) -> Statistics {
        for f in &mut self.figures {
            f.link = format!("{base}/{}", f.key);
        }
        self
    }
}

/// A row behind a figure: a doctor, a session, a placement or an exam sitting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureRow {
    pub id: i64,
    pub name: String,
    pub value: i64,
}

/// The figures' keys, labels and units, in the order they are shown.
pub const FIGURES: &[(&str, &str, &str)] = &[
    ("doctors_enrolled", "在岗学员", "人"),
    ("quota_places", "年度名额", "人"),
    ("online_minutes", "线上自学学时", "分钟"),
    ("centralized_minutes", "集中培训学时", "分钟"),
    ("shadowing_minutes", "脱产跟班学时", "分钟"),
    ("tutoring_minutes", "辅导带教学时", "分钟"),
    ("doctors_on_pace", "学时进度达标学员", "人"),
    (
        "centralized_learners",
        "本年度参加集中学习学员（≥1/3）",
        "人",
    ),
    ("sessions_held", "举办集中培训", "场"),
    ("session_attendance", "集中培训签到", "人次"),
    ("placements", "脱产跟班安排", "个"),
    ("placements_signed_off", "跟班轮转全部签字确认", "个"),
    ("exam_sittings", "参加考核", "人次"),
    ("exam_passes", "考核合格", "人次"),
    ("makeup_sittings", "参加补考", "人次"),
];

/// Every figure's key, label and unit: the ledger's, then the other areas'.
pub fn all_figures() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    FIGURES.iter().chain(activity::FIGURES.iter())
}

fn minutes(map: &BTreeMap<StudyKind, i64>, kind: StudyKind) -> i64 {
    map.get(&kind).copied().unwrap_or(0)
}

fn kind_of(key: &str) -> Option<StudyKind> {
    match key {
        "online_minutes" => Some(StudyKind::Online),
        "centralized_minutes" => Some(StudyKind::Centralized),
        "shadowing_minutes" => Some(StudyKind::Shadowing),
        "tutoring_minutes" => Some(StudyKind::Tutoring),
        _ => None,
    }
}

/// On pace: no requirement's minutes to date fall short of what the elapsed share of
/// the program calls for (the same test as the doctor's progress).
fn on_pace(input: &StatsInput, d: &DoctorFacts) -> bool {
    let Some(end) = input.program_end else {
        return true;
    };
    let share = elapsed_share(input.program_start_year, end, input.as_of);
    [
        (input.online_required, StudyKind::Online),
        (input.centralized_required, StudyKind::Centralized),
        (input.shadowing_required, StudyKind::Shadowing),
    ]
    .iter()
    .all(|(req, kind)| {
        let got = i32::try_from(minutes(&d.to_date, *kind)).unwrap_or(i32::MAX);
        !behind(*req, got, share)
    })
}

/// In centralized learning this year: centralized or shadowing minutes credited between
/// 1 January and the period's end (集中学习 = 集中培训 + 脱产跟班, annex 2 §四(二)).
fn centralized_learner(d: &DoctorFacts) -> bool {
    minutes(&d.year_to_date, StudyKind::Centralized)
        + minutes(&d.year_to_date, StudyKind::Shadowing)
        > 0
}

fn in_period(input: &StatsInput, day: NaiveDate) -> bool {
    input.period.0 <= day && day <= input.period.1
}

/// Distinct (doctor, exam) sittings in the period that pass `keep`.
fn sittings(
    input: &StatsInput,
    keep: impl Fn(&AttemptFacts) -> bool,
) -> BTreeMap<(i64, i64), &AttemptFacts> {
    let mut out = BTreeMap::new();
    for a in input
        .attempts
        .iter()
        .filter(|a| in_period(input, a.submitted_on))
    {
        if keep(a) {
            out.entry((a.doctor_id, a.exam_id)).or_insert(a);
        }
    }
    out
}

fn enrolled(input: &StatsInput) -> impl Iterator<Item = &DoctorFacts> {
    input.doctors.iter().filter(|d| d.active)
}

/// The rows behind a figure, or `None` for an unknown key.
pub fn rows(input: &StatsInput, key: &str) -> Option<Vec<FigureRow>> {
    let doctor_row = |d: &DoctorFacts, value: i64| FigureRow {
        id: d.id,
        name: d.name.clone(),
        value,
    };
    let names: BTreeMap<i64, &str> = input
        .doctors
        .iter()
        .map(|d| (d.id, d.name.as_str()))
        .collect();
    let sitting_rows = |s: BTreeMap<(i64, i64), &AttemptFacts>| {
        s.into_values()
            .map(|a| FigureRow {
                id: a.doctor_id,
                name: format!(
                    "{}：{}",
                    names.get(&a.doctor_id).copied().unwrap_or_default(),
                    a.exam_title
                ),
                value: a.score.map_or(0, |p| i64::from(p.as_tenths()) / 10),
            })
            .collect::<Vec<_>>()
    };
    Some(match key {
        "doctors_enrolled" => enrolled(input).map(|d| doctor_row(d, 1)).collect(),
        "quota_places" => vec![FigureRow {
            id: i64::from(input.year),
            name: format!("{} 年度名额", input.year),
            value: i64::from(input.quota_places),
        }],
        k if kind_of(k).is_some() => {
            let kind = kind_of(k)?;
            input
                .doctors
                .iter()
                .filter(|d| minutes(&d.in_period, kind) > 0)
                .map(|d| doctor_row(d, minutes(&d.in_period, kind)))
                .collect()
        }
        "doctors_on_pace" => enrolled(input)
            .filter(|d| on_pace(input, d))
            .map(|d| doctor_row(d, 1))
            .collect(),
        "centralized_learners" => enrolled(input)
            .filter(|d| centralized_learner(d))
            .map(|d| {
                let m = minutes(&d.year_to_date, StudyKind::Centralized)
                    + minutes(&d.year_to_date, StudyKind::Shadowing);
                doctor_row(d, m)
            })
            .collect(),
        "sessions_held" | "session_attendance" => input
            .sessions
            .iter()
            .map(|s| FigureRow {
                id: s.id,
                name: format!("{} {}", s.held_on, s.title),
                value: s.attendees,
            })
            .collect(),
        "placements" | "placements_signed_off" => input
            .placements
            .iter()
            .filter(|p| key == "placements" || (p.rotations > 0 && p.signed_off == p.rotations))
            .map(|p| FigureRow {
                id: p.id,
                name: p.doctor_name.clone(),
                value: p.signed_off,
            })
            .collect(),
        "exam_sittings" => sitting_rows(sittings(input, |_| true)),
        "exam_passes" => sitting_rows(sittings(input, |a| a.passed == Some(true))),
        "makeup_sittings" => sitting_rows(sittings(input, |a| a.kind == ExamKind::Makeup)),
        other => {
            let names: BTreeMap<i64, String> =
                enrolled(input).map(|d| (d.id, d.name.clone())).collect();
            let frame = activity::Frame {
                year: input.year,
                period: input.period,
                as_of: input.as_of,
                names: &names,
            };
            return activity::rows(&frame, &input.activity, other);
        }
    })
}

/// The statistics of a filing — each figure the count (or sum) of its [`rows`].
pub fn compute(input: &StatsInput) -> Statistics {
    let enrolled_n = enrolled(input).count() as i64;
    let required = required_share(enrolled_n, input.share);
    let figures = all_figures()
        .map(|(key, label, unit)| {
            let rows = rows(input, key).unwrap_or_default();
            let value = match *key {
                k if kind_of(k).is_some() => rows.iter().map(|r| r.value).sum(),
                "quota_places" | "session_attendance" => rows.iter().map(|r| r.value).sum(),
                _ => rows.len() as i64,
            };
            let (target, met) = if *key == "centralized_learners" {
                (Some(required), Some(value >= required))
            } else {
                (None, None)
            };
            Figure {
                key: (*key).to_owned(),
                label: (*label).to_owned(),
                unit: (*unit).to_owned(),
                value,
                target,
                met,
                link: String::new(),
            }
        })
        .collect();
    let scores = input.with_scores.then(|| scores(input));
    Statistics {
        period_from: input.period.0,
        period_to: input.period.1,
        as_of: input.as_of,
        figures,
        scores,
    }
}

/// Each enrolled trainee's annual comprehensive score: the latest attempt of the year
/// confirmed by the period's end in the assessment area (Weifang §五 / Zaozhuang annex
/// 2); none confirmed → an empty row.
fn scores(input: &StatsInput) -> Vec<ScoreRow> {
    let latest = activity::latest_confirmed(&input.activity, input.year, input.period.1);
    enrolled(input)
        .map(|d| {
            let a = latest.get(&d.id);
            ScoreRow {
                doctor_id: d.id,
                name: d.name.clone(),
                score: a.map(|a| a.score),
                max_score: a.map(|_| Points::whole(100)),
                passed: a.map(|a| a.passed),
                ongoing: a.map(|a| a.ongoing),
                exam: a.and_then(|a| a.exam),
                attempt: a.map(|a| a.attempt),
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
