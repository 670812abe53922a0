//! The `attempts` and `attempt_answers` tables: reading, and saving answers (starting is
//! `starts`).
//! Saving an answer and submitting are serialized per attempt (SQLite: the write lock;
//! PostgreSQL: `FOR SHARE` / `FOR UPDATE` on the attempt row), so an answer is either
//! graded or refused — never saved after grading.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{attempt_answers, attempt_items, attempts};
use crate::db::{self, AnyConnection};
use crate::exams::{Attempt, AttemptStatus, AttemptSummary, Points, SubmittedBy};

use super::papers;

/// A doctor's attempts at one exam, in order, without papers.
pub fn attempts_of(
    conn: &mut AnyConnection,
    exam_id: i64,
    doctor_id: i64,
) -> QueryResult<Vec<AttemptSummary>> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .filter(attempts::doctor_id.eq(doctor_id))
        .order(attempts::attempt_no)
        .select(AttemptSummary::as_select())
        .load(conn)
}

/// A doctor's attempts at every exam, by exam then number, without papers.
pub fn summaries_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<AttemptSummary>> {
    attempts::table
        .filter(attempts::doctor_id.eq(doctor_id))
        .order((attempts::exam_id, attempts::attempt_no))
        .select(AttemptSummary::as_select())
        .load(conn)
}

/// An attempt's row: the paper column as stored (see [`papers::read`]).
#[derive(Queryable, Selectable)]
#[diesel(table_name = attempts)]
struct AttemptRow {
    id: i64,
    exam_id: i64,
    doctor_id: i64,
    attempt_no: i32,
    seed: String,
    started_at: NaiveDateTime,
    deadline: NaiveDateTime,
    status: AttemptStatus,
    submitted_at: Option<NaiveDateTime>,
    submitted_by: Option<SubmittedBy>,
    score: Option<Points>,
    max_score: Points,
    passed: Option<bool>,
    paper: String,
}

/// One attempt with its paper (a paper that does not read back whole is an error).
pub fn get_attempt(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Attempt>> {
    let Some(row) = attempts::table
        .find(id)
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let paper = papers::read(conn, &row.paper)?;
    Ok(Some(Attempt {
        id: row.id,
        exam_id: row.exam_id,
        doctor_id: row.doctor_id,
        attempt_no: row.attempt_no,
        seed: row.seed,
        started_at: row.started_at,
        deadline: row.deadline,
        status: row.status,
        submitted_at: row.submitted_at,
        submitted_by: row.submitted_by,
        score: row.score,
        max_score: row.max_score,
        passed: row.passed,
        paper,
    }))
}

/// The saved answers of an attempt: question id → answer.
pub fn answers_of(
    conn: &mut AnyConnection,
    attempt_id: i64,
) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = attempt_answers::table
        .filter(attempt_answers::attempt_id.eq(attempt_id))
        .select((attempt_answers::question_id, attempt_answers::answer))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// One graded item of a submitted attempt, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attempt_items)]
pub struct GradedRow {
    pub position: i32,
    pub question_id: String,
    pub answer: Option<String>,
    pub points: Points,
    pub max_points: Points,
}

/// The graded items of a submitted attempt, in paper order.
pub fn items_of(conn: &mut AnyConnection, attempt_id: i64) -> QueryResult<Vec<GradedRow>> {
    attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .order(attempt_items::position)
        .select(GradedRow::as_select())
        .load(conn)
}

/// Why a save was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveRefused {
    Missing,
    Submitted,
    PastDeadline,
}

/// One answer save as queued for the writer (an empty answer clears it).
#[derive(Debug, Clone)]
pub struct AnswerSave {
    pub attempt_id: i64,
    pub question_id: String,
    pub answer: String,
    /// When the save was asked for: the deadline is checked against it.
    pub at: NaiveDateTime,
}

