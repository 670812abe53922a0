//! The daily planner: which reminders fall due today, queued once each (the dedup key
//! names the event, the stage and the recipient). Run by `serve` every hour and by
//! `cunyi remind [--dry-run] [--date]`.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::enqueue;
use crate::audit::{self, Actor, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::notify::store::facts::{self, Recipient};
use crate::notify::{Mail, Params, Template, rules, store};
use crate::program::rules::{DueKind, calendar};
use crate::regions::Scope;
use crate::reports::{ReportKind, ReportStatus};

/// A reminder the planner found due, and whether it was queued before.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub dedup_key: String,
    pub template: Template,
    pub user_id: Option<i64>,
    pub recipient: String,
    /// Already in the outbox (queued by an earlier run): not queued again.
    pub already_queued: bool,
}

/// What one run found and did.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub date: NaiveDate,
    pub dry_run: bool,
    pub due: Vec<Planned>,
    /// Mails queued by this run (0 on a dry run).
    pub queued: usize,
}

/// Find the reminders due on `today` and, unless `dry_run`, queue the new ones in one
/// transaction with an audit entry (`notify.planned`) when any was queued.
pub fn plan(
    conn: &mut AnyConnection,
    today: NaiveDate,
    now: NaiveDateTime,
    dry_run: bool,
    actor: &Actor,
) -> AppResult<PlanReport> {
    let mails = due_mails(conn, today, now)?;
    let keys: Vec<String> = mails.iter().map(|m| m.dedup_key.clone()).collect();
    let existing: BTreeSet<String> = store::existing_keys(conn, &keys)?.into_iter().collect();
    let due: Vec<Planned> = mails
        .iter()
        .map(|m| Planned {
            dedup_key: m.dedup_key.clone(),
            template: m.template,
            user_id: m.user_id,
            recipient: m.recipient.clone(),
            already_queued: existing.contains(&m.dedup_key),
        })
        .collect();
    let mut queued = 0;
    if !dry_run {
        queued = db::write(conn, |conn| {
            let mut n = 0;
            for mail in mails.iter().filter(|m| !existing.contains(&m.dedup_key)) {
                if enqueue(conn, mail, now)? {
                    n += 1;
                }
            }
            if n > 0 {
                audit::record(
                    conn,
                    actor,
                    &Entry::new("notify.planned")
                        .detail(serde_json::json!({ "date": today, "queued": n })),
                    now,
                )?;
            }
            Ok::<_, AppError>(n)
        })?;
    }
    Ok(PlanReport {
        date: today,
        dry_run,
        due,
        queued,
    })
}

