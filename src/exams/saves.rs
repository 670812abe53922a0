//! Group commit of answer saves: every `PUT /attempts/{id}/answers/{q}` of this process
//! queues (a bounded channel) to one writer thread, which commits what has queued as one
//! write transaction ([`store::save_batch`], at most [`BATCH`] saves), then answers each
//! save with its own outcome. A save is acknowledged only after its batch commits, so an
//! acknowledged answer survives a crash; a refused save (deadline passed, submitted)
//! is decided inside the batch and changes nothing else.
//!
//! No save waits for company: a batch is what queued while the previous one committed
//! (under load many, alone one), which keeps a lone save as fast as before and turns a
//! crowd's commits into one. If a batch fails as a whole (a database error), each of its
//! saves is retried as its own transaction, so one bad save cannot sink the others.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, OnceLock};

use actix_web::web;
use tokio::sync::oneshot;

use crate::db::{Pool, PooledConn};
use crate::error::{AppError, AppResult};
use crate::exams::store::{self, AnswerSave, SaveRefused};
use crate::metrics::ANSWER_SAVES_QUEUED;

/// Saves committed in one transaction at most.
pub const BATCH: usize = 256;
/// Saves that may wait in the queue; past it a save waits for room (off the executor).
pub const QUEUE: usize = 8192;

type Outcome = AppResult<Result<(), SaveRefused>>;

struct Job {
    save: AnswerSave,
    reply: oneshot::Sender<Outcome>,
}

/// The writer of this process's answer saves (started with the first save; it ends when
/// the last handle on it is dropped).
pub struct AnswerWriter {
    pool: Pool,
    queue: OnceLock<SyncSender<Job>>,
    /// Serialises starting the thread.
    start: Mutex<()>,
}

impl AnswerWriter {
    pub fn new(pool: Pool) -> AnswerWriter {
        AnswerWriter {
            pool,
            queue: OnceLock::new(),
            start: Mutex::new(()),
        }
    }

    fn queue(&self) -> AppResult<SyncSender<Job>> {
        if let Some(q) = self.queue.get() {
            return Ok(q.clone());
        }
        let _starting = self
            .start
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(q) = self.queue.get() {
            return Ok(q.clone());
        }
        let (tx, rx) = sync_channel(QUEUE);
        let pool = self.pool.clone();
        std::thread::Builder::new()
            .name("cunyi-answer-writer".into())
            .spawn(move || run(&pool, &rx))
            .map_err(AppError::internal)?;
        let _ = self.queue.set(tx.clone());
        Ok(tx)
    }

    /// Queue one save and wait until its batch has committed (or refused it).
    pub async fn save(&self, save: AnswerSave) -> Outcome {
        let queue = self.queue()?;
        let (reply, answer) = oneshot::channel();
        ANSWER_SAVES_QUEUED.fetch_add(1, Ordering::Relaxed);
        match queue.try_send(Job { save, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(job)) => {
                web::block(move || queue.send(job))
                    .await?
                    .map_err(|_| AppError::internal("the answer writer has stopped"))?;
            }
            Err(TrySendError::Disconnected(_)) => {
                ANSWER_SAVES_QUEUED.fetch_sub(1, Ordering::Relaxed);
                return Err(AppError::internal("the answer writer has stopped"));
            }
        }
        answer
            .await
            .map_err(|_| AppError::internal("the answer writer dropped a save"))?
    }
}

/// The writer thread: take what has queued (up to [`BATCH`]), commit it, answer each.
/// It keeps its connection between batches (a checkout tests the connection with a
/// round trip of its own, which on PostgreSQL cost as much as the batch's statement);
/// after a failure it hands it back and takes a tested one.
fn run(pool: &Pool, queue: &Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    let mut kept: Option<PooledConn> = None;
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let taken = i64::try_from(batch.len()).unwrap_or(i64::MAX);
        ANSWER_SAVES_QUEUED.fetch_sub(taken, Ordering::Relaxed);
        commit(pool, &mut kept, std::mem::take(&mut batch));
    }
}

fn commit(pool: &Pool, kept: &mut Option<PooledConn>, batch: Vec<Job>) {
    let saves: Vec<AnswerSave> = batch.iter().map(|j| j.save.clone()).collect();
    let conn = match kept.take() {
        Some(conn) => Ok(conn),
        None => pool.get().map_err(AppError::from),
    };
    let outcome = conn.and_then(|mut conn| {
        let outcome = store::save_batch(&mut conn, &saves).map_err(AppError::from);
        if outcome.is_ok() {
            *kept = Some(conn);
        }
        outcome
    });
    match outcome {
        Ok(outcomes) if outcomes.len() == batch.len() => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Ok(_) | Err(_) => {
            if let Err(e) = &outcome {
                tracing::warn!(error = %e, saves = batch.len(), "answer batch failed; saving one by one");
            }
            for job in batch {
                let outcome = pool.get().map_err(AppError::from).and_then(|mut conn| {
                    let s = &job.save;
                    store::save_answer(&mut conn, s.attempt_id, &s.question_id, &s.answer, s.at)
                        .map_err(AppError::from)
                });
                let _ = job.reply.send(outcome);
            }
        }
    }
}
