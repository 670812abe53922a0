//! Embedded migrations: `migrations/sqlite` and `migrations/postgres`, same versions.

use diesel::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::AnyConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Any error a migration step can give.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Arbitrary, fixed key of the advisory lock that serialises migrations when several
/// instances start at once on one PostgreSQL.
const MIGRATION_LOCK: i64 = 0x6375_6e79_6900_0001;

/// Key of the advisory lock that serialises the loading of shipped data (regions, the
/// question bank) when several instances start at once.
const STARTUP_LOCK: i64 = 0x6375_6e79_6900_0002;

/// Run `f` while holding the start-up lock (PostgreSQL; SQLite has one instance by
/// design). Two `serve` processes on a fresh database used to race here: the second
/// died on a duplicate key while loading the shipped regions.
pub fn with_startup_lock<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if let AnyConnection::Postgresql(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_lock({STARTUP_LOCK})")).execute(c)?;
    }
    let result = f(conn);
    if let AnyConnection::Postgresql(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_unlock({STARTUP_LOCK})")).execute(c)?;
    }
    result
}

/// Apply every pending migration; returns the versions applied.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(c)?;
            let result = c.run_pending_migrations(POSTGRES).map(versions);
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(c)?;
            result?
        }
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(versions)?,
    };
    Ok(applied)
}

/// Versions not yet applied.
pub fn pending_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, MigrationError> {
    Ok(match conn {
        AnyConnection::Postgresql(c) => c
            .pending_migrations(POSTGRES)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        AnyConnection::Sqlite(c) => c
            .pending_migrations(SQLITE)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    })
}

/// The versions this binary carries, oldest first (a restored file may not have any
/// other).
pub fn known_migrations(backend: super::Backend) -> Result<Vec<String>, MigrationError> {
    use diesel::migration::MigrationSource;
    Ok(match backend {
        super::Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        super::Backend::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    })
}

/// Revert every applied migration, newest first (tests prove each `down.sql` this way).
pub fn revert_all_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, MigrationError> {
    Ok(match conn {
        AnyConnection::Postgresql(c) => versions(c.revert_all_migrations(POSTGRES)?),
        AnyConnection::Sqlite(c) => versions(c.revert_all_migrations(SQLITE)?),
    })
}

/// Revert the newest applied migration; returns its version (tests step back through
/// the migrations with this, e.g. to check that one carries data both ways).
pub fn revert_last_migration(conn: &mut AnyConnection) -> Result<String, MigrationError> {
    Ok(match conn {
        AnyConnection::Postgresql(c) => c.revert_last_migration(POSTGRES)?.to_string(),
        AnyConnection::Sqlite(c) => c.revert_last_migration(SQLITE)?.to_string(),
    })
}

fn versions(v: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    v.into_iter().map(|v| v.to_string()).collect()
}
