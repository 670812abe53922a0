//! Exams and attempts in the database. Saving an answer and submitting an attempt are
//! serialized per attempt (SQLite: the write lock; PostgreSQL: `FOR SHARE` / `FOR
//! UPDATE` on the attempt row), so an answer is either graded or refused — never saved
//! after grading.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::rules::{self, Response};
use super::{Attempt, Exam, IN_PROGRESS, SUBMITTED};
use crate::audit::{self, Actor, Entry};
use crate::bank::Question;
use crate::db::schema::{attempt_answers, attempt_items, attempts, doctors, exams, regions};
use crate::db::{self, AnyConnection};
use crate::regions::Scope;
use crate::regions::store::in_scope;

#[derive(Insertable)]
#[diesel(table_name = exams)]
pub struct NewExam {
    pub title: String,
    pub kind: String,
    pub program_id: i64,
    pub region_code: String,
    pub cohort_year: Option<i32>,
    pub year: i32,
    pub makeup_of: Option<i64>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub pass_score: f64,
    pub max_score: f64,
    pub attempts_allowed: i32,
    pub x_scoring: String,
    pub shuffle_options: bool,
    pub blueprint: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn insert_exam(conn: &mut AnyConnection, new: &NewExam, actor: &Actor) -> QueryResult<Exam> {
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(exams::table)
            .values(new)
            .returning(exams::id)
            .get_result(conn)?;
        let exam: Exam = exams::table
            .find(id)
            .select(Exam::as_select())
            .first(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("exam.created")
                .target(format!("exam:{}", exam.id))
                .detail(serde_json::json!({
                    "title": exam.title, "kind": exam.kind, "program_id": exam.program_id,
                    "region_code": exam.region_code, "max_score": exam.max_score,
                })),
            new.created_at,
        )?;
        Ok(exam)
    })
}