/// Every reminder due on `today`, in a stable order.
pub fn due_mails(
    conn: &mut AnyConnection,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<Vec<Mail>> {
    let mut out = filing_mails(conn, today)?;
    out.extend(exam_mails(conn, today, now)?);
    out.extend(makeup_mails(conn, today)?);
    Ok(out)
}

fn report_kind(due: DueKind) -> Option<ReportKind> {
    match due {
        DueKind::AnnualPlan => Some(ReportKind::AnnualPlan),
        DueKind::QuarterlySummary => Some(ReportKind::QuarterlySummary),
        DueKind::AnnualSummary => Some(ReportKind::AnnualSummary),
        DueKind::AnnualScores => Some(ReportKind::AnnualScores),
        DueKind::TrainingDone => None,
    }
}

fn title(kind: ReportKind, year: i32, quarter: Option<i32>) -> String {
    match quarter {
        Some(q) => format!("{year} 年第 {q} 季度{}", kind.label()),
        None => format!("{year} 年{}", kind.label()),
    }
}

/// County admins, 7 days and 1 day before each filing falls due, while it is not
/// submitted or accepted (a draft, a returned one, or none yet).
fn filing_mails(conn: &mut AnyConnection, today: NaiveDate) -> AppResult<Vec<Mail>> {
    let mut out = Vec::new();
    let years: BTreeSet<i32> = [today.year(), (today + Duration::days(7)).year()].into();
    for county in crate::regions::counties_in(conn, &Scope::new("", "/"))? {
        let admins = facts::county_admins(conn, &county.code)?;
        if admins.is_empty() {
            continue;
        }
        for &year in &years {
            let Some(program) = crate::program::covering(conn, &county, year)? else {
                continue;
            };
            let filed = facts::filings(conn, &county.code, year)?;
            for due in calendar(&program.policy.deadlines, year, year) {
                let Some(kind) = report_kind(due.kind) else {
                    continue;
                };
                let Some(stage) = rules::filing_stage(due.due, today) else {
                    continue;
                };
                let quarter = due.quarter.map(i32::from);
                let status = filed
                    .iter()
                    .find(|f| f.kind == kind && f.quarter == quarter)
                    .map(|f| f.status);
                if matches!(
                    status,
                    Some(ReportStatus::Submitted | ReportStatus::Accepted)
                ) {
                    continue;
                }
                for admin in &admins {
                    let mut params = Params::new();
                    params.insert("name", admin.name.clone());
                    params.insert("county", county.name.clone());
                    params.insert("title", title(kind, year, quarter));
                    params.insert("due_on", due.due.to_string());
                    params.insert("days", rules::days_left(due.due, today).to_string());
                    params.insert(
                        "status",
                        status.map_or("尚未创建", ReportStatus::label).to_owned(),
                    );
                    out.push(mail(
                        format!(
                            "filing_due:{}:{kind}:{year}:{}:{stage}:{}",
                            county.code,
                            quarter.unwrap_or(0),
                            admin.user_id
                        ),
                        Template::FilingDue,
                        admin,
                        params,
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Doctors, from 3 days before an exam opens: its candidates with an email address.
fn exam_mails(
    conn: &mut AnyConnection,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<Vec<Mail>> {
    let mut out = Vec::new();
    let horizon = now + Duration::days(rules::EXAM_LEAD_DAYS + 1);
    for exam in facts::exams_opening(conn, now, horizon)? {
        let opens_on = crate::time::display_cst(exam.opens_at);
        let opens_day = exam
            .opens_at
            .and_utc()
            .with_timezone(&crate::time::cst())
            .date_naive();
        if !rules::exam_due(opens_day, exam.opens_at, today, now) {
            continue;
        }
        for doctor in facts::exam_candidates(conn, &exam)? {
            let mut params = Params::new();
            params.insert("name", doctor.name.clone());
            params.insert("exam", exam.title.clone());
            params.insert("kind", exam.kind.label().to_owned());
            params.insert("opens_at", opens_on.clone());
            params.insert("closes_at", crate::time::display_cst(exam.closes_at));
            params.insert("duration", exam.duration_minutes.to_string());
            out.push(mail(
                format!("exam_soon:{}:{}", exam.id, doctor.user_id),
                Template::ExamSoon,
                &doctor,
                params,
            ));
        }
    }
    Ok(out)
}

/// Doctors in a make-up, two weeks and three days before its deadline.
fn makeup_mails(conn: &mut AnyConnection, today: NaiveDate) -> AppResult<Vec<Mail>> {
    let mut out = Vec::new();
    for (doctor, deadline) in facts::makeups(conn, today, today + Duration::days(14))? {
        let Some(stage) = rules::makeup_stage(deadline, today) else {
            continue;
        };
        let mut params = Params::new();
        params.insert("name", doctor.name.clone());
        params.insert("deadline", deadline.to_string());
        params.insert("days", rules::days_left(deadline, today).to_string());
        out.push(mail(
            format!("makeup_deadline:{deadline}:{stage}:{}", doctor.user_id),
            Template::MakeupDeadline,
            &doctor,
            params,
        ));
    }
    Ok(out)
}

fn mail(dedup_key: String, template: Template, to: &Recipient, params: Params) -> Mail {
    Mail {
        dedup_key,
        template,
        user_id: Some(to.user_id),
        recipient: to.email.clone(),
        params,
    }
}
