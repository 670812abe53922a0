//! Sitting an exam: starting (or resuming) an attempt, saving answers, submitting.

use std::collections::HashMap;
use std::sync::Arc;

use rand::RngCore;

use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::exams::rules::{self, Candidate, StartDecision, StartFacts, StartRefusal, stored};
use crate::exams::store::{self, SaveRefused, Shape, Started};
use crate::exams::{Attempt, ExamKind, Paper, SubmittedBy};
use crate::roster::{DoctorRecord, DoctorStatus};
use crate::state::AppState;
use crate::time;

/// An attempt as starting left it.
#[derive(Debug)]
pub struct StartedPaper {
    pub attempt: Attempt,
    /// A new attempt (201), or the one already open (200).
    pub created: bool,
    /// The answers saved so far (none on a new attempt).
    pub saved: HashMap<String, String>,
}

fn refusal(why: StartRefusal) -> AppError {
    match why {
        StartRefusal::Withdrawn => AppError::NotFound,
        StartRefusal::Ineligible(_) => AppError::Forbidden(why.message()),
        StartRefusal::NotYetOpen | StartRefusal::Closed | StartRefusal::Exhausted { .. } => {
            AppError::Conflict(why.message())
        }
    }
}

/// What eligibility needs of the doctor: the ledger's hours only for the completion
/// exam and its make-up, the original's result only for a make-up.
fn candidate(
    conn: &mut AnyConnection,
    d: &DoctorRecord,
    kind: ExamKind,
    makeup_of: Option<i64>,
) -> AppResult<Candidate> {
    let hours_met = match kind {
        ExamKind::Completion | ExamKind::Makeup => {
            crate::study::compute_progress(conn, d.doctor.id, d.doctor.program_id)?
                .completion
                .hours_met
        }
        ExamKind::Unit | ExamKind::Annual => true,
    };
    let passed_original = match makeup_of {
        Some(original) => store::has_passed(conn, original, d.doctor.id)?,
        None => false,
    };
    Ok(Candidate {
        program_id: d.doctor.program_id,
        region_path: d.region_path.clone(),
        cohort_year: d.doctor.cohort_year,
        active: d.doctor.status == DoctorStatus::Active,
        hours_met,
        passed_original,
    })
}

/// What the start's reads decided: the open attempt, or a paper to write.
enum Decided {
    Resume(Attempt),
    Draw(Box<Draw>),
}

/// A new attempt, drawn and ready to write.
struct Draw {
    exam: crate::exams::Exam,
    doctor_id: i64,
    seed: u64,
    drawn: store::Drawn,
    /// The keys of all the paper's contents (held by the database once the start commits).
    keys: Vec<String>,
    deadline: chrono::NaiveDateTime,
    /// The attempt number next when no attempt is open (see `store::NewAttempt`).
    expected: Option<i32>,
    now: chrono::NaiveDateTime,
}