/// An exam and its region's path.
pub fn get_exam(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(Exam, String)>> {
    exams::table
        .inner_join(regions::table)
        .filter(exams::id.eq(id))
        .select((Exam::as_select(), regions::path))
        .first(conn)
        .optional()
}

/// The codes on a region path, root first (`/370000/370400/` → 370000, 370400).
pub fn codes_of(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Exams an admin works with: set in their subtree, or above it (a city's exam is sat
/// by a county's doctors). Newest window first.
pub fn list_for_region(
    conn: &mut AnyConnection,
    scope: &Scope,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Exam>, i64)> {
    let above = codes_of(&scope.path);
    let visible = in_scope(scope).or(exams::region_code.eq_any(above));
    let total = exams::table
        .inner_join(regions::table)
        .filter(visible.clone())
        .count()
        .get_result(conn)?;
    let rows = exams::table
        .inner_join(regions::table)
        .filter(visible)
        .order((exams::opens_at.desc(), exams::id.desc()))
        .select(Exam::as_select())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// Exams a doctor may see: of their program, set for their region or above it, for
/// their cohort or all cohorts.
pub fn list_for_doctor(
    conn: &mut AnyConnection,
    program_id: i64,
    region_path: &str,
    cohort_year: i32,
) -> QueryResult<Vec<Exam>> {
    exams::table
        .filter(exams::program_id.eq(program_id))
        .filter(exams::region_code.eq_any(codes_of(region_path)))
        .filter(
            exams::cohort_year
                .is_null()
                .or(exams::cohort_year.eq(cohort_year)),
        )
        .order((exams::opens_at.desc(), exams::id.desc()))
        .select(Exam::as_select())
        .load(conn)
}

/// The questions a blueprint may draw from, in bank order.
pub fn pool(conn: &mut AnyConnection, blueprint: &super::Blueprint) -> QueryResult<Vec<Question>> {
    let mut areas: Vec<String> = blueprint.items.iter().map(|l| l.area.clone()).collect();
    areas.sort();
    areas.dedup();
    crate::bank::store::list(
        conn,
        &crate::bank::store::Filter {
            collection: None,
            areas: Some(areas),
            active_only: true,
        },
    )
}

pub fn attempts_of(
    conn: &mut AnyConnection,
    exam_id: i64,
    doctor_id: i64,
) -> QueryResult<Vec<Attempt>> {
    attempts::table
        .filter(
            attempts::exam_id
                .eq(exam_id)
                .and(attempts::doctor_id.eq(doctor_id)),
        )
        .order(attempts::attempt_no)
        .select(Attempt::as_select())
        .load(conn)
}

/// A doctor's attempts at several exams: (exam, attempt no, status, score, passed,
/// deadline), without papers.
pub type AttemptSummary = (
    i64,
    i64,
    i32,
    String,
    Option<f64>,
    Option<bool>,
    NaiveDateTime,
);

pub fn summaries_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<AttemptSummary>> {
    attempts::table
        .filter(attempts::doctor_id.eq(doctor_id))
        .order((attempts::exam_id, attempts::attempt_no))
        .select((
            attempts::exam_id,
            attempts::id,
            attempts::attempt_no,
            attempts::status,
            attempts::score,
            attempts::passed,
            attempts::deadline,
        ))
        .load(conn)
}

pub fn get_attempt(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Attempt>> {
    attempts::table
        .find(id)
        .select(Attempt::as_select())
        .first(conn)
        .optional()
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

/// One graded item of a submitted attempt.
#[derive(Debug, Clone, Queryable)]
pub struct GradedItem {
    pub position: i32,
    pub question_id: String,
    pub answer: Option<String>,
    pub points: f64,
    pub max_points: f64,
}

/// The graded items of a submitted attempt, in paper order.
pub fn items_of(conn: &mut AnyConnection, attempt_id: i64) -> QueryResult<Vec<GradedItem>> {
    attempt_items::table
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .order(attempt_items::position)
        .select((
            attempt_items::position,
            attempt_items::question_id,
            attempt_items::answer,
            attempt_items::points,
            attempt_items::max_points,
        ))
        .load(conn)
}

/// What starting an attempt found.
pub enum Started {
    /// A new attempt.
    New(Attempt),
    /// The attempt already open (a reload, a second device, a double tap).
    Resumed(Attempt),
    /// Every allowed attempt is used.
    Exhausted(i32),
}

/// Start (or resume) the doctor's attempt. An open attempt past its deadline is graded
/// first. `paper` is drawn by the caller from `seed`.
pub fn start(
    conn: &mut AnyConnection,
    exam: &Exam,
    doctor_id: i64,
    seed: u64,
    paper: &[super::PaperItem],
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Started> {
    let outcome = db::write(conn, |conn| {
        let existing = attempts_of(conn, exam.id, doctor_id)?;
        if let Some(open) = existing.iter().find(|a| a.is_open()) {
            if open.deadline > now {
                return Ok(Started::Resumed(open.clone()));
            }
            submit_locked(conn, exam, open.id, "deadline", actor, now)?;
        }
        let used = existing.len() as i32;
        if used >= exam.attempts_allowed {
            return Ok(Started::Exhausted(used));
        }
        let deadline = rules::deadline(now, exam.duration_minutes, exam.closes_at);
        let max_score = rules::round2(paper.iter().map(|i| i.points).sum());
        let id: i64 = diesel::insert_into(attempts::table)
            .values((
                attempts::exam_id.eq(exam.id),
                attempts::doctor_id.eq(doctor_id),
                attempts::attempt_no.eq(used + 1),
                attempts::seed.eq(format!("{seed:016x}")),
                attempts::started_at.eq(now),
                attempts::deadline.eq(deadline),
                attempts::status.eq(IN_PROGRESS),
                attempts::max_score.eq(max_score),
                attempts::paper.eq(serde_json::to_string(paper).unwrap_or_else(|_| "[]".into())),
            ))
            .returning(attempts::id)
            .get_result(conn)?;
        let attempt: Attempt = attempts::table
            .find(id)
            .select(Attempt::as_select())
            .first(conn)?;
        audit::record(
            conn,
            actor,
            &Entry::new("exam.attempt_started")
                .target(format!("attempt:{}", attempt.id))
                .detail(serde_json::json!({
                    "exam_id": exam.id, "doctor_id": doctor_id, "attempt_no": attempt.attempt_no,
                    "seed": attempt.seed, "deadline": crate::time::rfc3339(deadline),
                })),
            now,
        )?;
        Ok(Started::New(attempt))
    });
    match outcome {
        // Two starts at once (PostgreSQL): the loser resumes the winner's attempt.
        Err(e) if db::is_unique_violation(&e) => {
            let existing = attempts_of(conn, exam.id, doctor_id)?;
            match existing.into_iter().find(Attempt::is_open) {
                Some(open) => Ok(Started::Resumed(open)),
                None => Err(e),
            }
        }
        other => other,
    }
}

/// Lock the attempt row for the rest of the transaction (PostgreSQL; SQLite's write
/// transaction already excludes every other writer) and read its state.
fn lock_attempt(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(String, NaiveDateTime)>> {
    let query = attempts::table
        .find(id)
        .select((attempts::status, attempts::deadline));
    match conn {
        AnyConnection::Postgresql(c) => query.for_update().first(c).optional(),
        AnyConnection::Sqlite(c) => query.first(c).optional(),
    }
}

/// Why a save was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveRefused {
    Missing,
    Submitted,
    PastDeadline,
}

/// Save one answer (an empty answer clears it). Idempotent: the last save wins. One
/// statement: the attempt must be open and before its deadline, checked under a share
/// lock on PostgreSQL (a submission holds the row exclusively, so a save is either in
/// before grading or refused after it) and under the write lock on SQLite.
pub fn save_answer(
    conn: &mut AnyConnection,
    attempt_id: i64,
    question_id: &str,
    answer: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<(), SaveRefused>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
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
        let deleted = db::sqlite_writer(conn, |conn| {
            diesel::sql_query(sql)
                .bind::<BigInt, _>(attempt_id)
                .bind::<Timestamp, _>(now)
                .bind::<Text, _>(question_id)
                .execute(conn)
        })?;
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
        db::sqlite_writer(conn, |conn| {
            diesel::sql_query(sql)
                .bind::<BigInt, _>(attempt_id)
                .bind::<Timestamp, _>(now)
                .bind::<Text, _>(question_id)
                .bind::<Text, _>(answer)
                .execute(conn)
        })? == 1
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
    let row: Option<(String, NaiveDateTime)> = attempts::table
        .find(attempt_id)
        .select((attempts::status, attempts::deadline))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Err(SaveRefused::Missing),
        Some((status, _)) if status != IN_PROGRESS => Err(SaveRefused::Submitted),
        Some((_, deadline)) if now >= deadline => Err(SaveRefused::PastDeadline),
        Some(_) => Ok(()),
    })
}

/// What a save needs to know of an attempt, kept in memory: a paper never changes once
/// drawn, so this never goes stale (whether it is still open is the database's to say).
#[derive(Debug, Clone)]
pub struct Shape {
    pub attempt_id: i64,
    pub exam_id: i64,
    /// The account of the doctor who sits it.
    pub owner: Option<i64>,
    /// Question id → (type, option keys).
    pub items: HashMap<String, (crate::bank::QType, Vec<char>)>,
}

impl Shape {
    pub fn of(attempt: &Attempt, owner: Option<i64>) -> Shape {
        let items = attempt
            .paper()
            .into_iter()
            .map(|i| {
                let keys = i
                    .options
                    .iter()
                    .filter_map(|o| o.key.chars().next())
                    .collect();
                (i.question_id, (i.qtype, keys))
            })
            .collect();
        Shape {
            attempt_id: attempt.id,
            exam_id: attempt.exam_id,
            owner,
            items,
        }
    }
}

/// The engine's in-memory caches (one per process; both hold only what cannot change
/// or is checked against the database before use).
#[derive(Default)]
pub struct Caches {
    shapes: std::sync::Mutex<HashMap<i64, std::sync::Arc<Shape>>>,
    pools: std::sync::Mutex<HashMap<i64, CachedPool>>,
}

/// Papers kept in memory at most (a county's sitting is a few thousand).
const MAX_SHAPES: usize = 50_000;

impl Caches {
    pub fn shape(&self, attempt_id: i64) -> Option<std::sync::Arc<Shape>> {
        self.shapes.lock().ok()?.get(&attempt_id).cloned()
    }

    pub fn keep_shape(&self, shape: Shape) -> std::sync::Arc<Shape> {
        let shape = std::sync::Arc::new(shape);
        if let Ok(mut shapes) = self.shapes.lock() {
            if shapes.len() >= MAX_SHAPES {
                shapes.clear();
            }
            shapes.insert(shape.attempt_id, shape.clone());
        }
        shape
    }

    /// The drawing pool of an exam, reloaded whenever the bank has changed.
    pub fn pool(
        &self,
        conn: &mut AnyConnection,
        exam_id: i64,
        blueprint: &super::Blueprint,
    ) -> QueryResult<std::sync::Arc<Vec<Question>>> {
        let now = fingerprint(conn)?;
        if let Some((seen, pool)) = self
            .pools
            .lock()
            .ok()
            .and_then(|p| p.get(&exam_id).cloned())
            && seen == now
        {
            return Ok(pool);
        }
        let loaded = std::sync::Arc::new(pool(conn, blueprint)?);
        if let Ok(mut pools) = self.pools.lock() {
            if pools.len() > 1_000 {
                pools.clear();
            }
            pools.insert(exam_id, (now, loaded.clone()));
        }
        Ok(loaded)
    }
}

/// A drawing pool and the bank state it was loaded at.
type CachedPool = (Fingerprint, std::sync::Arc<Vec<Question>>);

/// What changes whenever any question is added, edited or retired.
type Fingerprint = (i64, Option<NaiveDateTime>);

fn fingerprint(conn: &mut AnyConnection) -> QueryResult<Fingerprint> {
    use crate::db::schema::questions;
    questions::table
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(questions::updated_at),
        ))
        .first(conn)
}

/// Submit and grade an attempt (idempotent: a submitted attempt is returned as it is).
/// `by` is `candidate` or `deadline`.
pub fn submit(
    conn: &mut AnyConnection,
    exam: &Exam,
    attempt_id: i64,
    by: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Option<Attempt>> {
    db::write(conn, |conn| {
        submit_locked(conn, exam, attempt_id, by, actor, now)?;
        get_attempt(conn, attempt_id)
    })
}

fn submit_locked(
    conn: &mut AnyConnection,
    exam: &Exam,
    attempt_id: i64,
    by: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some((status, deadline)) = lock_attempt(conn, attempt_id)? else {
        return Ok(());
    };
    if status != IN_PROGRESS {
        return Ok(());
    }
    let Some(attempt) = get_attempt(conn, attempt_id)? else {
        return Ok(());
    };
    let answers = answers_of(conn, attempt_id)?;
    let graded = rules::grade_paper(&attempt.paper(), &answers, exam.x_scoring());
    let rows: Vec<_> = graded
        .items
        .iter()
        .map(|(position, qid, given, points, max)| {
            (
                attempt_items::attempt_id.eq(attempt_id),
                attempt_items::position.eq(*position as i32),
                attempt_items::question_id.eq(qid.clone()),
                attempt_items::answer.eq(given.clone()),
                attempt_items::points.eq(*points),
                attempt_items::max_points.eq(*max),
            )
        })
        .collect();
    for chunk in rows.chunks(100) {
        crate::per_backend!(conn, |c| diesel::insert_into(attempt_items::table)
            .values(chunk)
            .execute(c))?;
    }
    let passed = rules::passed(graded.score, exam.pass_score);
    // Submitted at the deadline by the job: the moment recorded is the deadline itself.
    let at = if by == "deadline" {
        deadline.min(now)
    } else {
        now
    };
    diesel::update(attempts::table.find(attempt_id))
        .set((
            attempts::status.eq(SUBMITTED),
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
    Ok(())
}

/// Submit every attempt still open at its deadline, in batches; returns how many. On
/// PostgreSQL rows another instance is grading are skipped (`SKIP LOCKED`), so several
/// instances may run the job at once.
pub fn close_overdue(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let mut closed = 0;
    loop {
        let batch = db::write(conn, |conn| {
            let query = attempts::table
                .filter(
                    attempts::status
                        .eq(IN_PROGRESS)
                        .and(attempts::deadline.le(now)),
                )
                .order(attempts::deadline)
                .select((attempts::id, attempts::exam_id))
                .limit(100);
            let due: Vec<(i64, i64)> = match conn {
                AnyConnection::Postgresql(c) => query.for_update().skip_locked().load(c)?,
                AnyConnection::Sqlite(c) => query.load(c)?,
            };
            let mut exams_seen: HashMap<i64, Exam> = HashMap::new();
            for (attempt_id, exam_id) in &due {
                if !exams_seen.contains_key(exam_id) {
                    let exam = exams::table
                        .find(exam_id)
                        .select(Exam::as_select())
                        .first(conn)?;
                    exams_seen.insert(*exam_id, exam);
                }
                if let Some(exam) = exams_seen.get(exam_id) {
                    submit_locked(
                        conn,
                        exam,
                        *attempt_id,
                        "deadline",
                        &Actor::job("deadline-job"),
                        now,
                    )?;
                }
            }
            Ok::<_, diesel::result::Error>(due.len())
        })?;
        closed += batch;
        if batch < 100 {
            return Ok(closed);
        }
    }
}

/// One candidate's attempt, for the results table.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct ResultRow {
    pub attempt_id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub region_code: String,
    pub region_name: String,
    pub attempt_no: i32,
    pub status: String,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub started_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<String>,
    pub score: Option<f64>,
    pub max_score: f64,
    pub passed: Option<bool>,
}

/// The attempts at an exam by doctors in `scope`, by region then name.
pub fn results(
    conn: &mut AnyConnection,
    exam_id: i64,
    scope: &Scope,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<ResultRow>, i64)> {
    let base = || {
        attempts::table
            .inner_join(doctors::table.inner_join(regions::table))
            .filter(attempts::exam_id.eq(exam_id))
            .filter(in_scope(scope))
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((
            regions::path,
            doctors::name,
            doctors::id,
            attempts::attempt_no,
        ))
        .select((
            attempts::id,
            doctors::id,
            doctors::name,
            regions::code,
            regions::name,
            attempts::attempt_no,
            attempts::status,
            attempts::started_at,
            attempts::submitted_at,
            attempts::submitted_by,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// The graded items of every submitted attempt in `scope`, for item analysis.
pub fn responses(
    conn: &mut AnyConnection,
    exam_id: i64,
    scope: &Scope,
) -> QueryResult<Vec<Response>> {
    let rows: Vec<(i64, i32, String, f64, f64)> = attempt_items::table
        .inner_join(attempts::table.inner_join(doctors::table.inner_join(regions::table)))
        .filter(
            attempts::exam_id
                .eq(exam_id)
                .and(attempts::status.eq(SUBMITTED)),
        )
        .filter(in_scope(scope))
        .order((attempt_items::attempt_id, attempt_items::position))
        .select((
            attempt_items::attempt_id,
            attempt_items::position,
            attempt_items::question_id,
            attempt_items::points,
            attempt_items::max_points,
        ))
        .load(conn)?;
    let mut out: Vec<Response> = Vec::new();
    let mut current = None;
    for (attempt, position, qid, points, max) in rows {
        if current != Some(attempt) {
            out.push(Response { items: Vec::new() });
            current = Some(attempt);
        }
        if let Some(r) = out.last_mut() {
            r.items.push((position as usize, qid, points, max));
        }
    }
    Ok(out)
}

/// The bank's text of questions (stem, type, area) for the analysis page.
pub fn question_texts(
    conn: &mut AnyConnection,
    qids: &[String],
) -> QueryResult<HashMap<String, (String, String, String)>> {
    use crate::db::schema::questions;
    let mut out = HashMap::new();
    for chunk in qids.chunks(500) {
        let rows: Vec<(String, String, String, String)> = questions::table
            .filter(questions::qid.eq_any(chunk))
            .select((
                questions::qid,
                questions::qtype,
                questions::area,
                questions::stem,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(q, t, a, s)| (q, (t, a, s))));
    }
    Ok(out)
}

/// Has the doctor passed this exam?
pub fn has_passed(conn: &mut AnyConnection, exam_id: i64, doctor_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        attempts::table.filter(
            attempts::exam_id
                .eq(exam_id)
                .and(attempts::doctor_id.eq(doctor_id))
                .and(attempts::passed.eq(true)),
        ),
    ))
    .get_result(conn)
}

/// The best submitted attempt at one annual exam.
#[derive(Debug, Clone, Queryable)]
pub struct AnnualResult {
    pub year: i32,
    pub exam_id: i64,
    pub title: String,
    pub score: Option<f64>,
    pub max_score: f64,
    pub passed: Option<bool>,
}

/// A doctor's annual assessments: per annual exam, the best submitted attempt.
pub fn annual_results(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<AnnualResult>> {
    let rows: Vec<AnnualResult> = attempts::table
        .inner_join(exams::table)
        .filter(attempts::doctor_id.eq(doctor_id))
        .filter(exams::kind.eq("annual").and(attempts::status.eq(SUBMITTED)))
        .order((exams::year, exams::id, attempts::score.desc()))
        .select((
            exams::year,
            exams::id,
            exams::title,
            attempts::score,
            attempts::max_score,
            attempts::passed,
        ))
        .load(conn)?;
    let mut out: Vec<AnnualResult> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|l| l.exam_id != row.exam_id) {
            out.push(row);
        }
    }
    Ok(out)
}
