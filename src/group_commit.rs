//! Group commit of whole writes on SQLite: a use case hands its write (a closure over a
//! connection) to one writer thread, which runs what has queued — each write in its own
//! savepoint — inside one write transaction, commits once, and only then answers each
//! caller with its own outcome.
//!
//! Why: SQLite takes one writer at a time, and every commit makes every other pooled
//! connection drop its page cache and read its pages again. A province's exam starts and
//! submits arrive by the hundred per second; one commit per batch instead of one per
//! request keeps the writer's turn short and the readers' caches warm.
//!
//! - A write that fails rolls back to its savepoint and changes nothing; the others stand.
//! - Nothing is acknowledged before its batch commits. If the commit itself fails (a full
//!   disk), every write of the batch answers 503 and none of them happened.
//! - No write waits for company: a batch begins with the first write that queues and
//!   takes what else queues while it runs, up to [`BATCH`] writes or [`TURN`] of the
//!   writer's time, so the answer saves queued behind it wait one short turn.
//! - PostgreSQL has no single writer to spare; there the write runs at once on a pooled
//!   connection, as [`AppState::db`](crate::state::AppState::db) does.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, OnceLock, PoisonError};

use actix_web::web;
use diesel::Connection;
use tokio::sync::oneshot;

use crate::db::{self, AnyConnection, Backend, Pool};
use crate::error::{AppError, AppResult};
use crate::metrics::GROUP_WRITES_QUEUED;

/// Writes committed in one transaction at most.
pub const BATCH: usize = 64;
/// A batch takes no more writes once it has held SQLite's writer this long, so the
/// answer saves queued behind it wait one short turn (a submit grades and writes 50
/// items: a few milliseconds each).
pub const TURN: std::time::Duration = std::time::Duration::from_millis(10);
/// Writes that may wait in the queue; past it a write waits for room (off the executor).
pub const QUEUE: usize = 4096;

/// One queued write: run it inside the batch, then answer its caller.
trait Work: Send {
    /// Run inside the batch's transaction, in a savepoint of its own.
    fn run(&mut self, conn: &mut AnyConnection);
    /// Answer the caller: its outcome if the batch committed, else `failed`.
    fn answer(self: Box<Self>, failed: Option<&str>);
}

struct Pending<T, F> {
    write: Option<F>,
    outcome: Option<AppResult<T>>,
    reply: oneshot::Sender<AppResult<T>>,
}

impl<T, F> Work for Pending<T, F>
where
    T: Send,
    F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send,
{
    fn run(&mut self, conn: &mut AnyConnection) {
        if let Some(write) = self.write.take() {
            self.outcome = Some(conn.transaction(write));
        }
    }

    fn answer(self: Box<Self>, failed: Option<&str>) {
        let outcome = match (failed, self.outcome) {
            (None, Some(outcome)) => outcome,
            (Some(why), _) => Err(AppError::Unavailable(why.to_owned())),
            (None, None) => Err(AppError::internal("a queued write never ran")),
        };
        let _ = self.reply.send(outcome);
    }
}

type Job = Box<dyn Work>;

/// The group-commit writer of this process (its thread starts with the first write and
/// ends when the last handle on the writer is dropped).
pub struct GroupWriter {
    pool: Pool,
    backend: Backend,
    queue: OnceLock<SyncSender<Job>>,
    /// Serialises starting the thread.
    start: Mutex<()>,
}

impl GroupWriter {
    pub fn new(pool: Pool, backend: Backend) -> GroupWriter {
        GroupWriter {
            pool,
            backend,
            queue: OnceLock::new(),
            start: Mutex::new(()),
        }
    }

    fn queue(&self) -> AppResult<SyncSender<Job>> {
        if let Some(q) = self.queue.get() {
            return Ok(q.clone());
        }
        let _starting = self.start.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(q) = self.queue.get() {
            return Ok(q.clone());
        }
        let (tx, rx) = sync_channel(QUEUE);
        let pool = self.pool.clone();
        std::thread::Builder::new()
            .name("cunyi-group-writer".into())
            .spawn(move || run(&pool, &rx))
            .map_err(AppError::internal)?;
        let _ = self.queue.set(tx.clone());
        Ok(tx)
    }

    /// Run `write` in the next batch (SQLite) or at once (PostgreSQL), and return its
    /// outcome once it is committed. `write` makes its own transaction ([`db::write`]:
    /// on SQLite a savepoint inside the batch's) and should only write: the reads that
    /// decide whether to write belong before it, so the writer's turn stays short.
    pub async fn write<T, F>(&self, write: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    {
        if self.backend == Backend::Postgres {
            let pool = self.pool.clone();
            return web::block(move || {
                let mut conn = pool.get().map_err(AppError::from)?;
                write(&mut conn)
            })
            .await?;
        }
        let queue = self.queue()?;
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(Pending {
            write: Some(write),
            outcome: None,
            reply,
        });
        GROUP_WRITES_QUEUED.fetch_add(1, Ordering::Relaxed);
        match queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(job)) => {
                web::block(move || queue.send(job))
                    .await?
                    .map_err(|_| AppError::internal("the group writer has stopped"))?;
            }
            Err(TrySendError::Disconnected(_)) => {
                GROUP_WRITES_QUEUED.fetch_sub(1, Ordering::Relaxed);
                return Err(AppError::internal("the group writer has stopped"));
            }
        }
        answer
            .await
            .map_err(|_| AppError::internal("the group writer dropped a write"))?
    }
}

