//! The start's write (`exams::store::start`) when its reads are stale: what it opens is
//! decided again inside the write — on PostgreSQL in the one statement of the common
//! start, else in the transaction — so an attempt opened meanwhile is resumed, a used
//! allowance is refused, a withdrawn exam opens nothing, and a new attempt carries its
//! audit entry.

use cunyi::audit::Actor;
use cunyi::db::schema::{attempts, audit_log, doctors, exams};
use cunyi::exams::rules::stored;
use cunyi::exams::store::{self, Drawn, NewAttempt, Started};
use cunyi::exams::{AttemptStatus, ExamStatus};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::both_backends;
use crate::hot_paths::unstarted;
use crate::support::Backend;

both_backends!(a_start_decides_again_when_its_reads_are_stale);

async fn a_start_decides_again_when_its_reads_are_stale(backend: Backend) {
    let (app, exam_id, tokens) = unstarted(backend, 3, 3).await;
    let doctor_ids: Vec<i64> = app.with_conn(|c| {
        doctors::table
            .order(doctors::id)
            .select(doctors::id)
            .load(c)
            .unwrap()
    });
    let r = app
        .post(
            &format!("/api/v1/exams/{exam_id}/attempts"),
            &tokens[0],
            json!({}),
        )
        .await
        .expect(201);
    let first = r.json()["id"].as_i64().unwrap();
    let count = |doctor: i64| -> i64 {
        app.with_conn(|c| {
            attempts::table
                .filter(attempts::doctor_id.eq(doctor))
                .count()
                .get_result(c)
                .unwrap()
        })
    };
    // Another paper of the same exam, as a start would have drawn it (its contents are
    // already stored by the first start).
    let (exam, paper) = app.with_conn(|c| {
        (
            store::find(c, exam_id).unwrap(),
            store::get_attempt(c, first).unwrap().unwrap().paper,
        )
    });
    let split = stored::split(&paper).unwrap();
    let drawn = Drawn {
        paper,
        refs: split.refs,
        fresh: Vec::new(),
    };
    let actor = Actor {
        id: None,
        username: Some("probe".into()),
        client: Some("127.0.0.1".into()),
    };
    let now = cunyi::time::now();
    let start = |doctor_id: i64| {
        let new = NewAttempt {
            exam: &exam,
            doctor_id,
            seed: 0xfeed,
            drawn: &drawn,
            deadline: now + chrono::Duration::minutes(30),
            // What the reads believed: no attempt yet, the first next.
            expected: Some(1),
            now,
        };
        app.with_conn(|c| store::start(c, &new, &actor).unwrap())
    };

    // The doctor already has attempt 1 open: it is resumed, nothing new is written.
    match start(doctor_ids[0]) {
        Started::Resumed(a) => assert_eq!(a.id, first),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(doctor_ids[0]), 1);

    // A new attempt, with its audit entry (the same on every path and backend).
    let opened = match start(doctor_ids[1]) {
        Started::New(a) => a,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (opened.attempt_no, opened.status, opened.seed.as_str()),
        (1, AttemptStatus::InProgress, "000000000000feed")
    );
    let read = app.with_conn(|c| store::get_attempt(c, opened.id).unwrap().unwrap());
    assert_eq!(read.paper, opened.paper);
    let (actor_name, client, detail): (Option<String>, Option<String>, String) =
        app.with_settled(|c| {
            audit_log::table
                .filter(audit_log::action.eq("exam.attempt_started"))
                .filter(audit_log::target.eq(format!("attempt:{}", opened.id)))
                .select((audit_log::actor, audit_log::client, audit_log::detail))
                .first(c)
                .unwrap()
        });
    assert_eq!(
        (actor_name.as_deref(), client.as_deref()),
        (Some("probe"), Some("127.0.0.1"))
    );
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(
        (
            &detail["exam_id"],
            &detail["doctor_id"],
            &detail["attempt_no"],
            &detail["seed"]
        ),
        (
            &json!(exam_id),
            &json!(doctor_ids[1]),
            &json!(1),
            &json!("000000000000feed")
        )
    );

    // Its attempt submitted meanwhile, the allowance (one) is used: refused.
    app.with_conn(|c| {
        diesel::update(attempts::table.find(opened.id))
            .set(attempts::status.eq(AttemptStatus::Submitted))
            .execute(c)
            .unwrap()
    });
    match start(doctor_ids[1]) {
        Started::Exhausted(1) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(count(doctor_ids[1]), 1);

    // The exam withdrawn meanwhile: nothing opens.
    app.with_conn(|c| {
        diesel::update(exams::table.find(exam_id))
            .set(exams::status.eq(ExamStatus::Withdrawn))
            .execute(c)
            .unwrap()
    });
    match start(doctor_ids[2]) {
        Started::Withdrawn => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(count(doctor_ids[2]), 0);
}
