//! Backups of a SQLite database (`cunyi backup` / `cunyi restore`, see `crate::cli`):
//! an online, consistent copy with `VACUUM INTO` (one read transaction, so writers go on
//! and the copy is the database as of one instant), the checks a file must pass before
//! it replaces a database, and whether another process has a database open.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump` / `pg_restore`); the commands
//! print how.

use std::path::Path;

use diesel::QueryableByName;
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};

use super::AnyConnection;

/// Copy the open SQLite database into `dest` (which must not exist) as of one instant.
pub fn vacuum_into(conn: &mut AnyConnection, dest: &Path) -> diesel::QueryResult<()> {
    let dest = dest.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{dest}'"))
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `PRAGMA integrity_check`: `["ok"]` for a sound file, else its complaints.
pub fn integrity_check(conn: &mut AnyConnection) -> diesel::QueryResult<Vec<String>> {
    let lines: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(conn)?;
    Ok(lines.into_iter().map(|l| l.line).collect())
}

/// The user tables of a SQLite database, by name.
pub fn tables(conn: &mut AnyConnection) -> diesel::QueryResult<Vec<String>> {
    let lines: Vec<Line> = diesel::sql_query(
        "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(conn)?;
    Ok(lines.into_iter().map(|l| l.line).collect())
}

/// The rows of each user table.
pub fn row_counts(conn: &mut AnyConnection) -> diesel::QueryResult<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for table in tables(conn)? {
        let quoted = table.replace('"', "\"\"");
        let count: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{quoted}\""))
            .get_result(conn)?;
        out.push((table, count.n));
    }
    Ok(out)
}

/// The migrations recorded as applied (diesel's `__diesel_schema_migrations`); `None`
/// when the table is missing (not a cunyi database).
pub fn applied_migrations(conn: &mut AnyConnection) -> diesel::QueryResult<Option<Vec<String>>> {
    if !tables(conn)?
        .iter()
        .any(|t| t == "__diesel_schema_migrations")
    {
        return Ok(None);
    }
    let lines: Vec<Line> =
        diesel::sql_query("SELECT version AS line FROM __diesel_schema_migrations ORDER BY 1")
            .load(conn)?;
    Ok(Some(lines.into_iter().map(|l| l.line).collect()))
}

/// Whether another process has the SQLite database at `path` open. In WAL mode (the
/// pool puts every database in it) each connection holds a shared lock on one byte of
/// the `-shm` file for as long as it is open (SQLite's "DMS" lock, byte 128): a write
/// lock on that byte can be had only when no one else has the database open. Locks of
/// this process do not count (POSIX record locks belong to the process).
#[cfg(unix)]
pub fn open_elsewhere(path: &Path) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&shm)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    // SAFETY: `flock` is plain data; zeroed is a valid value that is then filled in.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as _;
    lock.l_whence = libc::SEEK_SET as _;
    lock.l_start = 128;
    lock.l_len = 1;
    // SAFETY: a valid open descriptor and a pointer to a live `flock`.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(i32::from(lock.l_type) != libc::F_UNLCK)
}

/// Elsewhere than unix the question cannot be answered: assume it is open.
#[cfg(not(unix))]
pub fn open_elsewhere(_path: &Path) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::connect;

    #[test]
    fn a_copy_holds_the_rows_and_passes_its_checks() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a.db");
        let mut conn = connect(&src.to_string_lossy()).unwrap();
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); \
             INSERT INTO t VALUES (1), (2), (3);",
        )
        .unwrap();
        let copy = dir.path().join("it's a copy.db");
        vacuum_into(&mut conn, &copy).unwrap();
        assert!(vacuum_into(&mut conn, &copy).is_err(), "never over a file");
        let mut back = connect(&copy.to_string_lossy()).unwrap();
        assert_eq!(integrity_check(&mut back).unwrap(), ["ok"]);
        assert_eq!(row_counts(&mut back).unwrap(), [("t".to_owned(), 3)]);
        assert_eq!(applied_migrations(&mut back).unwrap(), None);
    }

    #[test]
    fn an_open_database_is_not_seen_as_open_elsewhere_by_its_own_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        assert!(
            !open_elsewhere(&path).unwrap(),
            "no -shm: nobody has it open"
        );
        let mut conn = connect(&path.to_string_lossy()).unwrap();
        conn.batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .unwrap();
        // Our own locks never count; another process's do (tests/it/backup.rs).
        assert!(!open_elsewhere(&path).unwrap());
    }
}
