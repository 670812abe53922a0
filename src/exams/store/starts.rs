//! Starting an attempt: the paper drawn by the caller is written with its audit entry,
//! unless the allowance, decided again inside the write, says otherwise.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::attempts::{attempts_of, get_attempt};
use super::papers;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::attempts;
use crate::db::{self, AnyConnection};
use crate::exams::rules::stored::Content;
use crate::exams::rules::{self, Allowance};
use crate::exams::{Attempt, AttemptStatus, AttemptSummary, Exam, ExamStatus, Paper, SubmittedBy};

/// What starting an attempt found.
#[derive(Debug)]
pub enum Started {
    /// A new attempt.
    New(Attempt),
    /// The attempt already open (a reload, a second device, a double tap).
    Resumed(Attempt),
    /// Every allowed attempt is used.
    Exhausted(i32),
    /// The exam was withdrawn meanwhile.
    Withdrawn,
}

/// A drawn paper ready to write: the paper, its stored form ([`rules::stored`]), and
/// the contents it refers to that the database may not hold yet.
#[derive(Debug)]
pub struct Drawn {
    pub paper: Paper,
    pub refs: String,
    pub fresh: Vec<Content>,
}

/// A start to write, as the reads left it.
#[derive(Debug)]
pub struct NewAttempt<'a> {
    pub exam: &'a Exam,
    pub doctor_id: i64,
    /// What the paper was drawn from.
    pub seed: u64,
    pub drawn: &'a Drawn,
    pub deadline: NaiveDateTime,
    /// The attempt number the reads found next, with no attempt open: the common start,
    /// which PostgreSQL writes in one statement ([`PG_START`]). `None`: the write
    /// decides in its transaction.
    pub expected: Option<i32>,
    pub now: NaiveDateTime,
}

/// Start the doctor's attempt with the drawn paper, due at `deadline` — unless, inside
/// the write, the allowance says otherwise (an attempt opened meanwhile is resumed; an
/// attempt open past its deadline is graded first; the exam withdrawn meanwhile opens
/// nothing).
pub fn start(conn: &mut AnyConnection, new: &NewAttempt, actor: &Actor) -> QueryResult<Started> {
    let NewAttempt {
        exam,
        doctor_id,
        seed,
        drawn,
        deadline,
        expected,
        now,
    } = *new;
    let seed = format!("{seed:016x}");
    let paper = &drawn.paper;
    let max_score = paper.max_score();
    let opened = |id: i64, attempt_no: i32| Attempt {
        id,
        exam_id: exam.id,
        doctor_id,
        attempt_no,
        seed: seed.clone(),
        started_at: now,
        deadline,
        status: AttemptStatus::InProgress,
        submitted_at: None,
        submitted_by: None,
        score: None,
        max_score,
        passed: None,
        paper: paper.clone(),
    };
    let entry = |attempt_no: i32| {
        Entry::new("exam.attempt_started").detail(serde_json::json!({
            "exam_id": exam.id, "doctor_id": doctor_id, "attempt_no": attempt_no,
            "seed": seed, "deadline": crate::time::rfc3339(deadline),
        }))
    };
    if let (AnyConnection::Postgresql(pg), Some(attempt_no), true) =
        (&mut *conn, expected, drawn.fresh.is_empty())
        && outside_transaction(pg)
    {
        let at_once = start_at_once(pg, new, attempt_no, &seed, &entry(attempt_no), actor);
        match at_once {
            Ok(Some(id)) => return Ok(Started::New(opened(id, attempt_no))),
            // Something changed since the reads (an attempt opened, the exam
            // withdrawn), or a second start won the race: the transaction decides.
            Ok(None) => {}
            Err(e) if db::is_unique_violation(&e) => {}
            Err(e) => return Err(e),
        }
    }
    let outcome = db::write(conn, |conn| {
        if super::exams::lock_status(conn, exam.id, super::exams::RowLock::Share)?
            == ExamStatus::Withdrawn
        {
            return Ok(Started::Withdrawn);
        }
        let mine = attempts_of(conn, exam.id, doctor_id)?;
        let attempt_no = match rules::allowance(&mine, exam.attempts_allowed, now) {
            Allowance::Resume { attempt_id } => {
                return get_attempt(conn, attempt_id)?
                    .map(Started::Resumed)
                    .ok_or(diesel::result::Error::NotFound);
            }
            Allowance::Exhausted { used } => return Ok(Started::Exhausted(used)),
            Allowance::Next {
                attempt_no,
                overdue,
            } => {
                if let Some(overdue) = overdue {
                    super::grading::submit_locked(
                        conn,
                        exam,
                        overdue,
                        SubmittedBy::Deadline,
                        actor,
                        now,
                    )?;
                }
                attempt_no
            }
        };
        papers::store_contents(conn, &drawn.fresh)?;
        let id: i64 = diesel::insert_into(attempts::table)
            .values((
                attempts::exam_id.eq(exam.id),
                attempts::doctor_id.eq(doctor_id),
                attempts::attempt_no.eq(attempt_no),
                attempts::seed.eq(&seed),
                attempts::started_at.eq(now),
                attempts::deadline.eq(deadline),
                attempts::status.eq(AttemptStatus::InProgress),
                attempts::max_score.eq(max_score),
                attempts::paper.eq(&drawn.refs),
            ))
            .returning(attempts::id)
            .get_result(conn)?;
        audit::record(
            conn,
            actor,
            &entry(attempt_no).target(format!("attempt:{id}")),
            now,
        )?;
        Ok(Started::New(opened(id, attempt_no)))
    });
    match outcome {
        // Two starts at once (PostgreSQL): the loser resumes the winner's attempt.
        Err(e) if db::is_unique_violation(&e) => {
            let open = attempts_of(conn, exam.id, doctor_id)?
                .into_iter()
                .find(AttemptSummary::is_open);
            match open {
                Some(open) => get_attempt(conn, open.id)?.map(Started::Resumed).ok_or(e),
                None => Err(e),
            }
        }
        other => other,
    }
}