/// Start or resume the doctor's attempt: the facts, the decision
/// ([`rules::decide_start`]) and the draw in one read hop; then the write, through the
/// group-commit writer (which re-checks the allowance inside its transaction).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = exam_id))]
pub async fn start(state: &AppState, caller: &Caller, exam_id: i64) -> AppResult<StartedPaper> {
    let seed = rand::rng().next_u64();
    let caches = state.exams.clone();
    let owner = caller.clone();
    let decided = state
        .db(move |conn| {
            let caller = owner;
            let d = super::doctor_of(conn, &caller)?;
            let placed = super::visible_exam(conn, &caller, exam_id, Some(&d))?;
            let exam = placed.exam.clone();
            let facts = StartFacts {
                exam: placed.terms(),
                candidate: candidate(conn, &d, exam.kind, exam.makeup_of)?,
                mine: store::attempts_of(conn, exam_id, d.doctor.id)?,
            };
            let now = time::now();
            let (deadline, expected) = match rules::decide_start(&facts, now).map_err(refusal)? {
                StartDecision::Resume { attempt_id } => {
                    let attempt =
                        store::get_attempt(conn, attempt_id)?.ok_or(AppError::NotFound)?;
                    return Ok(Decided::Resume(attempt));
                }
                // An attempt to grade first: the write decides in its transaction.
                StartDecision::Draw {
                    deadline,
                    attempt_no,
                    grade_first,
                } => (deadline, (!grade_first).then_some(attempt_no)),
            };
            crate::assessment::require_passed_previous_year(
                conn,
                d.doctor.id,
                exam.program_id,
                exam.year,
            )?;
            let pool = caches.pool(conn, exam.id, &exam.blueprint)?;
            let paper =
                rules::draw(&exam.blueprint, &pool, seed, exam.shuffle_options).map_err(|s| {
                    AppError::Conflict(format!(
                        "题库中的题目已不足以组卷（第 {} 行：{}），请联系出题单位",
                        s.line + 1,
                        s.message
                    ))
                })?;
            let paper = Paper(paper);
            let split = stored::split(&paper).map_err(AppError::internal)?;
            store::remember_contents(split.parsed);
            Ok::<_, AppError>(Decided::Draw(Box::new(Draw {
                exam,
                doctor_id: d.doctor.id,
                seed,
                drawn: store::Drawn {
                    paper,
                    refs: split.refs,
                    fresh: caches.unstored(&split.contents),
                },
                keys: split.contents.into_iter().map(|c| c.key).collect(),
                deadline,
                expected,
                now,
            })))
        })
        .await?;
    let started = match decided {
        Decided::Resume(attempt) => Started::Resumed(attempt),
        Decided::Draw(draw) => {
            let actor = caller.actor();
            let Draw {
                exam,
                doctor_id,
                seed,
                drawn,
                keys,
                deadline,
                expected,
                now,
            } = *draw;
            let started = state
                .writes
                .write(move |conn| {
                    let new = store::NewAttempt {
                        exam: &exam,
                        doctor_id,
                        seed,
                        drawn: &drawn,
                        deadline,
                        expected,
                        now,
                    };
                    Ok(store::start(conn, &new, &actor)?)
                })
                .await?;
            if matches!(started, Started::New(_)) {
                // Committed with the new attempt: the database holds every content its
                // paper refers to. (A start that resumed or was refused wrote none.)
                state.exams.mark_stored(keys.iter().map(String::as_str));
            }
            started
        }
    };
    match started {
        Started::New(attempt) => {
            // The first save will find the paper's shape in memory.
            state
                .exams
                .keep_shape(Shape::of(&attempt, Some(caller.user_id)));
            Ok(StartedPaper {
                attempt,
                created: true,
                saved: HashMap::new(),
            })
        }
        Started::Resumed(attempt) => {
            let id = attempt.id;
            let saved = state.db(move |conn| store::answers_of(conn, id)).await?;
            Ok(StartedPaper {
                attempt,
                created: false,
                saved,
            })
        }
        Started::Withdrawn => Err(AppError::NotFound),
        Started::Exhausted(n) => Err(AppError::Conflict(format!(
            "您已用完本考试的 {n} 次作答机会"
        ))),
    }
}

