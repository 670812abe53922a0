//! Token checks without a query: this process keeps, per account, what the token
//! check and the [`super::CurrentUser`] extractor read (the account row with its token
//! version and `disabled`, its region, its doctor or instructor record).
//!
//! Who keeps it true:
//! - this process forgets an account after each of its own writes to it (login, logout,
//!   password change or reset, disabling, email, linking a doctor record), once the
//!   write has committed, so revocation stays immediate on one instance;
//! - on PostgreSQL other instances learn of a change through `LISTEN cunyi_users`: a
//!   trigger on `users` (and on the links of `doctors`/`instructors`) sends the account
//!   id with `pg_notify` on commit, and a listener thread per process forgets it (it polls
//!   its connection every [`POLL`], so a change bites elsewhere well within a second).
//!   While that listener is not connected nothing is trusted from the cache; when it
//!   (re)connects the cache starts empty, so no notification can have been missed;
//! - on SQLite (one instance by design) the process is the authority;
//! - as a backstop for writes made by another process (`cunyi user …` on SQLite) an
//!   entry is re-read after [`MAX_AGE`].
//!
//! A read that raced with a write is never kept: [`Versions::epoch`] is taken before the
//! query and [`Versions::keep`] drops the row if anything was forgotten meanwhile.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::store::SessionUser;

/// How long an entry is trusted without news (writes from another process on SQLite).
pub const MAX_AGE: Duration = Duration::from_secs(5);
/// How often the PostgreSQL listener looks for notifications.
pub const POLL: Duration = Duration::from_millis(50);
/// The PostgreSQL channel the `users` trigger notifies.
pub const CHANNEL: &str = "cunyi_users";
/// Entries kept at most (a province's accounts fit; past it the map starts over).
const CAPACITY: usize = 250_000;

#[derive(Default)]
struct Inner {
    /// Moves on with every forgetting; a fill taken at an older epoch is dropped.
    epoch: u64,
    entries: HashMap<i64, (Instant, Arc<SessionUser>)>,
}

/// See the module documentation.
pub struct Versions {
    inner: Mutex<Inner>,
    /// `Some(url)` on PostgreSQL: the cache is trusted only while the listener listens.
    listen_url: Option<String>,
    listening: AtomicBool,
    listener: OnceLock<()>,
}

impl Versions {
    /// The cache of a process on SQLite (it alone writes the database).
    pub fn local() -> Versions {
        Versions {
            inner: Mutex::default(),
            listen_url: None,
            listening: AtomicBool::new(true),
            listener: OnceLock::new(),
        }
    }

    /// The cache of one of possibly several instances on the PostgreSQL at `url`.
    pub fn shared(url: &str) -> Versions {
        Versions {
            inner: Mutex::default(),
            listen_url: Some(url.to_owned()),
            listening: AtomicBool::new(false),
            listener: OnceLock::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The kept session of an account, if it may be trusted now.
    pub fn get(self: &Arc<Self>, id: i64) -> Option<Arc<SessionUser>> {
        self.start_listener();
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let inner = self.lock();
        inner
            .entries
            .get(&id)
            .filter(|(at, _)| at.elapsed() < MAX_AGE)
            .map(|(_, found)| Arc::clone(found))
    }

    /// Take before reading an account, and hand to [`Versions::keep`] with the row.
    pub fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// Keep a session read at `epoch`, unless something was forgotten since.
    pub fn keep(&self, epoch: u64, found: SessionUser) -> Arc<SessionUser> {
        let found = Arc::new(found);
        if !self.listening.load(Ordering::Acquire) {
            return found;
        }
        let mut inner = self.lock();
        if inner.epoch == epoch {
            if inner.entries.len() >= CAPACITY {
                inner.entries.clear();
            }
            inner
                .entries
                .insert(found.user.id, (Instant::now(), Arc::clone(&found)));
        }
        found
    }

    /// Forget an account (call after the write that changed it has committed).
    pub fn forget(&self, id: i64) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.entries.remove(&id);
    }

    /// Forget every account.
    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.entries.clear();
    }

