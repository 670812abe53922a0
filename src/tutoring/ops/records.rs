//! Activities (credited through `crate::study::credit`) and monthly evaluations.

use crate::access::{self, Caller, GroupRelation, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::study::{Activity, Credit, CreditError, Source, StudyKind};
use crate::time;
use crate::tutoring::rules::{self, Month};
use crate::tutoring::store;
use crate::tutoring::views::{ActivityView, EvaluationView, MissingItem};
use crate::tutoring::{ActivityBody, EvaluationBody};

use super::{group_set, month_end_utc};

/// The ledger's refusal, each line naming its doctor and the clashing record.
fn refused(e: CreditError) -> AppError {
    match e {
        CreditError::Db(e) => e.into(),
        CreditError::Refused { refusals, .. } => {
            if let Some(c) = refusals.iter().find(|r| r.refusal.conflict) {
                return AppError::Conflict(format!("{}：{}", c.doctor, c.refusal.message));
            }
            AppError::Validation(
                refusals
                    .into_iter()
                    .map(|r| FieldError {
                        field: r.refusal.field.into(),
                        message: format!("{}：{}", r.doctor, r.refusal.message),
                    })
                    .collect(),
            )
        }
    }
}

fn may_write(how: GroupRelation) -> AppResult<()> {
    match how {
        GroupRelation::Admin | GroupRelation::Tutor(_) => Ok(()),
        GroupRelation::Member => Err(AppError::Forbidden(
            "只有带教团队成员或管理员可以登记".into(),
        )),
    }
}

/// Log an activity for a group (a member of its team, or an admin of its region): the
/// attendees must be members of the group; each is credited the activity's minutes as
/// `tutoring` through `crate::study::credit` (no overlaps, 24 h a day), all or nothing.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, group = group_id))]
pub async fn log_activity(
    state: &AppState,
    caller: &Caller,
    group_id: i64,
    body: &ActivityBody,
) -> AppResult<ActivityView> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (group, how) = access::tutoring_group(conn, &caller, group_id)?;
            may_write(how)?;
            let now = time::now();
            let new = rules::check_activity(&body, now)?;
            let members: Vec<i64> = store::history(conn, group_id)?
                .into_iter()
                .filter(|m| m.left_at.is_none())
                .map(|m| m.doctor_id)
                .collect();
            let strangers: Vec<String> = new
                .doctor_ids
                .iter()
                .filter(|d| !members.contains(d))
                .map(i64::to_string)
                .collect();
            if !strangers.is_empty() {
                return Err(AppError::field(
                    "doctor_ids",
                    format!("这些学员不是本小组成员：{}", strangers.join("、")),
                ));
            }
            crate::db::write(conn, |conn| {
                let id = store::insert_activity(conn, group.id, &new, caller.user_id, now)?;
                let activity = Activity {
                    kind: StudyKind::Tutoring,
                    minutes: new.minutes,
                    occurred_on: (new.starts_at + chrono::Duration::hours(8)).date(),
                    interval: Some((new.starts_at, new.ends_at)),
                    session_id: None,
                    source: Source::Tutoring,
                    source_ref: format!("tutoring_activity:{id}"),
                    evidence: Some(format!("{}：{}", new.kind.label(), new.topic)),
                    created_by: Some(caller.user_id),
                };
                crate::study::credit(
                    conn,
                    &Credit::lines(activity.for_doctors(&new.doctor_ids)),
                    time::today_cst(),
                    now,
                )
                .map_err(refused)?;
                let row = store::activity(conn, id)?.ok_or(AppError::NotFound)?;
                let who = store::activities_of(conn, group.id)?
                    .into_iter()
                    .find(|(a, _)| a.id == id)
                    .map(|(_, w)| w)
                    .unwrap_or_default();
                Ok(ActivityView::of(&row, who))
            })
        })
        .await
}

/// Evaluate a group's month (a member of its team, or an admin): once per month (409).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, group = group_id))]
pub async fn evaluate(
    state: &AppState,
    caller: &Caller,
    group_id: i64,
    body: &EvaluationBody,
) -> AppResult<EvaluationView> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (group, how) = access::tutoring_group(conn, &caller, group_id)?;
            may_write(how)?;
            let new = rules::check_evaluation(&body, Month::of(time::today_cst()))?;
            let instructor = match how {
                GroupRelation::Tutor(i) => Some(i),
                _ => None,
            };
            crate::db::write(conn, |conn| {
                if store::evaluation_exists(conn, group.id, new.month)? {
                    return Err(AppError::Conflict(format!(
                        "该小组 {} 的评估已登记",
                        new.month.label()
                    )));
                }
                let e = store::insert_evaluation(
                    conn,
                    group.id,
                    &new,
                    instructor,
                    caller.user_id,
                    time::now(),
                )?;
                Ok(EvaluationView::from(&e))
            })
        })
        .await
}

/// The groups (of the caller's reach, in `region`) formed by the end of `month` without
/// an evaluation for it; staff only.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn missing(
    state: &AppState,
    caller: &Caller,
    month: Option<String>,
    region: Option<String>,
) -> AppResult<(Month, Vec<MissingItem>)> {
    caller.require(&[
        Role::Instructor,
        Role::CountyAdmin,
        Role::CityAdmin,
        Role::Sysadmin,
    ])?;
    let month = match month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => Month::of(time::today_cst()).previous(),
        Some(m) => Month::parse(m).map_err(|e| AppError::field("month", e))?,
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let set = group_set(conn, &caller, region.as_deref())?;
            let groups = store::missing_evaluation(conn, &set, month, month_end_utc(month))?;
            Ok::<_, AppError>((
                month,
                groups
                    .into_iter()
                    .map(|g| MissingItem {
                        group_id: g.id,
                        name: g.name,
                        region_code: g.region_code,
                    })
                    .collect(),
            ))
        })
        .await
}
