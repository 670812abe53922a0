//! Setting an exam (出题): a new exam's terms checked as sent, the make-up window, who
//! sees an exam, and the manager's corrections — withdrawing an exam created by mistake,
//! closing one early (issue 13).

use chrono::{Datelike, NaiveDateTime};

use super::sitting::ExamTerms;
use crate::error::FieldError;
use crate::exams::{Blueprint, ExamBody, ExamKind, ExamStatus, Points, XScoring};
use crate::regions::Scope;

/// A new exam's terms, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamSpec {
    pub title: String,
    pub kind: ExamKind,
    pub program_id: i64,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub pass_score: Points,
    pub attempts_allowed: i32,
    pub x_scoring: XScoring,
    pub shuffle_options: bool,
    pub blueprint: Blueprint,
    pub makeup_of: Option<i64>,
    pub cohort_year: Option<i32>,
    /// The training year: as sent, else the Beijing year the window opens in.
    pub year: i32,
}

fn problem(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// A new exam's own terms (API.md "Exams"): title 1–100 characters; kind; a window that
/// closes after it opens; 1–600 minutes; 1–10 attempts; a pass score with at most one
/// decimal, not above the paper's maximum; the blueprint ([`super::parse_blueprint`]);
/// `makeup_of` exactly for make-ups. Every bad field is named.
pub fn check_exam(body: &ExamBody) -> Result<ExamSpec, Vec<FieldError>> {
    let title = body.title.as_deref().unwrap_or("").trim().to_owned();
    let title = if title.is_empty() || title.chars().count() > 100 {
        Err(problem("title", "考试名称为必填，不超过 100 字"))
    } else {
        Ok(title)
    };
    let kind = ExamKind::parse(body.kind.as_deref().unwrap_or(""))
        .ok_or_else(|| problem("kind", "考试类型应为 unit、annual、completion 或 makeup"));
    let program_id = body.program_id.ok_or_else(|| problem("program_id", "必填"));
    let instant = |field: &str, raw: &Option<String>| {
        crate::time::parse_instant(raw.as_deref().unwrap_or("")).map_err(|m| problem(field, m))
    };
    let opens_at = instant("opens_at", &body.opens_at);
    let closes_at = instant("closes_at", &body.closes_at).and_then(|c| match &opens_at {
        Ok(o) if c <= *o => Err(problem("closes_at", "结束时间应晚于开始时间")),
        _ => Ok(c),
    });
    let duration = body
        .duration_minutes
        .filter(|d| (1..=600).contains(d))
        .map(|d| d as i32)
        .ok_or_else(|| problem("duration_minutes", "考试时长应为 1–600 分钟"));
    let attempts_allowed = Some(body.attempts_allowed.unwrap_or(1))
        .filter(|a| (1..=10).contains(a))
        .map(|a| a as i32)
        .ok_or_else(|| problem("attempts_allowed", "允许作答次数应为 1–10"));
    let x_scoring = XScoring::parse(body.x_scoring.as_deref().unwrap_or("all_or_nothing"))
        .ok_or_else(|| problem("x_scoring", "多选题计分应为 all_or_nothing 或 partial"));
    let blueprint = super::parse_blueprint(body.blueprint.as_ref());
    let pass_score = body
        .pass_score
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| "及格分为必填，不小于 0".to_owned())
        .and_then(Points::from_f64)
        .map_err(|m| problem("pass_score", m))
        .and_then(|s| match &blueprint {
            Ok(b) if s > b.max_score() => Err(problem(
                "pass_score",
                format!("及格分 {s} 超过试卷总分 {}", b.max_score()),
            )),
            _ => Ok(s),
        });
    let makeup_of = match (&kind, body.makeup_of) {
        (Ok(ExamKind::Makeup), None) => Err(problem(
            "makeup_of",
            "补考须指定所补的结业考核（makeup_of）",
        )),
        (Ok(k), Some(_)) if *k != ExamKind::Makeup => {
            Err(problem("makeup_of", "只有补考（makeup）指定所补的结业考核"))
        }
        (_, m) => Ok(m),
    };
    match (
        title,
        kind,
        program_id,
        opens_at,
        closes_at,
        duration,
        attempts_allowed,
        x_scoring,
        blueprint,
        pass_score,
        makeup_of,
    ) {
        (
            Ok(title),
            Ok(kind),
            Ok(program_id),
            Ok(opens_at),
            Ok(closes_at),
            Ok(duration_minutes),
            Ok(attempts_allowed),
            Ok(x_scoring),
            Ok(blueprint),
            Ok(pass_score),
            Ok(makeup_of),
        ) => Ok(ExamSpec {
            title,
            kind,
            program_id,
            opens_at,
            closes_at,
            duration_minutes,
            pass_score,
            attempts_allowed,
            x_scoring,
            shuffle_options: body.shuffle_options.unwrap_or(true),
            blueprint,
            makeup_of,
            cohort_year: body.cohort_year,
            year: body
                .year
                .unwrap_or_else(|| (opens_at + chrono::Duration::hours(8)).year()),
        }),
        (t, k, p, o, c, d, a, x, b, s, m) => {
            let mut errors: Vec<FieldError> = [
                t.err(),
                k.err(),
                p.err(),
                o.err(),
                c.err(),
                d.err(),
                a.err(),
                x.err(),
            ]
            .into_iter()
            .flatten()
            .collect();
            errors.extend(b.err().into_iter().flatten());
            errors.extend([s.err(), m.err()].into_iter().flatten());
            Err(errors)
        }
    }
}

