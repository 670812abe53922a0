//! The database layer: one connection type over PostgreSQL and SQLite, the pool, the
//! embedded migrations and the portable schema.
//!
//! Every store function takes `&mut AnyConnection`, so one body of diesel code serves
//! both backends. The few statements diesel cannot express for both at once (upserts,
//! table locks) go through [`per_backend!`] to the inner connection.

pub mod backup;
mod gate;
mod migrate;
mod pool;
pub mod schema;
mod text_enum;

use diesel::connection::AnsiTransactionManager;
use diesel::connection::{Connection, TransactionManager};
use diesel::result::{ConnectionError, Error as DieselError};
use diesel::{PgConnection, SqliteConnection};

pub use migrate::{
    known_migrations, pending_migrations, revert_all_migrations, revert_last_migration,
    run_migrations, with_startup_lock,
};
pub use pool::{Pool, PooledConn, build_pool, ping};

/// A connection to either backend. Never built with `AnyConnection::establish`, which
/// tries each backend in turn and hides the real error: use [`connect`].
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres://` or `postgresql://` selects PostgreSQL; anything else is a SQLite path
    /// (optionally written `sqlite://path`).
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Run the same (generic) diesel expression on whichever inner connection is present.
/// Used only where the multi-backend cannot express a statement (e.g. `ON CONFLICT`).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// The SQLite path a URL names, without an optional `sqlite://` prefix.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// Open one connection, choosing the backend from the URL so that a wrong password or
/// host is reported as such.
pub fn connect(url: &str) -> Result<AnyConnection, ConnectionError> {
    match Backend::of_url(url) {
        Backend::Postgres => PgConnection::establish(url).map(AnyConnection::Postgresql),
        Backend::Sqlite => SqliteConnection::establish(sqlite_path(url)).map(AnyConnection::Sqlite),
    }
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// SQLite takes one writer at a time. Writers of this process queue here, first come
/// first served ([`gate`]), instead of polling the database lock with `busy_timeout`'s
/// growing sleeps (which leaves the lock idle while everyone sleeps). Other processes
/// still meet the lock.
static SQLITE_WRITERS: gate::Gate = gate::Gate::new();

/// Take this process's SQLite writer turn (the wait is counted for `/metrics`).
fn queue_for_writers() -> gate::Turn<'static> {
    SQLITE_WRITERS.enter(&crate::metrics::SQLITE_WRITERS_WAITING)
}

/// Run `f` as this process's only SQLite writer (no-op on PostgreSQL). For single write
/// statements outside [`write`]; never call it inside `write` (it is not re-entrant).
pub fn sqlite_writer<T>(conn: &mut AnyConnection, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
    match conn {
        AnyConnection::Sqlite(_) => {
            let _gate = queue_for_writers();
            f(conn)
        }
        AnyConnection::Postgresql(_) => f(conn),
    }
}

/// A write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock up front
/// so that two writers queue instead of failing with SQLITE_BUSY when a read transaction
/// tries to upgrade; this process's writers queue on [`SQLITE_WRITERS`] first. On
/// PostgreSQL it is an ordinary transaction. Nested calls become savepoints.
pub fn write<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<DieselError>,
{
    let outermost_sqlite = match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_none(),
        AnyConnection::Postgresql(_) => false,
    };
    if !outermost_sqlite {
        return conn.transaction(f);
    }
    let _gate = queue_for_writers();
    if let AnyConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let outcome = f(conn);
    let AnyConnection::Sqlite(c) = conn else {
        return outcome;
    };
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(c)?;
            Ok(value)
        }
        Err(e) => match AnsiTransactionManager::rollback_transaction(c) {
            Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// True when the error is a unique-constraint violation (→ 409).
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
