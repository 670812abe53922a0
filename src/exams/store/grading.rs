//! Submitting and grading (交卷评分): the `attempt_items` table, written once, and the
//! deadline job's sweep.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::attempts::{answers_of, get_attempt};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{attempt_items, attempts};
use crate::db::{self, AnyConnection};
use crate::exams::rules;
use crate::exams::{Attempt, AttemptStatus, Exam, SubmittedBy};

/// Lock the attempt row for the rest of the transaction (PostgreSQL; SQLite's write
/// transaction already excludes every other writer) and read its state.
fn lock_attempt(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Option<(AttemptStatus, NaiveDateTime)>> {
    let query = attempts::table
        .find(id)
        .select((attempts::status, attempts::deadline));
    match conn {
        AnyConnection::Postgresql(c) => query.for_update().first(c).optional(),
        AnyConnection::Sqlite(c) => query.first(c).optional(),
    }
}

/// Submit and grade `attempt` (read by the caller; idempotent: an attempt submitted
/// meanwhile is read back as it is now). The paper is the caller's copy — a paper never
/// changes once drawn — so submitting parses it once, and the attempt comes back graded
/// from memory instead of a second read.
pub fn submit(
    conn: &mut AnyConnection,
    exam: &Exam,
    attempt: Attempt,
    by: SubmittedBy,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Option<Attempt>> {
    let attempt_id = attempt.id;
    db::write(conn, |conn| {
        match grade_locked(conn, exam, &attempt, by, actor, now)? {
            Some(graded) => Ok(Some(graded)),
            None => get_attempt(conn, attempt_id),
        }
    })
}

/// Grade an open attempt inside the caller's write transaction. A stored paper that
/// does not parse is an error (nothing is written), never an empty paper.
pub(super) fn submit_locked(
    conn: &mut AnyConnection,
    exam: &Exam,
    attempt_id: i64,
    by: SubmittedBy,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some((status, _)) = lock_attempt(conn, attempt_id)? else {
        return Ok(());
    };
    if status != AttemptStatus::InProgress {
        return Ok(());
    }
    let Some(attempt) = get_attempt(conn, attempt_id)? else {
        return Ok(());
    };
    grade_locked(conn, exam, &attempt, by, actor, now)?;
    Ok(())
}

/// Lock the attempt, and when it is still open grade it and write the grades: the
/// attempt as graded, or `None` when it was no longer open (or is gone).
fn grade_locked(
    conn: &mut AnyConnection,
    exam: &Exam,
    attempt: &Attempt,
    by: SubmittedBy,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Option<Attempt>> {
    let attempt_id = attempt.id;
    let Some((status, deadline)) = lock_attempt(conn, attempt_id)? else {
        return Ok(None);
    };
    if status != AttemptStatus::InProgress {
        return Ok(None);
    }
    let answers = answers_of(conn, attempt_id)?;
    let graded = rules::grade_paper(attempt.paper.items(), &answers, exam.x_scoring);
    let rows: Vec<_> = graded
        .items
        .iter()
        .map(|g| {
            (
                attempt_items::attempt_id.eq(attempt_id),
                attempt_items::position.eq(g.position as i32),
                attempt_items::question_id.eq(g.question_id.clone()),
                attempt_items::answer.eq(g.answer.clone()),
                attempt_items::points.eq(g.points),
                attempt_items::max_points.eq(g.max_points),
            )
        })
        .collect();
    for chunk in rows.chunks(100) {
        crate::per_backend!(conn, |c| diesel::insert_into(attempt_items::table)
            .values(chunk)
            .execute(c))?;
    }
    let passed = rules::passed(graded.score, exam.pass_score);
    // Submitted at the deadline: the moment recorded is the deadline itself.
    let at = match by {
        SubmittedBy::Deadline => deadline.min(now),
        SubmittedBy::Candidate => now,
    };
    diesel::update(attempts::table.find(attempt_id))
        .set((
            attempts::status.eq(AttemptStatus::Submitted),
            attempts::submitted_at.eq(Some(at)),
            attempts::submitted_by.eq(Some(by)),
            attempts::score.eq(Some(graded.score)),
            attempts::passed.eq(Some(passed)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        &Entry::new("exam.attempt_submitted")
            .target(format!("attempt:{attempt_id}"))
            .detail(serde_json::json!({
                "exam_id": exam.id, "doctor_id": attempt.doctor_id, "by": by,
                "score": graded.score, "max_score": graded.max_score, "passed": passed,
            })),
        now,
    )?;
    Ok(Some(Attempt {
        status: AttemptStatus::Submitted,
        submitted_at: Some(at),
        submitted_by: Some(by),
        score: Some(graded.score),
        passed: Some(passed),
        deadline,
        ..attempt.clone()
    }))
}

/// Submit every attempt still open at its deadline, in batches; returns how many were
/// graded. On PostgreSQL rows another instance is grading are skipped (`SKIP LOCKED`),
/// so several instances may run the job at once. An attempt whose stored paper (or
/// exam) does not parse is logged as an error and left open — never graded as empty —
/// and does not hold up the others.
pub fn close_overdue(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let mut graded = 0;
    let mut corrupt: Vec<i64> = Vec::new();
    loop {
        let (due, done) = db::write(conn, |conn| {
            let query = attempts::table
                .filter(attempts::status.eq(AttemptStatus::InProgress))
                .filter(attempts::deadline.le(now))
                .filter(attempts::id.ne_all(corrupt.clone()))
                .order(attempts::deadline)
                .select((attempts::id, attempts::exam_id))
                .limit(100);
            let due: Vec<(i64, i64)> = match conn {
                AnyConnection::Postgresql(c) => query.for_update().skip_locked().load(c)?,
                AnyConnection::Sqlite(c) => query.load(c)?,
            };
            let mut exams_seen: HashMap<i64, Exam> = HashMap::new();
            let mut done = 0;
            for &(attempt_id, exam_id) in &due {
                let exam = match exams_seen.get(&exam_id) {
                    Some(exam) => exam.clone(),
                    None => match super::exams::find(conn, exam_id) {
                        Ok(exam) => exams_seen.entry(exam_id).or_insert(exam).clone(),
                        Err(DieselError::DeserializationError(e)) => {
                            tracing::error!(exam_id, attempt_id, error = %e, "corrupt stored exam: attempt not graded");
                            corrupt.push(attempt_id);
                            continue;
                        }
                        Err(e) => return Err(e),
                    },
                };
                let job = Actor::job("deadline-job");
                match submit_locked(conn, &exam, attempt_id, SubmittedBy::Deadline, &job, now) {
                    Ok(()) => done += 1,
                    Err(DieselError::DeserializationError(e)) => {
                        tracing::error!(attempt_id, error = %e, "corrupt stored paper: attempt not graded");
                        corrupt.push(attempt_id);
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, DieselError>((due.len(), done))
        })?;
        graded += done;
        if due < 100 {
            return Ok(graded);
        }
    }
}