    /// Accounts kept (for tests and `/metrics`).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// On PostgreSQL, start this process's listener once (it ends with the cache).
    fn start_listener(self: &Arc<Self>) {
        let Some(url) = &self.listen_url else {
            return;
        };
        self.listener.get_or_init(|| {
            let weak = Arc::downgrade(self);
            let url = url.clone();
            let spawned = std::thread::Builder::new()
                .name("cunyi-users-listener".into())
                .spawn(move || listen(&weak, &url));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the users listener; token checks read the database");
            }
        });
    }
}

/// The listener thread: connect, `LISTEN`, forget what is notified; on any failure
/// distrust the cache and connect again.
fn listen(versions: &Weak<Versions>, url: &str) {
    loop {
        if versions.strong_count() == 0 {
            return;
        }
        match PgConnection::establish(url) {
            Ok(mut conn) => {
                if let Err(e) = listen_on(&mut conn, versions) {
                    tracing::warn!(error = %e, "users listener lost its connection");
                }
            }
            Err(e) => tracing::warn!(error = %e, "users listener cannot connect"),
        }
        if let Some(v) = versions.upgrade() {
            v.listening.store(false, Ordering::Release);
            v.forget_all();
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn listen_on(conn: &mut PgConnection, versions: &Weak<Versions>) -> QueryResult<()> {
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(conn)?;
    match versions.upgrade() {
        Some(v) => {
            v.forget_all();
            v.listening.store(true, Ordering::Release);
        }
        None => return Ok(()),
    }
    let mut last_ping = Instant::now();
    loop {
        let Some(v) = versions.upgrade() else {
            return Ok(());
        };
        for notification in conn.notifications_iter() {
            let notification = notification?;
            match notification.payload.parse::<i64>() {
                Ok(id) => v.forget(id),
                Err(_) => v.forget_all(),
            }
        }
        drop(v);
        // A dead connection shows itself only when used.
        if last_ping.elapsed() > Duration::from_secs(2) {
            diesel::sql_query("SELECT 1").execute(conn)?;
            last_ping = Instant::now();
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::regions::Region;
    use crate::users::User;

    fn session(id: i64, version: i64) -> SessionUser {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        SessionUser {
            user: User {
                id,
                username: format!("u{id}"),
                display_name: "某".into(),
                role: Role::Doctor,
                region_code: "370402".into(),
                disabled: false,
                token_version: version,
                created_by: None,
                last_login_at: None,
                previous_login_at: None,
                created_at: at,
                email: None,
            },
            region: Region {
                code: "370402".into(),
                name: "市中区".into(),
                level: crate::regions::Level::County,
                parent_code: None,
                path: "370402".into(),
                is_gb: true,
                is_demo: false,
            },
            doctor_id: None,
            instructor_id: None,
        }
    }

    #[test]
    fn a_kept_session_is_found_until_forgotten() {
        let v = Arc::new(Versions::local());
        let e = v.epoch();
        v.keep(e, session(7, 3));
        assert_eq!(v.get(7).map(|s| s.user.token_version), Some(3));
        v.forget(7);
        assert!(v.get(7).is_none());
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_kept() {
        let v = Arc::new(Versions::local());
        let before = v.epoch();
        v.forget(7); // a logout commits while the read is under way
        v.keep(before, session(7, 3));
        assert!(v.get(7).is_none());
        let after = v.epoch();
        v.keep(after, session(7, 4));
        assert_eq!(v.get(7).map(|s| s.user.token_version), Some(4));
    }

    #[test]
    fn forgetting_one_account_keeps_the_others() {
        let v = Arc::new(Versions::local());
        let e = v.epoch();
        v.keep(e, session(1, 0));
        let e = v.epoch();
        v.keep(e, session(2, 0));
        v.forget(1);
        assert!(v.get(1).is_none());
        assert!(v.get(2).is_some());
        v.forget_all();
        assert!(v.is_empty());
    }

    #[test]
    fn nothing_is_trusted_before_the_postgresql_listener_listens() {
        // An unreachable server: the listener never listens, so nothing is kept.
        let v = Arc::new(Versions::shared("postgres://nobody@127.0.0.1:1/none"));
        let e = v.epoch();
        v.keep(e, session(7, 3));
        assert!(v.get(7).is_none());
    }
}
