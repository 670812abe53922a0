//! The doctor's days of shadowing and the rotation's sign-off, both through
//! `crate::study::credit`.

use super::{date, rotation_in};
use crate::access::Caller;
use crate::error::{AppError, AppResult, Problems};
use crate::points::Points;
use crate::shadowing::rules::{self, Relation};
use crate::shadowing::{AssessmentBody, LogBody, store};
use crate::state::AppState;
use crate::study::{Credit, NewRecord, RecordStatus, Source, StudyKind, StudyRecord};
use crate::time;

/// Log a day (the doctor itself): pending until the rotation is signed off.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, rotation = rotation_id))]
pub async fn log_day(
    state: &AppState,
    caller: &Caller,
    rotation_id: i64,
    body: &LogBody,
) -> AppResult<StudyRecord> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (rotation, found) = rotation_in(conn, &caller, rotation_id)?;
            if found.how != Relation::Doctor {
                return Err(AppError::Forbidden("跟班日志由学员本人填写".into()));
            }
            if rotation.signed_off_at.is_some() {
                return Err(AppError::Conflict(
                    "该科室轮转已签字确认，不能再添加日志".into(),
                ));
            }
            let mut p = Problems::new();
            let day = date(&mut p, "occurred_on", &body.occurred_on);
            let start = p.take(
                "start_time",
                rules::parse_time(body.start_time.as_deref().unwrap_or("")),
            );
            let end = p.take(
                "end_time",
                rules::parse_time(body.end_time.as_deref().unwrap_or("")),
            );
            let content = body.content.as_deref().unwrap_or("").trim().to_owned();
            if content.is_empty() || content.chars().count() > 500 {
                p.add("content", "请填写当天跟班学习内容（500 字以内）");
            }
            if let Some(d) = day
                && !rules::within((rotation.starts_on, rotation.ends_on), (d, d))
            {
                p.add(
                    "occurred_on",
                    format!(
                        "日期应在轮转期间（{} 至 {}）内",
                        rotation.starts_on, rotation.ends_on
                    ),
                );
            }
            let logged = match (day, start, end) {
                (Some(d), Some(s), Some(e)) => p
                    .take("end_time", rules::log_interval(d, s, e))
                    .map(|i| (d, s, i)),
                _ => None,
            };
            p.finish()?;
            let Some((day, start, (from, to, minutes))) = logged else {
                return Err(AppError::field("occurred_on", "请填写日期和起止时间"));
            };
            let new = NewRecord {
                doctor_id: found.placement.doctor_id,
                kind: StudyKind::Shadowing,
                minutes,
                occurred_on: day,
                interval: Some((from, to)),
                course_id: None,
                session_id: None,
                rotation_id: Some(rotation_id),
                source: Source::ShadowingLog,
                source_ref: format!("rotation:{rotation_id}:{day}:{}", start.format("%H:%M")),
                status: RecordStatus::Pending,
                evidence: Some(format!("{}：{}", rotation.department, content)),
                unit_score: None,
                created_by: Some(caller.user_id),
            };
            let done = crate::study::credit(
                conn,
                &Credit::lines(vec![new]),
                time::today_cst(),
                time::now(),
            )?;
            let id = done
                .created()
                .first()
                .copied()
                .ok_or_else(|| AppError::Conflict("该学习记录已登记，不能重复".into()))?;
            crate::study::record(conn, id)?.ok_or(AppError::NotFound)
        })
        .await
}

/// An assessment's score (0–100 points) and summary (≤ 1000 characters).
pub(super) fn assessment(body: &AssessmentBody) -> AppResult<(Option<Points>, Option<String>)> {
    let mut p = Problems::new();
    let score = match body.assessment_score {
        None => None,
        Some(s) => p.take("assessment_score", rules::check_score(s)),
    };
    let summary = body
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if summary.as_ref().is_some_and(|s| s.chars().count() > 1000) {
        p.add("summary", "总结不能超过 1000 字");
    }
    p.finish()?;
    Ok((score, summary))
}

/// Sign a rotation off (its supervisor, or an admin): its pending days are credited
/// through `crate::study::credit`, its assessment recorded, in one transaction.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, rotation = rotation_id))]
pub async fn sign(
    state: &AppState,
    caller: &Caller,
    rotation_id: i64,
    body: &AssessmentBody,
) -> AppResult<usize> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (rotation, found) = rotation_in(conn, &caller, rotation_id)?;
            if !rules::may_sign(found.how, rotation.supervisor_id, false) {
                return Err(AppError::Forbidden(
                    "只有该科室的带教老师或管理员可以签字确认".into(),
                ));
            }
            let (score, summary) = assessment(&body)?;
            let actor = caller.actor();
            let now = time::now();
            crate::db::write(conn, |conn| {
                let pending: Vec<i64> = crate::study::records_of_rotation(conn, rotation_id)?
                    .into_iter()
                    .filter(|r| r.status == RecordStatus::Pending)
                    .map(|r| r.id)
                    .collect();
                let credit = Credit::approvals(pending, actor.id, None);
                let done = crate::study::credit(conn, &credit, time::today_cst(), now)?;
                let n = store::mark_signed(
                    conn,
                    rotation_id,
                    score,
                    summary.as_deref(),
                    done.approved,
                    &actor,
                    now,
                )?;
                if n == 0 {
                    return Err(AppError::Conflict("该科室轮转已签字确认".into()));
                }
                Ok(done.approved)
            })
        })
        .await
}
