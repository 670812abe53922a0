//! A filing's life: the county edits, refreshes and submits it; the city accepts or
//! returns it. Each step one transaction, recorded in `report_events` and the audit log.

use chrono::NaiveDateTime;

use super::{facts_of, find_in, to_json, view_in};
use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::reports::rules::{self, Move, plan, stats};
use crate::reports::store;
use crate::reports::views::{ReportView, SubmitView};
use crate::reports::{ReportKind, ReportStatus, ReviewBody, UpdateBody};
use crate::state::AppState;
use crate::time;

/// Longest narrative, in characters.
pub const NARRATIVE_MAX: usize = 20_000;

fn not_editable(status: ReportStatus) -> AppError {
    AppError::Conflict(format!(
        "该报送{}，不能再修改",
        match status {
            ReportStatus::Accepted => "已通过审核",
            _ => "已报送，等待市级审核",
        }
    ))
}

/// `PUT /api/v1/reports/{id}` `{narrative, plan?}`: the county edits a draft or a
/// returned filing (409 otherwise); the statistics are refreshed with it.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: UpdateBody,
) -> AppResult<ReportView> {
    let caller = caller.clone();
    state
        .db(move |conn| edit_in(conn, &caller, id, &body, time::now()))
        .await
}

/// `POST /api/v1/reports/{id}/refresh`: recompute a draft's statistics from the data.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn refresh(state: &AppState, caller: &Caller, id: i64) -> AppResult<ReportView> {
    let caller = caller.clone();
    state
        .db(move |conn| edit_in(conn, &caller, id, &UpdateBody::default(), time::now()))
        .await
}

fn edit_in(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    body: &UpdateBody,
    now: NaiveDateTime,
) -> AppResult<ReportView> {
    let found = find_in(conn, caller, id)?;
    caller.require(&[Role::CountyAdmin])?;
    let r = &found.report;
    let mut p = Problems::new();
    let narrative = body.narrative.as_deref().map(str::trim);
    if narrative.is_some_and(|n| n.chars().count() > NARRATIVE_MAX) {
        p.add("narrative", format!("工作总结不能超过 {NARRATIVE_MAX} 字"));
    }
    let plan = match &body.plan {
        None | Some(serde_json::Value::Null) => None,
        Some(_) if r.kind != ReportKind::AnnualPlan => {
            p.add("plan", "只有年度培训计划可以填写计划内容");
            None
        }
        Some(raw) => match plan::parse(raw) {
            Ok(plan) => Some(to_json(&plan)?),
            Err(problems) => {
                if let Err(AppError::Validation(fields)) = problems.finish() {
                    for f in fields {
                        p.add(f.field, f.message);
                    }
                }
                None
            }
        },
    };
    p.finish()?;
    if !rules::editable(r.status) {
        return Err(not_editable(r.status));
    }
    let input = facts_of(conn, &found, now)?;
    let statistics = to_json(&stats::compute(&input))?;
    if !store::edit(
        conn,
        id,
        r.status,
        narrative,
        plan.as_deref(),
        &statistics,
        &caller.actor(),
        now,
    )? {
        return Err(AppError::Conflict(
            "该报送刚被他人修改，请刷新后重试".into(),
        ));
    }
    let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
    view_in(conn, found)
}

/// `POST /api/v1/reports/{id}/submit` → `{status,submitted_at,late}`.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn submit(state: &AppState, caller: &Caller, id: i64) -> AppResult<SubmitView> {
    let caller = caller.clone();
    state
        .db(move |conn| submit_in(conn, &caller, id, time::now()))
        .await
}

