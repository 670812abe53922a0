//! An examiner's sheet: saved on every change while a draft, locked once submitted,
//! corrected only as a new version with a reason (audited).

use crate::access::{Caller, Role};
use crate::audit::{self, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::skills::rules::{self, bodies};
use crate::skills::store::exams::{self as exam_store, ExamStation};
use crate::skills::store::sheets::{self as store, SheetKey, SheetRow, SheetValues};
use crate::skills::views::{MarkView, SheetView};
use crate::skills::{Mark, SheetBody, SheetStatus, SkillExamKind};
use crate::state::AppState;
use crate::time;

/// Where a sheet belongs.
#[derive(Debug, Clone, Copy)]
pub struct SheetPath {
    pub exam_id: i64,
    pub doctor_id: i64,
    pub station_id: i64,
}

/// The station of the exam the caller examines, for this candidate; anything else is
/// 404 (an instructor not assigned to that station, a doctor not sitting the exam).
fn examined(
    conn: &mut AnyConnection,
    caller: &Caller,
    at: SheetPath,
) -> AppResult<(SheetKey, ExamStation)> {
    caller.require(&[Role::Instructor])?;
    let found = exam_store::get(conn, at.exam_id)?.ok_or(AppError::NotFound)?;
    let target = format!("skill_exam:{}/station:{}", at.exam_id, at.station_id);
    let Some(instructor) = caller.instructor_id else {
        return Err(caller.denied("skills.sheet.write", target));
    };
    if !exam_store::examines(conn, at.exam_id, at.station_id, instructor)? {
        return Err(caller.denied("skills.sheet.write", target));
    }
    // A make-up exam is sat by its listed candidates only (those who failed the skills
    // half); other exams take a doctor of the program in the region at the first sheet.
    let sits = exam_store::is_candidate(conn, at.exam_id, at.doctor_id)?
        || (found.exam.kind != SkillExamKind::Makeup
            && exam_store::eligible_doctor(
                conn,
                at.doctor_id,
                found.exam.program_id,
                &crate::regions::Scope::new(&found.exam.region_code, &found.path),
            )?
            .is_some());
    if !sits {
        return Err(AppError::NotFound);
    }
    // A doctor added at its first sheet passes the gate as a listed candidate did.
    if !exam_store::is_candidate(conn, at.exam_id, at.doctor_id)?
        && let Some(m) = super::exams::gated(
            conn,
            at.doctor_id,
            found.exam.program_id,
            found.exam.held_on,
        )?
    {
        return Err(AppError::Conflict(m));
    }
    let station = exam_store::stations(conn, at.exam_id)?
        .into_iter()
        .find(|s| s.station_id == at.station_id)
        .ok_or(AppError::NotFound)?;
    let key = SheetKey {
        exam_id: at.exam_id,
        doctor_id: at.doctor_id,
        station_id: at.station_id,
        examiner_id: instructor,
    };
    Ok((key, station))
}

/// `PUT /api/v1/skills/exams/{id}/sheets/{doctor_id}/{station_id}`.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn put(
    state: &AppState,
    caller: &Caller,
    at: SheetPath,
    body: &SheetBody,
) -> AppResult<SheetView> {
    let caller = caller.clone();
    let body = body.clone();
    state
        .db(move |conn| {
            let (key, station) = examined(conn, &caller, at)?;
            let checked = bodies::sheet(&body)?;
            let marks: Vec<Mark<'_>> = checked.marks.iter().map(|m| m.mark()).collect();
            let scored = rules::score(&station.items, station.pass_points, &marks)
                .map_err(|e| AppError::Validation(e.into_iter().map(|(field, message)| crate::error::FieldError { field, message }).collect()))?;
            if checked.submit {
                let missing = rules::scoring::unmarked(&station.items, &marks);
                if !missing.is_empty() {
                    return Err(AppError::field("items", format!("提交前请为每一项评分，尚缺：{}", missing.join("、"))));
                }
            }
            let values = SheetValues {
                items: serde_json::to_string(
                    &checked
                        .marks
                        .iter()
                        .map(|m| MarkView { code: m.code.clone(), points: m.points, not_applicable: m.not_applicable })
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default(),
                global_rating: checked.global_rating,
                notes: checked.notes.clone(),
                points: scored.points,
                critical_missed: !scored.missed_critical.is_empty(),
                passed: scored.passed,
                status: if checked.submit { SheetStatus::Submitted } else { SheetStatus::Draft },
            };
            let now = time::now();
            let id = db::write(conn, |conn| {
                if !exam_store::is_candidate(conn, key.exam_id, key.doctor_id)? {
                    exam_store::add_candidate(conn, key.exam_id, key.doctor_id)?;
                }
                let id = match store::latest(conn, key)? {
                    None => store::insert(conn, key, 1, &values, None, Some(caller.user_id), now)?,
                    Some(draft) if draft.status == SheetStatus::Draft => {
                        store::update_draft(conn, draft.id, &values, now)?;
                        draft.id
                    }
                    Some(locked) => {
                        let Some(reason) = checked.reason.as_deref() else {
                            return Err(AppError::Conflict(
                                "评分表已提交，不能覆盖；如需更正，请填写更正原因（reason），将保存为新版本".into(),
                            ));
                        };
                        let id = store::insert(conn, key, locked.version + 1, &values, Some(reason), Some(caller.user_id), now)?;
                        audit::record(
                            conn,
                            &caller.actor(),
                            &Entry::new("skills.sheet_corrected")
                                .target(format!("skill_sheet:{id}"))
                                .detail(serde_json::json!({
                                    "exam_id": key.exam_id, "doctor_id": key.doctor_id,
                                    "station_id": key.station_id, "version": locked.version + 1,
                                    "reason": reason, "points_before": locked.points,
                                    "points_after": values.points,
                                    "passed_before": locked.passed, "passed_after": values.passed,
                                    "not_applicable_before": locked
                                        .marks()
                                        .into_iter()
                                        .filter(|(_, _, na)| *na)
                                        .map(|(code, _, _)| code)
                                        .collect::<Vec<_>>(),
                                    "not_applicable_after": scored.not_applicable,
                                })),
                            now,
                        )?;
                        id
                    }
                };
                if values.status == SheetStatus::Submitted {
                    audit::record(
                        conn,
                        &caller.actor(),
                        &Entry::new("skills.sheet_submitted")
                            .target(format!("skill_sheet:{id}"))
                            .detail(serde_json::json!({
                                "exam_id": key.exam_id, "doctor_id": key.doctor_id,
                                "station_id": key.station_id, "points": values.points,
                                "passed": values.passed,
                            })),
                        now,
                    )?;
                }
                Ok::<_, AppError>(id)
            })?;
            let row = store::get(conn, id)?;
            Ok(view(&row, &station))
        })
        .await
}

/// The caller's own sheet for this candidate and station (its latest version), if any.
pub async fn mine(
    state: &AppState,
    caller: &Caller,
    at: SheetPath,
) -> AppResult<(Option<SheetView>, ExamStation)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (key, station) = examined(conn, &caller, at)?;
            let row = store::latest(conn, key)?;
            Ok::<_, AppError>((row.map(|r| view(&r, &station)), station))
        })
        .await
}

