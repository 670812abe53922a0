//! A doctor's assessment, computed: the facts read once ([`Loaded::read`]), then each
//! year's ongoing and annual scores and the completion status from the rules. A year
//! the county has confirmed shows its stored (locked) scores.

use chrono::NaiveDate;

use crate::assessment::rules::{self, CompletionFacts, YearFacts, ongoing::yearly};
use crate::assessment::store::{self, facts::ExamResult};
use crate::assessment::views::{AnnualView, CompletionView, OngoingView, YearDetail};
use crate::assessment::{AnnualRow, CompletionRow, CompletionStatus};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::exams::ExamKind;
use crate::points::Points;
use crate::program::Policy;
use crate::study::Progress;

/// Everything a doctor's assessment is computed from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doctor_id: i64,
    pub program_id: i64,
    pub policy: Policy,
    pub years: std::ops::RangeInclusive<i32>,
    pub progress: Progress,
    pub entries: Vec<crate::study::rules::Entry>,
    pub exams: Vec<ExamResult>,
    pub attempts: Vec<AnnualRow>,
    pub completion: Option<CompletionRow>,
    /// Single-skill exam results per year, percent (`crate::skills::standing`).
    pub single_skills: std::collections::BTreeMap<i32, Vec<Points>>,
    /// The latest completion or make-up skills exam: passed or not, `None` not sat
    /// (same source).
    pub skills_passed: Option<bool>,
}

/// A year, computed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct YearResult {
    pub year: i32,
    pub ongoing: OngoingView,
    pub annual: AnnualView,
    pub detail: YearDetail,
}

impl Loaded {
    pub fn read(conn: &mut AnyConnection, doctor_id: i64, program_id: i64) -> AppResult<Loaded> {
        let (policy, years) =
            crate::program::policy(conn, program_id)?.ok_or(AppError::NotFound)?;
        let progress = crate::study::compute_progress(conn, doctor_id, program_id)?;
        let entries = crate::study::ledger_entries(conn, doctor_id)?;
        let exams = store::facts::exam_results(conn, doctor_id, program_id)?;
        let attempts: Vec<AnnualRow> = store::annual::of_doctor(conn, doctor_id)?
            .into_iter()
            .filter(|a| a.program_id == program_id)
            .collect();
        let completion = store::completions::get(conn, doctor_id, program_id)?;
        // The skills exams: single-skill results per year (平时考核), the latest
        // completion or make-up skills exam (结业考核's practical half).
        let mut single_skills = std::collections::BTreeMap::new();
        let mut skills_passed = None;
        for year in years.clone() {
            let standing = crate::skills::standing(conn, doctor_id, program_id, year)?;
            if !standing.single.is_empty() {
                single_skills.insert(year, standing.single);
            }
            if let Some(outcome) = standing.completion {
                skills_passed = Some(outcome.passed);
            }
        }
        Ok(Loaded {
            doctor_id,
            program_id,
            policy,
            years,
            progress,
            entries,
            exams,
            attempts,
            completion,
            single_skills,
            skills_passed,
        })
    }

    fn n_years(&self) -> i32 {
        (*self.years.end() - *self.years.start() + 1).max(1)
    }

    /// The newest attempt of a year.
    pub fn latest(&self, year: i32) -> Option<&AnnualRow> {
        self.attempts
            .iter()
            .filter(|a| a.year == year)
            .max_by_key(|a| a.attempt)
    }

    /// The year's facts of the ongoing assessment, with the rating of its open attempt.
    pub fn year_facts(&self, year: i32) -> YearFacts {
        let req = &self.policy.requirements;
        let n = self.n_years();
        let y = self.progress.annual.iter().find(|p| p.year == year);
        let (active_days, platform_units) = rules::ongoing::year_activity(&self.entries, year);
        let mut unit_scores = platform_units;
        unit_scores.extend(
            self.exams
                .iter()
                .filter(|e| e.kind == ExamKind::Unit && e.year == year)
                .map(|e| rules::percent(e.score, e.max_score)),
        );
        let online_target = yearly(req.online_minutes, n);
        YearFacts {
            online_minutes: y.map_or(0, |y| y.online_minutes),
            online_target,
            active_days,
            active_days_target: rules::ongoing::active_days_target(online_target),
            unit_scores,
            centralized_minutes: y.map_or(0, |y| y.centralized_minutes),
            centralized_target: yearly(req.centralized_minutes, n),
            single_skills: self.single_skills.get(&year).cloned().unwrap_or_default(),
            rating: self.latest(year).and_then(|a| a.rating),
        }
    }

    /// The year's annual exam: the best result, percent of full marks.
    pub fn annual_exam(&self, year: i32) -> Option<Points> {
        self.exams
            .iter()
            .filter(|e| e.kind == ExamKind::Annual && e.year == year)
            .map(|e| rules::percent(e.score, e.max_score))
            .max()
    }

