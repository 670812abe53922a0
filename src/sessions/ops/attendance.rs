//! Attendance: marked by those who run a session, or a doctor checking itself in with
//! the rotating code. Each attendee's minutes are credited by `crate::study::credit`,
//! the whole list in one transaction: all or nothing.

use chrono::Datelike;

use super::find_in;
use crate::access::{Caller, Role};
use crate::audit::{self, Actor, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult, FieldError};
use crate::regions::Scope;
use crate::sessions::rules::{self, Access, CheckinRefusal};
use crate::sessions::store::{self, Located};
use crate::sessions::views::Marked;
use crate::state::AppState;
use crate::study::{Activity, Credit, CreditError, Outcome, Source, StudyKind, StudyRecord};
use crate::time;

/// Credit the session's minutes to each doctor — all or none. Doctors already credited
/// are left as they are. Each doctor must be in the session's region and program, and
/// fit its capacity; the ledger checks the rest (in post, the day cap, overlaps).
fn mark_in(
    conn: &mut AnyConnection,
    found: &Located,
    doctor_ids: &[i64],
    actor: &Actor,
) -> AppResult<Marked> {
    let session = &found.session;
    let scope = Scope::new(&session.region_code, &found.path);
    let (today, now) = (time::today_cst(), time::now());
    db::write(conn, |conn| {
        let already = store::attendance::attendees(conn, session.id)?;
        let doctors = store::attendance::doctors(conn, doctor_ids)?;
        let mut errors: Vec<(usize, FieldError)> = Vec::new();
        let mut marked = Marked::default();
        let mut present = already.len();
        let mut to_credit = Vec::new();
        let mut positions = Vec::new();
        for (i, &doctor_id) in doctor_ids.iter().enumerate() {
            let field = format!("doctor_ids[{i}]");
            if already.contains(&doctor_id) || to_credit.contains(&doctor_id) {
                marked.already += 1;
                continue;
            }
            // A doctor outside the session's region or program is refused exactly like one
            // that does not exist: the answer must not name (or confirm) anyone the
            // caller cannot see.
            let message = match doctors.get(&doctor_id) {
                Some(d) if scope.contains_path(&d.path) && d.program_id == session.program_id => {
                    None
                }
                _ => Some(format!(
                    "学员 {doctor_id} 不存在，或不属于本次培训的地区和培训项目"
                )),
            };
            let message = match message {
                Some(m) => Some(m),
                None => passed_previous_year(conn, doctor_id, session)?,
            };
            let message = match message {
                Some(m) => Some(m),
                None if session.capacity.is_some_and(|c| present >= c as usize) => {
                    Some(format!("已达人数上限 {}", session.capacity.unwrap_or(0)))
                }
                None => None,
            };
            match message {
                Some(message) => errors.push((i, FieldError { field, message })),
                None => {
                    present += 1;
                    to_credit.push(doctor_id);
                    positions.push(i);
                }
            }
        }
        let activity = Activity {
            kind: StudyKind::Centralized,
            minutes: session.minutes,
            occurred_on: rules::credited_on(session.starts_at),
            interval: Some((session.starts_at, session.ends_at)),
            session_id: Some(session.id),
            source: Source::Attendance,
            source_ref: format!("session:{}", session.id),
            evidence: Some(format!("集中培训“{}”签到", session.title)),
            created_by: actor.id,
        };
        let credit = Credit {
            lines: activity.for_doctors(&to_credit),
            dry_run: !errors.is_empty(),
            ..Credit::default()
        };
        match crate::study::credit(conn, &credit, today, now) {
            Ok(done) => {
                for outcome in &done.outcomes {
                    match outcome {
                        Outcome::Created(id) => {
                            marked.credited += 1;
                            marked.records.push(*id);
                        }
                        Outcome::Duplicate => marked.already += 1,
                    }
                }
            }
            Err(CreditError::Refused { refusals, .. }) => {
                for r in refusals {
                    let i = positions.get(r.line).copied().unwrap_or(0);
                    errors.push((
                        i,
                        FieldError {
                            field: format!("doctor_ids[{i}]"),
                            message: format!("{}：{}", r.doctor, r.refusal.message),
                        },
                    ));
                }
            }
            Err(CreditError::Db(e)) => return Err(e.into()),
        }
        if !errors.is_empty() {
            errors.sort_by_key(|(i, _)| *i);
            return Err(AppError::Validation(
                errors.into_iter().map(|(_, e)| e).collect(),
            ));
        }
        if marked.credited > 0 {
            audit::record(
                conn,
                actor,
                &Entry::new("session.attendance")
                    .target(format!("session:{}", session.id))
                    .detail(serde_json::json!({
                        "credited": marked.credited, "year": session.starts_at.year(),
                    })),
                now,
            )?;
        }
        Ok(marked)
    })
}

