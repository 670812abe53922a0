//! The audit log: append-only, hash-chained, tamper-evident.

use cunyi::auth::Role;
use cunyi::db::AnyConnection;
use diesel::prelude::*;

use crate::both_backends;
use crate::support::{Backend, audit_event, spawn};

both_backends!(
    an_edited_row_breaks_the_chain_there,
    updates_and_deletes_are_refused,
    only_the_sysadmin_reads_the_log
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
