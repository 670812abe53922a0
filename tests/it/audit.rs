//! The audit log: append-only, hash-chained, tamper-evident.

use cunyi::audit::{Actor, Entry};
use cunyi::auth::Role;
use cunyi::db::AnyConnection;
use diesel::prelude::*;

use crate::both_backends;
use crate::support::{Backend, audit_event, spawn};

both_backends!(
    an_edited_row_breaks_the_chain_there,
    updates_and_deletes_are_refused,
    only_the_sysadmin_reads_the_log,
    every_field_chains_alike_in_sql_and_in_rust,
    an_entry_rolled_back_never_reaches_the_log,
    appenders_on_many_connections_keep_one_chain
);

fn disable_guards(conn: &mut AnyConnection) {
    let sql = match conn {
        AnyConnection::Postgresql(_) => "ALTER TABLE audit_log DISABLE TRIGGER USER",
        AnyConnection::Sqlite(_) => "DROP TRIGGER audit_log_no_update",
    };
    diesel::sql_query(sql).execute(conn).unwrap();
}

async fn an_edited_row_breaks_the_chain_there(backend: Backend) {
    let app = spawn(backend).await;
    for action in ["test.one", "test.two", "test.three", "test.four"] {
        audit_event(&app, action);
    }
    let intact = app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap());
    assert!(intact.intact());
    assert!(intact.rows >= 4);
    let row: i64 = app.with_conn(|c| {
        use cunyi::db::schema::audit_log::dsl::*;
        audit_log
            .filter(action.eq("test.two"))
            .select(id)
            .first(c)
            .unwrap()
    });

    app.with_conn(|c| {
        disable_guards(c);
        use cunyi::db::schema::audit_log::dsl::*;
        diesel::update(audit_log.find(row))
            .set(detail.eq("{\"forged\":true}"))
            .execute(c)
            .unwrap();
    });

    let broken = app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap());
    assert_eq!(broken.first_break, Some(row));
}

async fn updates_and_deletes_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    audit_event(&app, "test.one");
    app.with_conn(|c| {
        use cunyi::db::schema::audit_log::dsl::*;
        assert!(
            diesel::update(audit_log)
                .set(action.eq("x"))
                .execute(c)
                .is_err()
        );
        assert!(diesel::delete(audit_log).execute(c).is_err());
    });
    assert!(
        app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap())
            .intact()
    );
}

async fn only_the_sysadmin_reads_the_log(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("root", Role::Sysadmin, "370000"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;

    let listed = app
        .get("/api/v1/audit?action=auth.login&per_page=10", &tokens[0])
        .await;
    let verified = app.get("/api/v1/audit/verify", &tokens[0]).await;
    let by_city = app.get("/api/v1/audit", &tokens[1]).await;

    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json()["total"], 2);
    assert_eq!(listed.json()["items"][0]["action"], "auth.login");
    assert_eq!(verified.json()["first_break"], serde_json::Value::Null);
    assert_eq!(by_city.status, 403);
}

/// Entries still waiting for their commit (PostgreSQL's `audit_pending`; SQLite has none).
fn pending(conn: &mut AnyConnection) -> i64 {
    match conn {
        AnyConnection::Postgresql(_) => {
            use cunyi::db::schema::audit_pending::dsl::*;
            audit_pending.count().get_result(conn).unwrap()
        }
        AnyConnection::Sqlite(_) => 0,
    }
}