/// Save one answer (an empty answer clears it), as its own write. Idempotent: the last
/// save wins. See [`save_in`].
pub fn save_answer(
    conn: &mut AnyConnection,
    attempt_id: i64,
    question_id: &str,
    answer: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<(), SaveRefused>> {
    let save = AnswerSave {
        attempt_id,
        question_id: question_id.to_owned(),
        answer: answer.to_owned(),
        at: now,
    };
    db::write(conn, |conn| save_in(conn, &save))
}

/// Save a batch of answers in one write transaction (group commit): each save is
/// decided on its own (a refused one changes nothing and does not stop the others), in
/// the order given, so the last save of a question wins. On PostgreSQL the whole batch
/// is one statement ([`PG_BATCH`], one round trip: no BEGIN/COMMIT either, a single
/// statement commits atomically on its own); on SQLite each save is its own statement
/// inside one write transaction (local calls, no round trips to save).
pub fn save_batch(
    conn: &mut AnyConnection,
    saves: &[AnswerSave],
) -> QueryResult<Vec<Result<(), SaveRefused>>> {
    match conn {
        AnyConnection::Postgresql(pg) => save_batch_pg(pg, saves),
        AnyConnection::Sqlite(_) => db::write(conn, |conn| {
            saves.iter().map(|s| save_in(conn, s)).collect()
        }),
    }
}

/// The batch as one PostgreSQL statement. The saves come in as four parallel arrays
/// (`unnest … WITH ORDINALITY`: `n` is the queue position). Every attempt named is read
/// `FOR SHARE` (a submission holds its row `FOR UPDATE`, so the batch is wholly before or
/// after it, and after the wait the row read is the submitted one). Each save is judged
/// against its own `at` with `open_state`'s rules, in SQL; of the accepted saves of one
/// (attempt, question) only the last in queue order is written (`DISTINCT ON … n DESC`:
/// an upsert cannot touch a row twice in one statement, and the last save must win),
/// as an upsert when it has an answer and a delete when it clears. Every save gets its
/// outcome back by `n`; `written` says whether what decided its question was done: the
/// upserted row came back from `RETURNING`, or the last save was a clear (clearing an
/// answer never saved is fine). An accepted save not written is an error, not a 204.
const PG_BATCH: &str = "\
WITH s AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamp[])
    WITH ORDINALITY AS s(attempt_id, question_id, answer, at, n)
), a AS MATERIALIZED (
  SELECT id, status, deadline FROM attempts WHERE id = ANY($1::bigint[]) ORDER BY id FOR SHARE
), judged AS MATERIALIZED (
  SELECT s.n, s.attempt_id, s.question_id, s.answer, s.at,
    CASE WHEN a.id IS NULL THEN 'missing'
         WHEN a.status = 'in_progress' AND a.deadline > s.at THEN 'ok'
         WHEN a.status = 'submitted' THEN 'submitted'
         WHEN s.at >= a.deadline THEN 'past_deadline'
         ELSE 'submitted' END AS outcome
  FROM s LEFT JOIN a ON a.id = s.attempt_id
), last AS MATERIALIZED (
  SELECT DISTINCT ON (attempt_id, question_id) attempt_id, question_id, answer, at
  FROM judged WHERE outcome = 'ok' ORDER BY attempt_id, question_id, n DESC
), upserted AS (
  INSERT INTO attempt_answers (attempt_id, question_id, answer, saved_at)
  SELECT attempt_id, question_id, answer, at FROM last WHERE answer <> ''
  ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at
  RETURNING attempt_id, question_id
), cleared AS (
  DELETE FROM attempt_answers d USING last
  WHERE last.answer = '' AND d.attempt_id = last.attempt_id AND d.question_id = last.question_id
  RETURNING d.attempt_id
)
SELECT j.n, j.outcome, COALESCE(l.answer = '' OR u.attempt_id IS NOT NULL, false) AS written
FROM judged j
LEFT JOIN last l ON l.attempt_id = j.attempt_id AND l.question_id = j.question_id
LEFT JOIN upserted u ON u.attempt_id = j.attempt_id AND u.question_id = j.question_id
ORDER BY j.n";

/// One save's outcome as [`PG_BATCH`] returns it.
#[derive(QueryableByName)]
struct BatchRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    outcome: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    written: bool,
}

fn save_batch_pg(
    conn: &mut diesel::PgConnection,
    saves: &[AnswerSave],
) -> QueryResult<Vec<Result<(), SaveRefused>>> {
    use diesel::sql_types::{Array, BigInt, Text, Timestamp};
    if saves.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = saves.iter().map(|s| s.attempt_id).collect();
    let questions: Vec<&str> = saves.iter().map(|s| s.question_id.as_str()).collect();
    let answers: Vec<&str> = saves.iter().map(|s| s.answer.as_str()).collect();
    let ats: Vec<NaiveDateTime> = saves.iter().map(|s| s.at).collect();
    let rows: Vec<BatchRow> = diesel::sql_query(PG_BATCH)
        .bind::<Array<BigInt>, _>(&ids)
        .bind::<Array<Text>, _>(&questions)
        .bind::<Array<Text>, _>(&answers)
        .bind::<Array<Timestamp>, _>(&ats)
        .load(conn)?;
    batch_outcomes(
        saves.len(),
        rows.iter().map(|r| (r.n, r.outcome.as_str(), r.written)),
    )
}

