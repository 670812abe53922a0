//! The approval queue: pending self-reports a reviewer may decide, paged in SQL with
//! the true total (no cap), searchable by doctor or village, newest first by default;
//! and a bulk approval — one transaction, every record audited, all or nothing.

use serde::Deserialize;

use crate::access::{self, Caller, Role};
use crate::audit::Entry;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::regions::Scope;
use crate::state::AppState;
use crate::study::ops::credit::CreditError;
use crate::study::rules::{queue, records};
use crate::study::store::{self, records::PendingRow, records::QueueFilter};
use crate::study::{Credit, RecordStatus};
use crate::time;

/// `?q=&order=newest|oldest&page=&per_page=` as given.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// 村医姓名或所在地区名称（部分匹配）
    pub q: Option<String>,
    /// newest（最新在前）或 oldest（最早在前）
    pub order: Option<String>,
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: PageParams,
}

/// A pending record with its doctor, whether a photo is attached.
#[derive(Debug, Clone)]
pub struct Pending {
    pub row: PendingRow,
    pub has_photo: bool,
}

/// The queue's request, checked.
#[derive(Debug, Clone)]
pub struct Asked {
    pub search: Option<String>,
    pub oldest_first: bool,
    pub paging: Paging,
}

/// Check a queue request (422 naming the fields). `default_oldest`: the API keeps its
/// historical oldest-first order; the page shows the newest first.
pub fn ask(q: &QueueQuery, default_oldest: bool) -> AppResult<Asked> {
    let mut p = Problems::new();
    let paging = Paging::parse(&q.paging, &mut p);
    let search = p.take("q", queue::search(q.q.as_deref()));
    let oldest = p.take(
        "order",
        queue::oldest_first(q.order.as_deref(), default_oldest),
    );
    p.finish()?;
    Ok(Asked {
        search: search.flatten(),
        oldest_first: oldest.unwrap_or(default_oldest),
        paging,
    })
}

fn require_reviewer(caller: &Caller) -> AppResult<()> {
    if records::reviews(caller.role()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "只有区县、市级管理员和带教老师审核学习记录".into(),
        ))
    }
}

/// Whose records a reviewer sees: an admin its region's, an instructor its doctors'.
fn reviewer_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
) -> AppResult<(Scope, Option<Vec<i64>>)> {
    Ok(match (caller.role(), caller.instructor_id) {
        (Role::Instructor, Some(i)) => {
            (Scope::new("", "/"), Some(access::taught_doctors(conn, i)?))
        }
        (Role::Instructor, None) => (Scope::new("", "/"), Some(Vec::new())),
        _ => (caller.scope(), None),
    })
}

/// One page of the queue with its true total.
#[tracing::instrument(skip(state, caller, asked), fields(caller = caller.user_id, page = asked.paging.page))]
pub async fn page(state: &AppState, caller: &Caller, asked: Asked) -> AppResult<ListPage<Pending>> {
    require_reviewer(caller)?;
    let caller = caller.clone();
    let paging = asked.paging;
    let (items, total) = state
        .db(move |conn| {
            let (scope, only) = reviewer_scope(conn, &caller)?;
            let filter = QueueFilter {
                search: asked.search,
                oldest_first: asked.oldest_first,
                offset: paging.offset(),
                limit: paging.per_page,
            };
            let (rows, total) =
                store::records::pending_page(conn, &scope, only.as_deref(), &filter)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.record.id).collect();
            let with_photo = store::records::with_evidence(conn, &ids)?;
            let items = rows
                .into_iter()
                .map(|row| Pending {
                    has_photo: with_photo.contains(&row.record.id),
                    row,
                })
                .collect::<Vec<_>>();
            Ok::<_, AppError>((items, total))
        })
        .await?;
    Ok(ListPage::new(items, total, paging))
}

/// Approve several pending records at once: every one must be visible to the caller
/// (else 404, nothing approved), still pending and accepted by the ledger (else 409 /
/// 422 naming the record's doctor, nothing approved); each approval is audited.
/// Returns how many were approved.
#[tracing::instrument(skip(state, caller, ids, note), fields(caller = caller.user_id, count = ids.len()))]
pub async fn approve_many(
    state: &AppState,
    caller: &Caller,
    ids: Vec<i64>,
    note: Option<String>,
) -> AppResult<usize> {
    if let Err(e) = require_reviewer(caller) {
        let entry = Entry::new("access.denied")
            .target("study_record:bulk")
            .detail(serde_json::json!({ "attempt": "study.review.bulk", "status": 403 }));
        state.audit(caller.actor(), entry).await;
        return Err(e);
    }
    let note = records::review_note(note.as_deref()).map_err(|m| AppError::field("note", m))?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let mut found = Vec::with_capacity(ids.len());
            for id in &ids {
                let record = store::records::get(conn, *id)?.ok_or(AppError::NotFound)?;
                access::doctor(conn, &caller, record.doctor_id)?;
                found.push(record);
            }
            let actor = caller.actor();
            let now = time::now();
            crate::db::write(conn, |conn| {
                let credit = Credit::approvals(ids.clone(), Some(caller.user_id), note.clone());
                let done = crate::study::credit(conn, &credit, time::today_cst(), now)
                    .map_err(|e| bulk_refusal(e, &found))?;
                for record in &found {
                    store::records::audit_review(conn, record, true, &actor, now)?;
                }
                Ok::<_, AppError>(done.approved)
            })
        })
        .await
}

/// A refused batch, told as which record (by its doctor and date) stopped it.
fn bulk_refusal(e: CreditError, found: &[crate::study::StudyRecord]) -> AppError {
    let CreditError::Refused { refusals, .. } = &e else {
        return e.into();
    };
    let Some(first) = refusals.first() else {
        return e.into();
    };
    let which = found
        .get(first.line)
        .map(|r| format!("{} {} 的记录", first.doctor, r.occurred_on))
        .unwrap_or_else(|| first.doctor.clone());
    let message = format!(
        "{which}：{}。本次没有认定任何记录，请取消勾选后重试",
        first.refusal.message
    );
    if first.refusal.conflict || found.iter().any(|r| r.status != RecordStatus::Pending) {
        AppError::Conflict(message)
    } else {
        AppError::field("ids", message)
    }
}
