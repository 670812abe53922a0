//! The one ledger write path under concurrency: two connections crediting the same
//! doctor's day at once never take it past 24 hours — the second waits for the first
//! (`FOR UPDATE` on the doctor's row on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and is
//! refused naming the day. The point is PostgreSQL; SQLite runs it too.

use std::sync::Barrier;

use chrono::{Duration, NaiveDate};
use cunyi::auth::Role;
use cunyi::study::{Credit, CreditError, NewRecord, RecordStatus, Source, StudyKind};
use diesel::prelude::*;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    two_connections_never_credit_a_day_past_24_hours,
    two_requests_never_credit_a_day_past_24_hours,
);

const ROUNDS: i64 = 12;

async fn setup(app: &TestApp) -> (String, i64) {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, _) = app
        .doctor(&admin, program, "37040219800101123", "370402", None)
        .await;
    (admin, doctor)
}

fn day(round: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap() + Duration::days(round)
}

fn line(doctor: i64, on: NaiveDate, who: usize) -> NewRecord {
    NewRecord {
        doctor_id: doctor,
        kind: StudyKind::Tutoring,
        minutes: 800,
        occurred_on: on,
        interval: None,
        course_id: None,
        session_id: None,
        rotation_id: None,
        source: Source::Manual,
        source_ref: format!("race:{on}:{who}"),
        status: RecordStatus::Approved,
        evidence: None,
        unit_score: None,
        created_by: None,
    }
}

/// Counting minutes of each of the doctor's days.
fn day_totals(app: &TestApp, doctor: i64) -> Vec<(NaiveDate, i64)> {
    use cunyi::db::schema::study_records::dsl::*;
    app.with_conn(|c| {
        study_records
            .filter(doctor_id.eq(doctor))
            .group_by(occurred_on)
            .select((occurred_on, diesel::dsl::sum(minutes)))
            .load::<(NaiveDate, Option<i64>)>(c)
            .unwrap()
            .into_iter()
            .map(|(d, m)| (d, m.unwrap_or(0)))
            .collect()
    })
}

async fn two_connections_never_credit_a_day_past_24_hours(backend: Backend) {
    let app = spawn(backend).await;
    let (_, doctor) = setup(&app).await;
    let (today, now) = (cunyi::time::today_cst(), cunyi::time::now());

    for round in 0..ROUNDS {
        let on = day(round);
        let barrier = Barrier::new(2);
        let outcomes: Vec<Result<usize, String>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|who| {
                    let (pool, barrier) = (app.state.pool.clone(), &barrier);
                    s.spawn(move || {
                        let mut conn = pool.get().unwrap();
                        barrier.wait();
                        let credit = Credit::lines(vec![line(doctor, on, who)]);
                        match cunyi::study::credit(&mut conn, &credit, today, now) {
                            Ok(done) => Ok(done.created().len()),
                            Err(CreditError::Refused { refusals, .. }) => {
                                Err(refusals[0].refusal.message.clone())
                            }
                            Err(CreditError::Db(e)) => panic!("database error: {e}"),
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });

        let credited: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
        let refused: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
        assert_eq!(credited, [&Ok(1)], "round {round}: {outcomes:?}");
        assert_eq!(refused.len(), 1, "round {round}: {outcomes:?}");
        assert!(
            refused[0].contains(&on.to_string()) && refused[0].contains("24 小时"),
            "the refusal names the day: {}",
            refused[0]
        );
    }
    let totals = day_totals(&app, doctor);
    assert_eq!(totals.len() as i64, ROUNDS);
    assert!(
        totals.iter().all(|(_, m)| *m == 800),
        "never past 24 h: {totals:?}"
    );
}

async fn two_requests_never_credit_a_day_past_24_hours(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, doctor) = setup(&app).await;

    for round in 0..ROUNDS {
        let on = day(round).to_string();
        let body =
            json!({"doctor_id": doctor, "kind": "tutoring", "minutes": 800, "occurred_on": on});
        let (a, b) = futures_util::future::join(
            app.post("/api/v1/study-records", &admin, body.clone()),
            app.post("/api/v1/study-records", &admin, body),
        )
        .await;
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses[0], 201, "round {round}: {a:?} {b:?}");
        assert!(
            [409, 422].contains(&statuses[1]),
            "round {round}: one is refused: {a:?} {b:?}"
        );
        let refused = if a.status == 201 { &b } else { &a };
        assert!(
            refused.text.contains(&on),
            "the refusal names the day: {}",
            refused.text
        );
    }
    let totals = day_totals(&app, doctor);
    assert_eq!(totals.len() as i64, ROUNDS);
    assert!(totals.iter().all(|(_, m)| *m == 800), "{totals:?}");
    assert_eq!(
        app.credited(&admin, doctor).await["tutoring"]["credited_minutes"],
        800 * ROUNDS
    );
}