/// The caller's own attempt (a doctor's), else 403/404.
pub(super) fn own_attempt(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<Attempt> {
    caller.require(&[Role::Doctor])?;
    let doctor_id = caller
        .doctor_id
        .ok_or_else(|| AppError::Forbidden("您的账号尚未关联学员档案，请联系县卫健局".into()))?;
    let attempt = store::get_attempt(conn, id)?.ok_or(AppError::NotFound)?;
    if attempt.doctor_id == doctor_id {
        Ok(attempt)
    } else {
        Err(caller.denied("attempt.read", format!("attempt:{id}")))
    }
}

/// The shape of the caller's own attempt (kept in memory after the first look).
async fn own_shape(state: &AppState, caller: &Caller, attempt_id: i64) -> AppResult<Arc<Shape>> {
    caller.require(&[Role::Doctor])?;
    let shape = match state.exams.shape(attempt_id) {
        Some(shape) => shape,
        None => {
            let who = caller.clone();
            let attempt = state
                .db(move |conn| own_attempt(conn, &who, attempt_id))
                .await?;
            state
                .exams
                .keep_shape(Shape::of(&attempt, Some(caller.user_id)))
        }
    };
    if shape.owner == Some(caller.user_id) {
        Ok(shape)
    } else {
        Err(AppError::NotFound)
    }
}

/// Save one answer: 204, 404, 409 after the deadline, 422 for what the item cannot take.
#[tracing::instrument(skip(state, caller, raw), fields(caller = caller.user_id, attempt = attempt_id))]
pub async fn save(
    state: &AppState,
    caller: &Caller,
    attempt_id: i64,
    question_id: &str,
    raw: Option<&str>,
) -> AppResult<()> {
    let shape = own_shape(state, caller, attempt_id).await?;
    let item = shape.items.get(question_id).ok_or(AppError::NotFound)?;
    let Some(raw) = raw else {
        return Err(AppError::field("answer", "必填（清除答案请传空字符串）"));
    };
    let answer =
        rules::normalize(item.qtype, &item.keys, raw).map_err(|m| AppError::field("answer", m))?;
    let save = store::AnswerSave {
        attempt_id,
        question_id: question_id.to_owned(),
        answer,
        at: time::now(),
    };
    let outcome = state.answer_saves.save(save).await?;
    match outcome {
        Ok(()) => Ok(()),
        Err(SaveRefused::Missing) => Err(AppError::NotFound),
        Err(SaveRefused::Submitted) => Err(AppError::Conflict("已交卷，答案不能再修改".into())),
        Err(SaveRefused::PastDeadline) => {
            Err(AppError::Conflict("考试时间已到，此答案未保存".into()))
        }
    }
}

/// Submit the caller's attempt (idempotent): by the candidate, or by the deadline when
/// it has passed.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, attempt = attempt_id))]
pub async fn submit(state: &AppState, caller: &Caller, attempt_id: i64) -> AppResult<Attempt> {
    let who = caller.clone();
    let (attempt, exam) = state
        .db(move |conn| {
            let attempt = own_attempt(conn, &who, attempt_id)?;
            let exam = store::find(conn, attempt.exam_id)?;
            Ok::<_, AppError>((attempt, exam))
        })
        .await?;
    if !attempt.is_open() {
        return Ok(attempt);
    }
    let actor = caller.actor();
    state
        .writes
        .write(move |conn| {
            let now = time::now();
            let by = if now >= attempt.deadline {
                SubmittedBy::Deadline
            } else {
                SubmittedBy::Candidate
            };
            store::submit(conn, &exam, attempt, by, &actor, now)?.ok_or(AppError::NotFound)
        })
        .await
}

/// Submit from the page: the answers the form carries are saved first (those that
/// changed; past the deadline the saved answers stand, a bad value is skipped).
#[tracing::instrument(skip(state, caller, answers), fields(caller = caller.user_id, attempt = attempt_id))]
pub async fn submit_form(
    state: &AppState,
    caller: &Caller,
    attempt_id: i64,
    answers: HashMap<String, String>,
) -> AppResult<Attempt> {
    let who = caller.clone();
    let (attempt, saved) = state
        .db(move |conn| {
            let attempt = own_attempt(conn, &who, attempt_id)?;
            let saved = store::answers_of(conn, attempt_id)?;
            Ok::<_, AppError>((attempt, saved))
        })
        .await?;
    if attempt.is_open() && attempt.deadline > time::now() {
        for (qid, answer) in &answers {
            if saved.get(qid) == Some(answer) {
                continue;
            }
            match save(state, caller, attempt_id, qid, Some(answer)).await {
                Ok(())
                | Err(AppError::Conflict(_))
                | Err(AppError::Validation(_))
                | Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    submit(state, caller, attempt_id).await
}
