//! Use cases on single records: reporting study, reading, the review queue, approving
//! or rejecting, evidence photos.

use rand::RngCore;

use crate::access::{self, Caller, Role};
use crate::audit::Entry;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::roster::DoctorRecord;
use crate::state::AppState;
use crate::study::rules::records;
use crate::study::store;
use crate::study::{Credit, NewRecord, RecordBody, RecordStatus, StudyKind, StudyRecord};
use crate::time;

/// Record study: a doctor's own report is pending; an admin's entry, or an instructor's
/// tutoring, is approved at once (the author is the evidence). Written by
/// [`crate::study::credit`].
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, doctor = body.doctor_id))]
pub async fn record(
    state: &AppState,
    caller: &Caller,
    body: &RecordBody,
) -> AppResult<StudyRecord> {
    let mut p = Problems::new();
    let report = records::check_report(body, &mut p);
    p.finish()?;
    let report = report.ok_or_else(|| AppError::field("body", "学习记录不完整"))?;
    let (source, status) = records::recorded_as(caller.role(), report.kind)
        .map_err(|e| AppError::Forbidden(e.0.into()))?;
    let mut token = [0u8; 8];
    rand::rng().fill_bytes(&mut token);
    let caller = caller.clone();
    state
        .db(move |conn| {
            let doctor = access::doctor(conn, &caller, report.doctor_id)?;
            let course = match &report.course_code {
                None => None,
                Some(_) if report.kind != StudyKind::Online => {
                    return Err(AppError::field("course_code", "只有线上自学可以指定课程"));
                }
                Some(code) => Some(
                    store::progress::courses_of(conn, doctor.doctor.program_id)?
                        .into_iter()
                        .find(|c| &c.code == code)
                        .ok_or_else(|| {
                            AppError::field("course_code", format!("培训项目目录中没有课程 {code}"))
                        })?,
                ),
            };
            let new = NewRecord {
                doctor_id: doctor.doctor.id,
                kind: report.kind,
                minutes: report.minutes,
                occurred_on: report.occurred_on,
                interval: None,
                course_id: course.map(|c| c.id),
                session_id: None,
                rotation_id: None,
                source,
                source_ref: format!("{}:{}", source.as_str(), hex::encode(token)),
                status,
                evidence: report.note,
                unit_score: None,
                created_by: Some(caller.user_id),
            };
            let actor = caller.actor();
            crate::db::write(conn, |conn| {
                let done = crate::study::credit(
                    conn,
                    &Credit::lines(vec![new]),
                    time::today_cst(),
                    time::now(),
                )?;
                let id = done.created().first().copied().ok_or_else(|| {
                    AppError::Conflict("该学习记录已登记，不能重复".into())
                })?;
                if status == RecordStatus::Approved {
                    crate::audit::record(
                        conn,
                        &actor,
                        &Entry::new("study.recorded")
                            .target(format!("study_record:{id}"))
                            .detail(serde_json::json!({
                                "doctor_id": report.doctor_id, "kind": report.kind, "minutes": report.minutes,
                            })),
                        time::now(),
                    )?;
                }
                store::records::get(conn, id)?.ok_or(AppError::NotFound)
            })
        })
        .await
}

fn find_in(
    conn: &mut crate::db::AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<(StudyRecord, DoctorRecord)> {
    let record = store::records::get(conn, id)?.ok_or(AppError::NotFound)?;
    let doctor = access::doctor(conn, caller, record.doctor_id)?;
    Ok((record, doctor))
}

/// A record the caller may see (its doctor visible to it), else 404.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn find(state: &AppState, caller: &Caller, id: i64) -> AppResult<StudyRecord> {
    let caller = caller.clone();
    state
        .db(move |conn| find_in(conn, &caller, id).map(|(r, _)| r))
        .await
}

/// A doctor's records, newest first, a page of them (a doctor: its own).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    doctor_id: Option<i64>,
    paging: Paging,
) -> AppResult<ListPage<StudyRecord>> {
    let doctor_id = match (doctor_id, caller.role()) {
        (Some(id), _) => id,
        (None, Role::Doctor) => caller.doctor_id.ok_or(AppError::NotFound)?,
        (None, _) => return Err(AppError::field("doctor_id", "必填")),
    };
    let caller = caller.clone();
    let (items, total) = state
        .db(move |conn| {
            let doctor = access::doctor(conn, &caller, doctor_id)?;
            Ok::<_, AppError>(store::records::page_of_doctor(
                conn,
                doctor.doctor.id,
                paging.offset(),
                paging.per_page,
            )?)
        })
        .await?;
    Ok(ListPage::new(items, total, paging))
}

/// Approve (through [`crate::study::credit`], which checks the course is not credited
/// past its length) or reject. Reviewers: county/city admins in their region, an
/// instructor for its doctors; never the doctor itself.
#[tracing::instrument(skip(state, caller, note), fields(caller = caller.user_id))]
pub async fn review(
    state: &AppState,
    caller: &Caller,
    id: i64,
    approve: bool,
    note: Option<String>,
) -> AppResult<StudyRecord> {
    if !records::reviews(caller.role()) {
        let entry = Entry::new("access.denied")
            .target(format!("study_record:{id}"))
            .detail(serde_json::json!({ "attempt": "study.review", "status": 403 }));
        state.audit(caller.actor(), entry).await;
        return Err(AppError::Forbidden(
            "只有区县、市级管理员和带教老师可以审核学习记录".into(),
        ));
    }
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (record, _) = find_in(conn, &caller, id)?;
            let note =
                records::review_note(note.as_deref()).map_err(|m| AppError::field("note", m))?;
            let actor = caller.actor();
            let now = time::now();
            crate::db::write(conn, |conn| {
                if approve {
                    let credit = Credit::approvals(vec![id], Some(caller.user_id), note);
                    crate::study::credit(conn, &credit, time::today_cst(), now)?;
                    store::records::audit_review(conn, &record, true, &actor, now)?;
                } else {
                    if record.status != RecordStatus::Pending {
                        return Err(AppError::Conflict(format!(
                            "该记录已{}，不能再审核",
                            record.status.label()
                        )));
                    }
                    store::records::reject(conn, &record, note.as_deref(), &actor, now)?;
                }
                store::records::get(conn, id)?.ok_or(AppError::NotFound)
            })
        })
        .await
}

/// Attach a photo to one's own pending record.
#[tracing::instrument(skip(state, caller, bytes), fields(caller = caller.user_id))]
pub async fn attach(state: &AppState, caller: &Caller, id: i64, bytes: Vec<u8>) -> AppResult<()> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (record, doctor) = find_in(conn, &caller, id)?;
            let own = doctor.doctor.user_id == Some(caller.user_id);
            records::may_attach(own, record.status).map_err(|(conflict, m)| {
                if conflict {
                    AppError::Conflict(m.into())
                } else {
                    AppError::Forbidden(m.into())
                }
            })?;
            let content_type = records::image_type(&bytes)
                .ok_or_else(|| AppError::field("file", "请上传 JPG、PNG 或 WebP 图片"))?;
            Ok::<_, AppError>(store::records::put_evidence(
                conn,
                id,
                content_type,
                &bytes,
                time::now(),
            )?)
        })
        .await
}

/// A record's evidence photo (to whoever sees the record): content type and bytes.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn evidence(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            find_in(conn, &caller, id)?;
            store::records::evidence(conn, id)?.ok_or(AppError::NotFound)
        })
        .await
}
