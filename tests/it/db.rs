//! The database layer: schema parity between backends, migration round trips, the
//! shared token secret, and concurrent writers on SQLite.

use std::collections::BTreeSet;

use cunyi::auth::Role;
use cunyi::db::{self, AnyConnection, Backend as DbBackend};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::both_backends;
use crate::support::{Backend, TestDb, config_for, spawn, spawn_on};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// (table, column, type class, not null) for every application table.
fn columns(conn: &mut AnyConnection) -> BTreeSet<(String, String, &'static str, bool)> {
    let rows: Vec<Column> = match conn.backend() {
        DbBackend::Postgres => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name,
                    data_type::text AS data_type,
                    CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_%'",
        )
        .load(conn)
        .unwrap(),
        DbBackend::Sqlite => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
                    CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 1 ELSE 0 END AS not_null
             FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE '\\_\\_%' ESCAPE '\\'
               AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )
        .load(conn)
        .unwrap(),
    };
    rows.into_iter()
        .map(|c| {
            (
                c.table_name,
                c.column_name,
                type_class(&c.data_type),
                c.not_null == 1,
            )
        })
        .collect()
}

fn type_class(t: &str) -> &'static str {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "smallint" | "int" | "int8" | "int4" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "boolean" | "bool" => "boolean",
        "double precision" | "double" | "real" => "float",
        "blob" | "bytea" => "binary",
        "date" => "date",
        "timestamp" | "timestamp without time zone" => "timestamp",
        other => panic!("column type {other} is not portable"),
    }
}

fn migrated(backend: Backend) -> (TestDb, AnyConnection) {
    let test_db = TestDb::new(backend);
    let mut conn = test_db.connect();
    db::run_migrations(&mut conn).unwrap();
    (test_db, conn)
}

#[test]
fn both_backends_end_with_the_same_tables_and_columns() {
    if !Backend::Postgres.available() {
        return;
    }
    let (_s, mut sqlite) = migrated(Backend::Sqlite);
    let (_p, mut postgres) = migrated(Backend::Postgres);

    let (on_sqlite, on_postgres) = (columns(&mut sqlite), columns(&mut postgres));

    let only_sqlite: Vec<_> = on_sqlite.difference(&on_postgres).collect();
    let only_postgres: Vec<_> = on_postgres.difference(&on_sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "sqlite only: {only_sqlite:?}\npostgres only: {only_postgres:?}"
    );
    assert!(
        on_sqlite
            .iter()
            .any(|(t, c, _, _)| t == "users" && c == "token_version")
    );
}

fn table_names(conn: &mut AnyConnection) -> BTreeSet<String> {
    columns(conn).into_iter().map(|(t, ..)| t).collect()
}

both_backends!(
    every_down_migration_reverts_cleanly,
    instances_share_secrets_that_never_enter_the_database,
    concurrent_writers_queue_instead_of_failing
);

async fn every_down_migration_reverts_cleanly(backend: Backend) {
    let (_db, mut conn) = migrated(backend);
    let tables = table_names(&mut conn);
    assert!(tables.contains("audit_log") && tables.contains("regions"));

    let reverted = db::revert_all_migrations(&mut conn).unwrap();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(reverted.len(), shipped);
    assert!(
        table_names(&mut conn).is_empty(),
        "left behind: {:?}",
        table_names(&mut conn)
    );
    assert_eq!(db::pending_migrations(&mut conn).unwrap().len(), shipped);

    db::run_migrations(&mut conn).unwrap();
    assert_eq!(
        table_names(&mut conn),
        tables,
        "up again gives the same schema"
    );
}

async fn instances_share_secrets_that_never_enter_the_database(backend: Backend) {
    // Secrets are never generated into the database: without a token secret an instance
    // does not start; with the same secrets two instances accept each other's tokens.
    let test_db = TestDb::new(backend);
    let mut no_secret = config_for(&test_db.url);
    no_secret.jwt_secret = None;
    let refused = cunyi::state::AppState::init(no_secret)
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("CUNYI_JWT_SECRET is not set"), "{refused}");
    let first = spawn_on(test_db, |db| config_for(&db.url)).await;
    first.user("doc").role(Role::Doctor).create();
    let token = first.login("doc").await;

    let second = spawn_on(TestDb::new_alias(&first.db), |db| config_for(&db.url)).await;
    assert_eq!(second.get("/api/v1/me", &token).await.status, 200);
    let stored: Vec<String> = first.with_conn(|c| {
        use cunyi::db::schema::settings::dsl::*;
        settings.select(key).load(c).unwrap()
    });
    assert!(
        !stored.iter().any(|k| k == "jwt_secret" || k == "id_key"),
        "{stored:?}"
    );
}

async fn concurrent_writers_queue_instead_of_failing(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await[0];
    let creates = (0..12).map(|i| {
        app.post(
            "/api/v1/users",
            admin,
            serde_json::json!({"username": format!("para{i}"), "password": "pass-2026",
                               "display_name": "并发", "role": "doctor", "region_code": "370481"}),
        )
    });
    let replies = futures_util::future::join_all(creates).await;
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let report = app.with_conn(|c| cunyi::audit::verify_chain(c).unwrap());
    assert!(
        report.intact(),
        "concurrent appends keep the chain: {report:?}"
    );
}