/// Only those who pass go on: the gate's refusal (naming the failed year) as a message.
fn passed_previous_year(
    conn: &mut AnyConnection,
    doctor_id: i64,
    session: &crate::sessions::Session,
) -> AppResult<Option<String>> {
    let year = rules::credited_on(session.starts_at).year();
    match crate::assessment::require_passed_previous_year(conn, doctor_id, session.program_id, year)
    {
        Ok(()) => Ok(None),
        Err(AppError::Conflict(message)) => Ok(Some(message)),
        Err(e) => Err(e),
    }
}

/// Mark attendance: those who run the session, once it has started.
#[tracing::instrument(skip(state, caller, doctor_ids), fields(caller = caller.user_id, session = id))]
pub async fn mark(
    state: &AppState,
    caller: &Caller,
    id: i64,
    doctor_ids: Vec<i64>,
) -> AppResult<Marked> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            if how != Access::Runs {
                return Err(AppError::Forbidden(
                    "只有授课老师和管理员可以登记出勤".into(),
                ));
            }
            if doctor_ids.is_empty() {
                return Err(AppError::field("doctor_ids", "请至少选择一名学员"));
            }
            if found.session.starts_at > time::now() {
                return Err(AppError::Conflict("培训尚未开始，不能登记出勤".into()));
            }
            mark_in(conn, &found, &doctor_ids, &caller.actor())
        })
        .await
}

/// A doctor checks itself in with the code shown on the instructor's screen; returns its
/// attendance record.
#[tracing::instrument(skip(state, caller, code), fields(caller = caller.user_id, session = id))]
pub async fn check_in(
    state: &AppState,
    caller: &Caller,
    id: i64,
    code: String,
) -> AppResult<StudyRecord> {
    if caller.role() != Role::Doctor {
        return Err(AppError::Forbidden("签到仅限学员本人".into()));
    }
    let caller = caller.clone();
    state
        .db(move |conn| {
            let (found, _) = find_in(conn, &caller, id)?;
            let doctor_id = caller
                .doctor_id
                .ok_or_else(|| AppError::Forbidden("您的账号没有关联学员档案".into()))?;
            // Counted before the code is compared, in one locked transaction, so that
            // simultaneous guesses cannot slip under the limit.
            let now = time::now();
            let key = rules::checkin_key(id, doctor_id);
            let tries = [(key.clone(), &rules::CHECKIN_TRIES)];
            if let Err(remaining) = crate::auth::admit_attempt(conn, &tries, now)? {
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("sessions.checkin_throttled").target(format!("session:{id}")),
                    now,
                )?;
                return Err(AppError::TooManyRequests {
                    retry_after_secs: crate::auth::retry_after_secs(remaining),
                });
            }
            let secret = store::secret(conn, id)?;
            let s = &found.session;
            match rules::check_code(&secret, id, s.starts_at, s.ends_at, &code, now) {
                Ok(()) => crate::auth::refund_attempt(conn, &key, &rules::CHECKIN_TRIES, now)?,
                Err(CheckinRefusal::NotOpen) => {
                    crate::auth::refund_attempt(conn, &key, &rules::CHECKIN_TRIES, now)?;
                    return Err(AppError::Conflict(
                        "不在签到时间内（培训开始前 30 分钟至结束）".into(),
                    ));
                }
                Err(CheckinRefusal::WrongOrExpired) => {
                    audit::record(
                        conn,
                        &caller.actor(),
                        &Entry::new("sessions.checkin_wrong_code").target(format!("session:{id}")),
                        now,
                    )?;
                    return Err(AppError::field(
                        "code",
                        "签到码错误或已过期，请看老师屏幕上的最新签到码",
                    ));
                }
            }
            let marked = mark_in(conn, &found, &[doctor_id], &caller.actor())?;
            let record = marked
                .records
                .first()
                .copied()
                .ok_or_else(|| AppError::Conflict("您已签到，无需重复签到".into()))?;
            crate::study::record(conn, record)?.ok_or(AppError::NotFound)
        })
        .await
}

/// Whether the calling doctor already counts as present at a session it may see
/// (the check-in page then shows that instead of a second check-in form).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, session = id))]
pub async fn checked_in(state: &AppState, caller: &Caller, id: i64) -> AppResult<bool> {
    let Some(doctor_id) = caller.doctor_id else {
        return Ok(false);
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            find_in(conn, &caller, id)?;
            Ok::<_, AppError>(store::attendance::attendees(conn, id)?.contains(&doctor_id))
        })
        .await
}
