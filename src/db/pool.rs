//! The r2d2 pool: a manager that establishes the backend the URL names (so errors are
//! honest), and SQLite's pragmas applied to every new connection.

use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, R2D2Connection};

use super::{AnyConnection, connect};

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens connections for the pool.
#[derive(Debug)]
pub struct Manager {
    url: String,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        connect(&self.url).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// WAL so readers never block the writer; foreign keys on (SQLite leaves them off);
/// a busy timeout so a second writer waits instead of failing.
#[derive(Debug, Clone, Copy)]
pub struct SqlitePragmas {
    pub busy_timeout: Duration,
}

impl CustomizeConnection<AnyConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            // journal_mode=WAL is persistent in the file and set once in `build_pool`;
            // switching it from several new connections at once would fail with "locked".
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {};
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;",
                self.busy_timeout.as_millis()
            ))
            .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Build the pool and check that one connection can be made, so that a bad URL fails at
/// start-up with the database's own message.
pub fn build_pool(url: &str, max_size: u32) -> Result<Pool, r2d2::Error> {
    let manager = Manager {
        url: url.to_owned(),
    };
    // Fail fast with the real error before r2d2 starts retrying in the background, and
    // put a SQLite file in WAL mode once, before several connections open it.
    let mut first = manager.connect()?;
    if let AnyConnection::Sqlite(c) = &mut first {
        c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
            .map_err(r2d2::Error::QueryError)?;
    }
    if let AnyConnection::Sqlite(c) = &mut first
        && !plans_are_stable(c)
    {
        tracing::warn!(
            "SQLite was built without SQLITE_ENABLE_QPSG (build from the repository, whose \
             .cargo/config.toml sets it): every query with LIMIT is planned again on each run"
        );
    }
    drop(first);
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas {
            busy_timeout: Duration::from_secs(10),
        }))
        .build(manager)
        .map_err(|e| {
            r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string()))
        })
}

/// `SELECT 1`, for readiness checks.
pub fn ping(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
        .execute(conn)
        .map(|_| ())
}

/// Was the bundled SQLite compiled with the query planner stability guarantee (see the
/// repository's `.cargo/config.toml`)?
pub fn plans_are_stable(conn: &mut diesel::SqliteConnection) -> bool {
    #[derive(diesel::QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    diesel::sql_query("PRAGMA compile_options")
        .load::<CompileOption>(conn)
        .is_ok_and(|rows| rows.iter().any(|r| r.compile_options == "ENABLE_QPSG"))
}

#[cfg(test)]
mod tests {
    use diesel::Connection;

    /// Without the flag every `.first()` is parsed and planned anew on each run.
    #[test]
    fn sqlite_plans_are_stable() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        assert!(super::plans_are_stable(&mut conn));
    }
}
