//! This process's queue for SQLite's one writer: first come, first served.
//!
//! A plain mutex lets the thread that just unlocked take the lock again before the
//! woken waiter runs. The answer writer, which takes the lock batch after batch, then
//! kept a start or a submit waiting for seconds under a province-sized load. Here each
//! writer draws a ticket and waits for its number, so no writer waits behind more than
//! the writers that came before it.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// The ticket dispenser: the next ticket to draw and the ticket being served.
struct Tickets {
    next: u64,
    serving: u64,
}

/// A first-come-first-served lock (a ticket lock over a mutex and a condition variable).
pub(super) struct Gate {
    tickets: Mutex<Tickets>,
    turn: Condvar,
    /// Writers waiting for their turn now.
    waiting: AtomicUsize,
}

/// The writer's turn, held until dropped.
pub(super) struct Turn<'a>(&'a Gate);

impl Gate {
    pub(super) const fn new() -> Gate {
        Gate {
            tickets: Mutex::new(Tickets {
                next: 0,
                serving: 0,
            }),
            turn: Condvar::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    /// How many writers wait for their turn.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Wait for this writer's turn, counting the wait in `waiting` too (for `/metrics`).
    pub(super) fn enter(&self, waiting: &AtomicI64) -> Turn<'_> {
        waiting.fetch_add(1, Ordering::Relaxed);
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let mut t = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = t.next;
        t.next += 1;
        while t.serving != mine {
            t = self.turn.wait(t).unwrap_or_else(PoisonError::into_inner);
        }
        drop(t);
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        waiting.fetch_sub(1, Ordering::Relaxed);
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut t = self
            .0
            .tickets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        t.serving += 1;
        drop(t);
        // Every waiter checks whether its number is up (a handful: the pool's size).
        self.0.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn writers_are_served_in_the_order_they_came() {
        let gate = Arc::new(Gate::new());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = gate.enter(&AtomicI64::new(0));
        let mut threads = Vec::new();
        for i in 0..8 {
            let (mine, order) = (gate.clone(), order.clone());
            threads.push(std::thread::spawn(move || {
                let _turn = mine.enter(&AtomicI64::new(0));
                order.lock().unwrap().push(i);
            }));
            // Each has drawn its ticket before the next one starts.
            while gate.waiting() < i + 1 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        drop(first);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn a_writer_that_leaves_and_comes_back_queues_behind_the_waiting() {
        let gate = Arc::new(Gate::new());
        let turn = gate.enter(&AtomicI64::new(0));
        let waiter = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let _turn = gate.enter(&AtomicI64::new(0));
                std::time::Instant::now()
            })
        };
        while gate.waiting() < 1 {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(turn);
        // Back at once: with a plain mutex this thread could take the lock again first.
        let again = gate.enter(&AtomicI64::new(0));
        let back = std::time::Instant::now();
        drop(again);
        let served = waiter.join().unwrap();
        assert!(served <= back, "the waiting writer was served first");
    }
}
