//! `cunyi backup` / `cunyi restore` (run as the real binary, beside a server under write
//! load), and `/metrics`' pool gauges under that load.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cunyi::auth::Role;
use cunyi::db::backup;
use diesel::QueryableByName;
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, ID_KEY, JWT_SECRET, TestApp, spawn};

both_backends!(a_backup_under_write_load_restores_to_the_rows_of_one_instant);

/// `cunyi …` with the test's secrets and `url` as the database; waits off the runtime
/// so the server and the load keep going meanwhile.
async fn cunyi(url: &str, id_key: &str, args: &[&str]) -> Output {
    let (url, id_key) = (url.to_owned(), id_key.to_owned());
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    actix_web::rt::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_cunyi"))
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CUNYI_DATABASE_URL", url)
            .env("CUNYI_JWT_SECRET", JWT_SECRET)
            .env("CUNYI_ID_KEY", id_key)
            .env("CUNYI_LOG", "warn")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Record {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    doctor_id: i64,
    #[diesel(sql_type = BigInt)]
    minutes: i64,
    #[diesel(sql_type = Text)]
    source_ref: String,
}

#[derive(QueryableByName)]
struct Target {
    #[diesel(sql_type = Text)]
    target: String,
}

fn records(conn: &mut cunyi::db::AnyConnection) -> Vec<Record> {
    diesel::sql_query(
        "SELECT id, doctor_id, CAST(minutes AS BIGINT) AS minutes, source_ref \
         FROM study_records ORDER BY id",
    )
    .load(conn)
    .unwrap()
}

/// The records the audit log says were made (same transaction as each record).
fn audited(conn: &mut cunyi::db::AnyConnection) -> Vec<i64> {
    let rows: Vec<Target> = diesel::sql_query(
        "SELECT target FROM audit_log WHERE action = 'study.recorded' ORDER BY id",
    )
    .load(conn)
    .unwrap();
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| {
            r.target
                .strip_prefix("study_record:")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// Admins entering tutoring records for four doctors from eight clients at once, until
/// `stop`; returns how many were written.
async fn write_load(
    app: &TestApp,
    stop: Arc<AtomicBool>,
) -> Vec<actix_web::rt::task::JoinHandle<usize>> {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let mut doctors = Vec::new();
    for i in 1..=4 {
        let (id, _) = app
            .doctor(
                &admin,
                program,
                &format!("3704021980010{i}123"),
                "370402",
                None,
            )
            .await;
        doctors.push(id);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, admin, doctors) = (
            app.api.clone(),
            app.url("/api/v1/study-records"),
            admin.clone(),
            doctors.clone(),
        );
        let (stop, next) = (stop.clone(), next.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                    + chrono::Duration::days((k / 4 % 300) as i64);
                let r = client
                    .post(&url)
                    .bearer_auth(&admin)
                    .json(
                        &json!({"doctor_id": doctors[k % 4], "kind": "tutoring", "minutes": 10,
                                  "occurred_on": day.to_string()}),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
                written += 1;
            }
            written
        }));
    }
    tasks
}

/// A metric's value from `/metrics`' text.
fn gauge(text: &str, name: &str) -> u32 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
        .parse()
        .unwrap()
}