/// Submit at `now`: the statistics are computed once more and frozen; late if `now`'s
/// Beijing date is after the due date. An annual plan must be filled in and meet the
/// ≥ 1/3 centralized rule (422 naming the field).
pub fn submit_in(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<SubmitView> {
    let found = find_in(conn, caller, id)?;
    caller.require(&[Role::CountyAdmin])?;
    let r = &found.report;
    if rules::next(r.status, Move::Submit).is_none() {
        return Err(AppError::Conflict(format!(
            "该报送当前状态为“{}”，不能报送",
            r.status.label()
        )));
    }
    let input = facts_of(conn, &found, now)?;
    let statistics = stats::compute(&input);
    if r.kind == ReportKind::AnnualPlan {
        let Some(raw) = &r.plan else {
            return Err(AppError::field("plan", "请先填写年度培训计划内容"));
        };
        let plan: plan::Plan = serde_json::from_str(raw).map_err(AppError::internal)?;
        let program = crate::program::get(conn, r.program_id)?.ok_or(AppError::NotFound)?;
        let check = plan::check(
            &plan,
            input.quota_places,
            statistics.value("doctors_enrolled").unwrap_or(0),
            program.policy.requirements.centralized_share,
        );
        if !check.centralized_share_met {
            return Err(AppError::field(
                "plan.planned_centralized",
                format!(
                    "集中学习人数应不少于本区县乡村医生的 1/3，即至少 {} 人",
                    check.centralized_required
                ),
            ));
        }
    }
    let late = rules::is_late(r.due_on, now);
    let snapshot = to_json(&statistics)?;
    if !store::submit(conn, id, r.status, &snapshot, late, &caller.actor(), now)? {
        return Err(AppError::Conflict(
            "该报送刚被他人修改，请刷新后重试".into(),
        ));
    }
    Ok(SubmitView {
        id,
        status: ReportStatus::Submitted,
        submitted_at: now,
        late,
    })
}

/// `POST /api/v1/reports/{id}/review` `{decision, comment}`: a city admin over the
/// county accepts or returns a submitted filing (a return needs a comment).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn review(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: ReviewBody,
) -> AppResult<ReportView> {
    caller.require(&[Role::CityAdmin])?;
    let mut p = Problems::new();
    let step = p.take(
        "decision",
        match body.decision.as_deref().map(str::trim) {
            Some("accept") => Ok(Move::Accept),
            Some("return") => Ok(Move::Return),
            _ => Err("审核结论应为 accept（通过）或 return（退回）".to_owned()),
        },
    );
    let comment = body
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        p.add("comment", "审核意见不能超过 2000 字");
    }
    if step == Some(Move::Return) && comment.is_none() {
        p.add("comment", "退回时请填写审核意见");
    }
    p.finish()?;
    let step = step.ok_or_else(|| AppError::field("decision", "审核结论缺失"))?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let found = find_in(conn, &caller, id)?;
            let Some(to) = rules::next(found.report.status, step) else {
                return Err(AppError::Conflict(format!(
                    "该报送当前状态为“{}”，不能审核",
                    found.report.status.label()
                )));
            };
            // The return's email to the county (issue 12 item 5) is queued in the same
            // transaction as the review: no mail for a review that rolls back.
            let now = time::now();
            let reviewed = crate::db::write(conn, |conn| {
                if !store::review(conn, id, to, comment.as_deref(), &caller.actor(), now)? {
                    return Ok(false);
                }
                if to == ReportStatus::Returned {
                    let r = &found.report;
                    crate::notify::filing_returned(
                        conn,
                        &crate::notify::ReturnedFiling {
                            report_id: r.id,
                            county_code: &r.county_code,
                            county_name: &found.county_name,
                            title: &crate::reports::views::title(r.kind, r.year, r.quarter),
                            comment: comment.as_deref().unwrap_or_default(),
                            due_on: r.due_on,
                            reviewed_at: now,
                        },
                        now,
                    )?;
                }
                Ok::<_, AppError>(true)
            })?;
            if !reviewed {
                return Err(AppError::Conflict(
                    "该报送刚被他人处理，请刷新后重试".into(),
                ));
            }
            let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            view_in(conn, found)
        })
        .await
}