    /// A year: the stored scores once confirmed (the newest attempt locked), else live.
    pub fn year(&self, year: i32) -> YearResult {
        let req = &self.policy.requirements;
        let f = self.year_facts(year);
        let latest = self.latest(year);
        let detail = detail(&f);
        if let Some(row) = latest.filter(|a| a.confirmed_at.is_some()) {
            return YearResult {
                year,
                ongoing: OngoingView {
                    online: row.online,
                    offline: row.offline,
                    score: row.ongoing,
                },
                annual: AnnualView {
                    score: row.score,
                    passed: row.passed,
                    exam: row.exam,
                    confirmed: true,
                    attempt: row.attempt,
                    rating: row.rating,
                },
                detail,
            };
        }
        let o = rules::ongoing(&f, &req.weights);
        let exam = self.annual_exam(year);
        let score = rules::annual_score(&o, exam, &req.weights);
        YearResult {
            year,
            ongoing: OngoingView {
                online: o.online,
                offline: o.offline,
                score: o.score,
            },
            annual: AnnualView {
                score,
                passed: rules::annual_passed(score, req.annual_pass_score),
                exam,
                confirmed: false,
                attempt: latest.map_or(1, |a| a.attempt),
                rating: f.rating,
            },
            detail,
        }
    }

    /// The completion facts: hours from the ledger, the theory half from the completion
    /// and make-up exams, the skills half from the skills exams.
    pub fn completion_facts(&self) -> CompletionFacts {
        let theory: Vec<bool> = self
            .exams
            .iter()
            .filter(|e| matches!(e.kind, ExamKind::Completion | ExamKind::Makeup))
            .map(|e| e.passed)
            .collect();
        let theory = if theory.is_empty() {
            None
        } else {
            Some(theory.iter().any(|p| *p))
        };
        let ends = self.progress.completion.program_ends_on;
        CompletionFacts {
            hours_met: self.progress.completion.hours_met,
            theory,
            skills: self.skills_passed,
            training_ends: ends,
            makeup_deadline: ends.and_then(|e| {
                rules::makeup_deadline(e, self.policy.requirements.makeup_window_months)
            }),
        }
    }

    /// The completion status on `today`: the stored one moved toward what the facts
    /// call for, along the allowed paths only.
    pub fn completion_status(&self, today: NaiveDate) -> (CompletionStatus, CompletionFacts) {
        let f = self.completion_facts();
        let current = self
            .completion
            .as_ref()
            .map_or(CompletionStatus::InProgress, |c| c.status);
        (rules::advance(current, rules::target(&f, today)), f)
    }

    pub fn completion_view(&self, today: NaiveDate) -> CompletionView {
        let (status, f) = self.completion_status(today);
        let needs = if status == CompletionStatus::Makeup {
            rules::makeup_needs(&f).into_iter().map(need_code).collect()
        } else {
            Vec::new()
        };
        CompletionView {
            theory: f.theory,
            skills: f.skills,
            hours_met: f.hours_met,
            status,
            status_label: status.label(),
            makeup_deadline: matches!(status, CompletionStatus::Makeup | CompletionStatus::Failed)
                .then_some(f.makeup_deadline)
                .flatten(),
            makeup_needs: needs,
        }
    }
}

/// The API code of a make-up need.
pub fn need_code(n: rules::MakeupNeed) -> &'static str {
    match n {
        rules::MakeupNeed::Study => "study",
        rules::MakeupNeed::TheoryExam => "theory_exam",
        rules::MakeupNeed::SkillsExam => "skills_exam",
    }
}

/// What counted, and what is missing, in Chinese.
fn detail(f: &YearFacts) -> YearDetail {
    let mut missing = Vec::new();
    if f.online_minutes < f.online_target {
        missing.push(format!(
            "线上学习还差 {} 分钟",
            f.online_target - f.online_minutes
        ));
    }
    if f.active_days < f.active_days_target {
        missing.push(format!(
            "线上学习活跃天数还差 {} 天",
            f.active_days_target - f.active_days
        ));
    }
    if f.unit_scores.is_empty() {
        missing.push("本年度尚无单元测试成绩".into());
    }
    if f.centralized_minutes < f.centralized_target {
        missing.push(format!(
            "集中培训出勤还差 {} 分钟",
            f.centralized_target - f.centralized_minutes
        ));
    }
    if f.single_skills.is_empty() {
        missing.push("本年度尚无单项技能考核成绩".into());
    }
    if f.rating.is_none() {
        missing.push("县级尚未评定学习态度及综合职业能力".into());
    }
    YearDetail {
        online_minutes: f.online_minutes,
        online_target: f.online_target,
        active_days: f.active_days,
        active_days_target: f.active_days_target,
        unit_average: rules::ongoing::mean(&f.unit_scores).map(|t| Points::tenths(t as i32)),
        centralized_minutes: f.centralized_minutes,
        centralized_target: f.centralized_target,
        single_skills_average: rules::ongoing::mean(&f.single_skills)
            .map(|t| Points::tenths(t as i32)),
        missing,
    }
}