/// On PostgreSQL the chain is hashed by the commit trigger, in SQL; `verify_chain`
/// recomputes every hash in Rust. Every kind of field value must come out alike: absent
/// and empty, multi-byte text, quotes and backslashes, negative ids, microseconds.
async fn every_field_chains_alike_in_sql_and_in_rust(backend: Backend) {
    let app = spawn(backend).await;
    let before = app.audit_count();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 30)
        .unwrap()
        .and_hms_micro_opt(23, 59, 58, 7)
        .unwrap();
    let actors = [
        Actor::default(),
        Actor {
            id: Some(-7),
            username: Some(String::new()),
            client: Some("10.0.0.1".into()),
        },
        Actor {
            id: Some(i64::MAX),
            username: Some("枣庄市卫健委·张晓梅".into()),
            client: None,
        },
    ];
    let entries = [
        Entry::new("test.plain"),
        Entry::new("test.target").target(""),
        Entry::new("test.text")
            .target("attempt:42")
            .detail(serde_json::json!({"说明": "引号\"与反斜杠\\，还有 emoji 🩺", "n": -1.5})),
    ];
    app.with_conn(|c| {
        for (i, actor) in actors.iter().enumerate() {
            for entry in &entries {
                let when = at + chrono::Duration::microseconds(i as i64);
                cunyi::db::write(c, |c| cunyi::audit::record(c, actor, entry, when)).unwrap();
            }
        }
    });
    assert_eq!(app.audit_count(), before + 9);
    let report = app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap());
    assert!(report.intact(), "{report:?}");
    assert_eq!(app.with_conn(pending), 0);
    let stored: (String, Option<String>, Option<i64>) = app.with_conn(|c| {
        use cunyi::db::schema::audit_log::dsl::*;
        audit_log
            .filter(action.eq("test.text"))
            .order(id.desc())
            .select((detail, actor, actor_id))
            .first(c)
            .unwrap()
    });
    assert!(stored.0.contains("🩺"), "{stored:?}");
    assert_eq!(stored.1.as_deref(), Some("枣庄市卫健委·张晓梅"));
    assert_eq!(stored.2, Some(i64::MAX));
}

/// The entry stands or falls with the change it records.
async fn an_entry_rolled_back_never_reaches_the_log(backend: Backend) {
    let app = spawn(backend).await;
    let before = app.audit_count();
    // Record an entry, then roll back what encloses it (a transaction or a savepoint).
    let undone = |c: &mut AnyConnection| {
        let rolled_back = cunyi::db::write(c, |c| {
            let now = cunyi::time::now();
            cunyi::audit::record(c, &Actor::cli(), &Entry::new("test.undone"), now)?;
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        });
        assert!(rolled_back.is_err());
    };
    app.with_conn(|c| {
        undone(c);
        // Inside a savepoint that rolls back, under a transaction that commits.
        cunyi::db::write(c, |c| {
            undone(c);
            let now = cunyi::time::now();
            cunyi::audit::record(c, &Actor::cli(), &Entry::new("test.kept"), now)
        })
        .unwrap();
    });
    assert_eq!(app.audit_count(), before + 1);
    assert!(!app.audit_actions().iter().any(|a| a == "test.undone"));
    assert_eq!(
        app.audit_actions().last().map(String::as_str),
        Some("test.kept")
    );
    assert_eq!(app.with_conn(pending), 0);
    assert!(
        app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap())
            .intact()
    );
}

/// Eight connections append at once, each entry in a transaction that also writes
/// something else: one chain, in id order, nothing lost or left pending.
async fn appenders_on_many_connections_keep_one_chain(backend: Backend) {
    let app = spawn(backend).await;
    let before = app.audit_count();
    std::thread::scope(|s| {
        for t in 0..8 {
            let pool = app.state.pool.clone();
            s.spawn(move || {
                let mut conn = pool.get().unwrap();
                for i in 0..20 {
                    cunyi::db::write(&mut conn, |c| {
                        cunyi::audit::record(
                            c,
                            &Actor::cli(),
                            &Entry::new("test.parallel").target(format!("t{t}:{i}")),
                            cunyi::time::now(),
                        )?;
                        cunyi::audit::record(
                            c,
                            &Actor::cli(),
                            &Entry::new("test.parallel.second").target(format!("t{t}:{i}")),
                            cunyi::time::now(),
                        )
                    })
                    .unwrap();
                }
            });
        }
    });
    assert_eq!(app.audit_count(), before + 320);
    assert_eq!(app.with_conn(pending), 0);
    let report = app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap());
    assert!(report.intact(), "{report:?}");
    // Each transaction's two entries are both there, in the order it made them.
    let chained: Vec<(String, Option<String>)> = app.with_conn(|c| {
        use cunyi::db::schema::audit_log::dsl::*;
        audit_log
            .filter(action.like("test.parallel%"))
            .order(id)
            .select((action, target))
            .load(c)
            .unwrap()
    });
    let mut seen = std::collections::HashMap::new();
    for (act, tgt) in &chained {
        let first = seen.insert(tgt.clone(), act.clone());
        match act.as_str() {
            "test.parallel" => assert_eq!(first, None, "{tgt:?}"),
            _ => assert_eq!(first.as_deref(), Some("test.parallel"), "{tgt:?}"),
        }
    }
    assert_eq!(seen.len(), 160);
    assert!(seen.values().all(|a| a == "test.parallel.second"));
}