/// PostgreSQL, the common start (the reads found no attempt open and `$3` next) in one
/// statement: one round trip, no BEGIN or COMMIT (a statement commits atomically on its
/// own). It opens the attempt only if the exam is not withdrawn — its row read `FOR
/// SHARE`, as the transaction does, so a withdrawal is wholly before or after — and the
/// doctor still has no attempt open and none numbered `$3` or later; its audit entry is
/// the row `audit::record` writes on PostgreSQL, in the same statement. No row back:
/// something changed since the reads, and the transaction decides.
const PG_START: &str = "\
WITH exam AS (
  SELECT id FROM exams WHERE id = $1 AND status <> 'withdrawn' FOR SHARE
), opened AS (
  INSERT INTO attempts (exam_id, doctor_id, attempt_no, seed, started_at, deadline, status, max_score, paper)
  SELECT exam.id, $2, $3, $4, $5, $6, 'in_progress', $7, $8 FROM exam
  WHERE NOT EXISTS (
    SELECT 1 FROM attempts
    WHERE exam_id = $1 AND doctor_id = $2 AND (attempt_no >= $3 OR status = 'in_progress')
  )
  RETURNING id
), audited AS (
  INSERT INTO audit_pending (at, actor_id, actor, action, target, detail, client)
  SELECT $5, $9, $10, $11, 'attempt:' || opened.id, $12, $13 FROM opened
)
SELECT id FROM opened";

/// Whether no transaction is open: inside one, a failed statement would abort it, and
/// the fallback could not run.
fn outside_transaction(conn: &mut diesel::PgConnection) -> bool {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    matches!(
        AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(None)
    )
}

#[derive(QueryableByName)]
struct Opened {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// [`PG_START`]: the new attempt's id, or `None` when the transaction must decide.
fn start_at_once(
    conn: &mut diesel::PgConnection,
    new: &NewAttempt,
    attempt_no: i32,
    seed: &str,
    entry: &Entry,
    actor: &Actor,
) -> QueryResult<Option<i64>> {
    use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
    let opened: Option<Opened> = diesel::sql_query(PG_START)
        .bind::<BigInt, _>(new.exam.id)
        .bind::<BigInt, _>(new.doctor_id)
        .bind::<Integer, _>(attempt_no)
        .bind::<Text, _>(seed)
        .bind::<Timestamp, _>(new.now)
        .bind::<Timestamp, _>(new.deadline)
        .bind::<Integer, _>(new.drawn.paper.max_score())
        .bind::<Text, _>(&new.drawn.refs)
        .bind::<Nullable<BigInt>, _>(actor.id)
        .bind::<Nullable<Text>, _>(actor.username.as_deref())
        .bind::<Text, _>(entry.action)
        .bind::<Text, _>(entry.detail.to_string())
        .bind::<Nullable<Text>, _>(actor.client.as_deref())
        .get_result(conn)
        .optional()?;
    Ok(opened.map(|o| o.id))
}