async fn a_backup_under_write_load_restores_to_the_rows_of_one_instant(backend: Backend) {
    let app = spawn(backend).await;
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = write_load(&app, stop.clone()).await;
    // Let the load get going.
    while app.with_conn(|c| records(c).len()) < 40 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // The pool under load: in use + idle = open ≤ size, on both backends.
    let text = app
        .api
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (size, open) = (
        gauge(&text, "cunyi_db_pool_size"),
        gauge(&text, "cunyi_db_pool_connections"),
    );
    assert_eq!(size, 4);
    assert!(open <= size && open >= 1, "{text}");
    assert_eq!(
        gauge(&text, "cunyi_db_pool_in_use") + gauge(&text, "cunyi_db_pool_idle"),
        open
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    let file_s = file.to_string_lossy().into_owned();
    let out = cunyi(&app.db.url, ID_KEY, &["backup", &file_s]).await;

    if backend == Backend::Postgres {
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
        // PostgreSQL: the pg_dump / pg_restore commands, a failure, no file.
        assert!(!out.status.success());
        let text = said(&out);
        assert!(
            text.contains("pg_dump --format=custom") && text.contains("pg_restore"),
            "{text}"
        );
        assert!(!file.exists());
        let restore = cunyi(&app.db.url, ID_KEY, &["restore", &file_s]).await;
        assert!(!restore.status.success() && said(&restore).contains("pg_restore"));
        return;
    }

    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("integrity ok"), "{}", said(&out));
    // Writes went on while the copy was made, and after.
    let at_backup = app.with_conn(|c| records(c).len());
    while app.with_conn(|c| records(c).len()) < at_backup + 20 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut written = 0;
    for t in tasks {
        written += t.await.unwrap();
    }
    let source = app.with_conn(records);
    assert_eq!(source.len(), written);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the backup is the owner's only");
    }

    // Restore into a fresh path, then look at what came back.
    let restored = dir.path().join("restored.db");
    let restored_s = restored.to_string_lossy().into_owned();
    let out = cunyi(&restored_s, ID_KEY, &["restore", &file_s]).await;
    assert!(out.status.success(), "{}", said(&out));
    let mut conn = cunyi::db::connect(&restored_s).unwrap();
    assert_eq!(backup::integrity_check(&mut conn).unwrap(), ["ok"]);
    let copy = records(&mut conn);
    // One instant: some but not all of the load, every row as the source has it, and
    // exactly the records whose audit entries (same transaction) are there.
    assert!(
        !copy.is_empty() && copy.len() < source.len(),
        "{} of {}",
        copy.len(),
        source.len()
    );
    for r in &copy {
        assert!(
            source.binary_search(r).is_ok(),
            "{r:?} is not in the source"
        );
    }
    let ids: Vec<i64> = copy.iter().map(|r| r.id).collect();
    assert_eq!(audited(&mut conn), ids);
    // The restored file equals the backup table by table, and its audit chain holds.
    let mut from_backup = cunyi::db::connect(&file_s).unwrap();
    assert_eq!(
        backup::row_counts(&mut conn).unwrap(),
        backup::row_counts(&mut from_backup).unwrap()
    );
    drop((conn, from_backup));
    let verify = cunyi(&restored_s, ID_KEY, &["audit", "verify"]).await;
    assert!(verify.status.success(), "{}", said(&verify));

    refusals(&app, &file, dir.path()).await;
}

/// What restore refuses, each leaving the database as it was.
async fn refusals(app: &TestApp, file: &Path, dir: &Path) {
    let file_s = file.to_string_lossy().into_owned();
    // Over the database the running server has open.
    let before = app.with_conn(|c| records(c).len());
    let out = cunyi(&app.db.url, ID_KEY, &["restore", &file_s]).await;
    assert!(!out.status.success());
    assert!(
        said(&out).contains("open in another process"),
        "{}",
        said(&out)
    );
    assert_eq!(app.with_conn(|c| records(c).len()), before);

    // With another ID key.
    let other_key = "ff".repeat(32);
    let target = dir.join("other-key.db");
    let target_s = target.to_string_lossy().into_owned();
    let out = cunyi(&target_s, &other_key, &["restore", &file_s]).await;
    assert!(!out.status.success());
    assert!(said(&out).contains("another ID key"), "{}", said(&out));
    assert!(!target.exists());

    // Not a database; a SQLite file that is not cunyi's.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes").unwrap();
    let out = cunyi(&target_s, ID_KEY, &["restore", &junk.to_string_lossy()]).await;
    assert!(!out.status.success(), "{}", said(&out));
    let foreign = dir.join("foreign.db");
    {
        let mut c = cunyi::db::connect(&foreign.to_string_lossy()).unwrap();
        diesel::connection::SimpleConnection::batch_execute(&mut c, "CREATE TABLE t (x INTEGER)")
            .unwrap();
    }
    let out = cunyi(&target_s, ID_KEY, &["restore", &foreign.to_string_lossy()]).await;
    assert!(
        said(&out).contains("not a cunyi database"),
        "{}",
        said(&out)
    );
    assert!(!target.exists());

    // A backup never overwrites a file.
    let out = cunyi(&app.db.url, ID_KEY, &["backup", &file_s]).await;
    assert!(!out.status.success() && said(&out).contains("exists already"));
}