/// The outcomes of a batch in queue order from its rows (`n` counts from 1). Anything
/// but exactly one known outcome per save, each accepted answer written, is an error (the
/// writer then saves one by one).
fn batch_outcomes<'a>(
    saves: usize,
    rows: impl Iterator<Item = (i64, &'a str, bool)>,
) -> QueryResult<Vec<Result<(), SaveRefused>>> {
    let bad = |why: String| diesel::result::Error::DeserializationError(why.into());
    let mut outcomes = Vec::with_capacity(saves);
    for (n, outcome, written) in rows {
        if usize::try_from(n).ok() != Some(outcomes.len() + 1) {
            return Err(bad(format!("answer batch: row {n} out of order")));
        }
        outcomes.push(match outcome {
            "ok" if written => Ok(()),
            "ok" => return Err(bad(format!("answer batch: save {n} accepted, not written"))),
            "missing" => Err(SaveRefused::Missing),
            "submitted" => Err(SaveRefused::Submitted),
            "past_deadline" => Err(SaveRefused::PastDeadline),
            other => return Err(bad(format!("answer batch: unknown outcome {other}"))),
        });
    }
    if outcomes.len() != saves {
        return Err(bad(format!(
            "answer batch: {} outcomes for {saves} saves",
            outcomes.len()
        )));
    }
    Ok(outcomes)
}

/// One save inside the caller's write transaction. One statement: the attempt must be
/// open and before its deadline, checked under a share lock on PostgreSQL (a submission
/// holds the row exclusively, so a save is either in before grading or refused after it)
/// and under the write lock on SQLite.
fn save_in(conn: &mut AnyConnection, save: &AnswerSave) -> QueryResult<Result<(), SaveRefused>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let AnswerSave {
        attempt_id,
        question_id,
        answer,
        at: now,
    } = save;
    let (attempt_id, now) = (*attempt_id, *now);
    let written = if answer.is_empty() {
        let sql = match conn {
            AnyConnection::Postgresql(_) => {
                "DELETE FROM attempt_answers WHERE attempt_id = $1 AND question_id = $3 AND EXISTS \
                 (SELECT 1 FROM attempts WHERE id = $1 AND status = 'in_progress' AND deadline > $2 FOR SHARE)"
            }
            AnyConnection::Sqlite(_) => {
                "DELETE FROM attempt_answers WHERE attempt_id = ?1 AND question_id = ?3 AND EXISTS \
                 (SELECT 1 FROM attempts WHERE id = ?1 AND status = 'in_progress' AND deadline > ?2)"
            }
        };
        let deleted = diesel::sql_query(sql)
            .bind::<BigInt, _>(attempt_id)
            .bind::<Timestamp, _>(now)
            .bind::<Text, _>(question_id)
            .execute(conn)?;
        // Clearing an answer never saved is fine while the attempt is open.
        deleted > 0 || open_state(conn, attempt_id, now)?.is_ok()
    } else {
        let sql = match conn {
            AnyConnection::Postgresql(_) => {
                "WITH open AS (SELECT id FROM attempts WHERE id = $1 AND status = 'in_progress' AND deadline > $2 FOR SHARE) \
                 INSERT INTO attempt_answers (attempt_id, question_id, answer, saved_at) SELECT id, $3, $4, $2 FROM open \
                 ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at"
            }
            AnyConnection::Sqlite(_) => {
                "INSERT INTO attempt_answers (attempt_id, question_id, answer, saved_at) \
                 SELECT id, ?3, ?4, ?2 FROM attempts WHERE id = ?1 AND status = 'in_progress' AND deadline > ?2 \
                 ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at"
            }
        };
        diesel::sql_query(sql)
            .bind::<BigInt, _>(attempt_id)
            .bind::<Timestamp, _>(now)
            .bind::<Text, _>(question_id)
            .bind::<Text, _>(answer)
            .execute(conn)?
            == 1
    };
    if written {
        return Ok(Ok(()));
    }
    Ok(match open_state(conn, attempt_id, now)? {
        Ok(()) => Err(SaveRefused::Submitted),
        Err(why) => Err(why),
    })
}

/// Why an attempt takes no answers now (or `Ok` when it does).
fn open_state(
    conn: &mut AnyConnection,
    attempt_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Result<(), SaveRefused>> {
    let row: Option<(AttemptStatus, NaiveDateTime)> = attempts::table
        .find(attempt_id)
        .select((attempts::status, attempts::deadline))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Err(SaveRefused::Missing),
        Some((AttemptStatus::Submitted, _)) => Err(SaveRefused::Submitted),
        Some((_, deadline)) if now >= deadline => Err(SaveRefused::PastDeadline),
        Some(_) => Ok(()),
    })
}

#[cfg(test)]
#[path = "attempts_tests.rs"]
mod tests;