/// A stored sheet as answered (the breakdown — points given, the maximum that applied,
/// the items not applicable, the critical items missed — read again from its marks).
pub fn view(row: &SheetRow, station: &ExamStation) -> SheetView {
    let marks = row.marks();
    let as_marks: Vec<Mark<'_>> = marks
        .iter()
        .map(|(code, points, na)| Mark {
            code,
            points: *points,
            not_applicable: *na,
        })
        .collect();
    let scored = rules::score(&station.items, station.pass_points, &as_marks).ok();
    SheetView {
        id: row.id,
        exam_id: row.exam_id,
        doctor_id: row.doctor_id,
        station_id: row.station_id,
        examiner_id: row.examiner_id,
        version: row.version,
        status: row.status,
        items: marks
            .iter()
            .map(|(code, points, na)| MarkView {
                code: code.clone(),
                points: *points,
                not_applicable: *na,
            })
            .collect(),
        global_rating: row.global_rating,
        notes: row.notes.clone(),
        points: row.points,
        max_points: station.max_points,
        raw_points: scored.as_ref().map_or(row.points, |s| s.raw_points),
        applicable_max: scored
            .as_ref()
            .map_or(station.max_points, |s| s.applicable_max),
        not_applicable: scored
            .as_ref()
            .map(|s| s.not_applicable.clone())
            .unwrap_or_default(),
        critical_missed: row.critical_missed,
        missed_critical: scored.map(|s| s.missed_critical).unwrap_or_default(),
        passed: row.passed,
        reason: row.reason.clone(),
        updated_at: row.updated_at,
    }
}