/// The last moment a make-up exam may close: `months` after the completion exam closed
/// (补考在结业考核后 3 个月内 — Zaozhuang annex 2 §5).
pub fn makeup_limit(original_closes_at: NaiveDateTime, months: u32) -> NaiveDateTime {
    original_closes_at
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(original_closes_at)
}

/// Who is looking at an exam.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    /// A doctor: its program, region and cohort.
    Doctor {
        program_id: i64,
        region_path: &'a str,
        cohort_year: i32,
    },
    /// Bureau staff: the subtree it sees and its own region.
    Staff {
        scope: &'a Scope,
        region_path: &'a str,
    },
}

/// Is the exam within the viewer's reach? Doctors: an active exam of their program, set
/// for their region or above, for their cohort or all. Staff: set in their subtree or
/// above it (a city's exam is sat by a county's doctors), withdrawn or not.
pub fn exam_visible(viewer: Viewer<'_>, exam: &ExamTerms) -> bool {
    match viewer {
        Viewer::Doctor {
            program_id,
            region_path,
            cohort_year,
        } => {
            exam.status == ExamStatus::Active
                && program_id == exam.program_id
                && region_path.starts_with(&exam.region_path)
                && exam.cohort_year.is_none_or(|y| y == cohort_year)
        }
        Viewer::Staff { scope, region_path } => {
            scope.contains_path(&exam.region_path) || region_path.starts_with(&exam.region_path)
        }
    }
}

/// May staff correct (withdraw, close) an exam? Only one set within their own subtree:
/// a county sees its city's exams but does not manage them.
pub fn may_manage(scope: &Scope, exam: &ExamTerms) -> bool {
    scope.contains_path(&exam.region_path)
}

/// Why a correction is refused (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManageRefusal {
    AlreadyWithdrawn,
    /// Someone has sat it: it can only be closed early.
    HasAttempts {
        count: i64,
    },
    /// Not open yet: nobody can have sat it, so it is withdrawn instead.
    NotYetOpen,
    AlreadyClosed,
}

impl ManageRefusal {
    /// What the manager is told (409).
    pub fn message(self) -> String {
        match self {
            ManageRefusal::AlreadyWithdrawn => "考试已撤回".into(),
            ManageRefusal::HasAttempts { count } => {
                format!("已有 {count} 人次作答，不能撤回；如需停止考试，请提前结束")
            }
            ManageRefusal::NotYetOpen => "考试尚未开始，无需提前结束；如属误建，请撤回".into(),
            ManageRefusal::AlreadyClosed => "考试已经结束".into(),
        }
    }
}

/// Withdrawing (issue 13): an active exam nobody has started.
pub fn check_withdraw(exam: &ExamTerms, attempts: i64) -> Result<(), ManageRefusal> {
    if exam.status == ExamStatus::Withdrawn {
        Err(ManageRefusal::AlreadyWithdrawn)
    } else if attempts > 0 {
        Err(ManageRefusal::HasAttempts { count: attempts })
    } else {
        Ok(())
    }
}

/// Closing early (issue 13): an active exam whose window is open closes now; attempts
/// still open are then due now too (the deadline job grades them).
pub fn close_now(exam: &ExamTerms, now: NaiveDateTime) -> Result<NaiveDateTime, ManageRefusal> {
    if exam.status == ExamStatus::Withdrawn {
        Err(ManageRefusal::AlreadyWithdrawn)
    } else if now <= exam.opens_at {
        Err(ManageRefusal::NotYetOpen)
    } else if now >= exam.closes_at {
        Err(ManageRefusal::AlreadyClosed)
    } else {
        Ok(now)
    }
}

#[cfg(test)]
#[path = "setting_tests.rs"]
mod tests;
