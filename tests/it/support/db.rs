//! Per-test databases.

use std::sync::atomic::{AtomicU32, Ordering};

use cunyi::db::{AnyConnection, connect};
use diesel::RunQueryDsl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl Backend {
    /// SQLite always; PostgreSQL when `CUNYI_TEST_POSTGRES_URL` is set. Under `CI=true` a
    /// missing or unreachable PostgreSQL fails the test instead of skipping it.
    pub fn available(self) -> bool {
        match self {
            Backend::Sqlite => true,
            Backend::Postgres => match std::env::var("CUNYI_TEST_POSTGRES_URL") {
                Ok(url) if !url.is_empty() => {
                    if let Err(e) = connect(&url) {
                        panic!("CUNYI_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {e}");
                    }
                    true
                }
                _ => {
                    assert!(
                        !ci(),
                        "CI=true but CUNYI_TEST_POSTGRES_URL is not set: the PostgreSQL suites must run"
                    );
                    // Written past the test harness's capture, so the skip shows in the
                    // output of a passing run instead of hiding behind "ok".
                    use std::io::Write as _;
                    let test = std::thread::current().name().unwrap_or("?").to_owned();
                    let _ = writeln!(
                        std::io::stderr(),
                        "SKIPPED {test}: CUNYI_TEST_POSTGRES_URL is not set (PostgreSQL variant not run)"
                    );
                    false
                }
            },
        }
    }
}

/// A database that lives as long as the test.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = dir
                    .path()
                    .join("cunyi-test.db")
                    .to_string_lossy()
                    .into_owned();
                TestDb {
                    backend,
                    url,
                    schema: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let base = std::env::var("CUNYI_TEST_POSTGRES_URL").unwrap();
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    rand_suffix()
                );
                let mut conn = connect(&base).unwrap();
                diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
                TestDb {
                    backend,
                    url,
                    schema: Some((base, schema)),
                    _dir: None,
                }
            }
        }
    }

    /// A second handle on the same database (for a second instance); only the original
    /// cleans up.
    pub fn new_alias(other: &TestDb) -> TestDb {
        TestDb {
            backend: other.backend,
            url: other.url.clone(),
            schema: None,
            _dir: None,
        }
    }

    pub fn connect(&self) -> AnyConnection {
        connect(&self.url).unwrap()
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.schema
            && let Ok(mut conn) = connect(base)
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut conn);
        }
    }
}