/// The writer thread: a batch per turn, begun by the first write that queues.
fn run(pool: &Pool, queue: &Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    while let Ok(first) = queue.recv() {
        GROUP_WRITES_QUEUED.fetch_sub(1, Ordering::Relaxed);
        batch.push(first);
        commit(pool, queue, &mut batch);
        batch.clear();
    }
}

/// Run the batch in one write transaction — the first write, then what else has queued
/// while the turn lasts ([`BATCH`], [`TURN`]) — and answer every write of it.
fn commit(pool: &Pool, queue: &Receiver<Job>, batch: &mut Vec<Job>) {
    // The connection lives inside the unwind guard: if a write panics (a bug), it is
    // dropped while unwinding, so the pool discards it with its open transaction (which
    // closing rolls back) instead of lending it out again.
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut conn = pool
            .get()
            .map_err(|e| format!("no connection for the batch: {e}"))?;
        db::write(&mut conn, |conn| {
            let turn = std::time::Instant::now();
            let mut next = 0;
            while next < batch.len() {
                batch[next].run(conn);
                next += 1;
                if next == batch.len()
                    && batch.len() < BATCH
                    && turn.elapsed() < TURN
                    && let Ok(job) = queue.try_recv()
                {
                    GROUP_WRITES_QUEUED.fetch_sub(1, Ordering::Relaxed);
                    batch.push(job);
                }
            }
            Ok::<_, diesel::result::Error>(())
        })
        .map_err(|e| format!("the batch did not commit: {e}"))
    }));
    let failed = match ran {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why),
        Err(_) => Some("a write of the batch panicked; the batch was rolled back".to_owned()),
    };
    if let Some(why) = &failed {
        tracing::error!(writes = batch.len(), error = %why, "group commit failed");
    }
    for job in batch.drain(..) {
        job.answer(failed.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::RunQueryDsl;

    fn sqlite() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("g.db").to_string_lossy().into_owned();
        let pool = db::build_pool(&url, 4).unwrap();
        let mut conn = pool.get().unwrap();
        diesel::sql_query("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
            .execute(&mut conn)
            .unwrap();
        (dir, pool)
    }

    fn count(pool: &Pool) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let rows: Vec<N> = diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .load(&mut pool.get().unwrap())
            .unwrap();
        rows[0].n
    }

    fn insert(v: i64) -> impl FnOnce(&mut AnyConnection) -> AppResult<i64> + Send + 'static {
        move |conn| {
            diesel::sql_query(format!("INSERT INTO t (v) VALUES ({v})")).execute(conn)?;
            Ok(v)
        }
    }

    #[actix_web::test]
    async fn each_write_answers_with_its_own_outcome_and_a_failed_one_changes_nothing() {
        let (_dir, pool) = sqlite();
        let writer = std::sync::Arc::new(GroupWriter::new(pool.clone(), Backend::Sqlite));
        // 200 writes at once, every tenth a duplicate of an earlier value.
        let calls = (0..200).map(|i| {
            let writer = writer.clone();
            async move {
                let v = if i % 10 == 9 { i - 9 } else { i };
                (i, writer.write(insert(v)).await)
            }
        });
        let outcomes = futures_util::future::join_all(calls).await;
        let mut ok = 0;
        for (i, outcome) in outcomes {
            match outcome {
                Ok(v) => {
                    assert_ne!(i % 10, 9, "a duplicate was accepted");
                    assert_eq!(v, i);
                    ok += 1;
                }
                Err(e) => assert_eq!(i % 10, 9, "write {i} failed: {e}"),
            }
        }
        assert_eq!(ok, 180);
        assert_eq!(count(&pool), 180);
    }

    #[actix_web::test]
    async fn a_panicking_write_rolls_back_its_batch_and_the_writer_goes_on() {
        let (_dir, pool) = sqlite();
        let writer = GroupWriter::new(pool.clone(), Backend::Sqlite);
        let outcome = writer
            .write(|conn| {
                diesel::sql_query("INSERT INTO t (v) VALUES (1)").execute(conn)?;
                if conn.backend() == Backend::Sqlite {
                    panic!("a bug in a write");
                }
                Ok(())
            })
            .await;
        assert!(
            matches!(outcome, Err(AppError::Unavailable(_))),
            "{outcome:?}"
        );
        assert_eq!(count(&pool), 0);
        assert_eq!(writer.write(insert(2)).await.unwrap(), 2);
        assert_eq!(count(&pool), 1);
    }
}
