//! The ledger's maintained totals (issue 14): equal to a recomputation from the records
//! after every kind of write, `cunyi check ledger` finds and fixes a corrupted total,
//! progress from the totals equals progress from the records, and the county table pages
//! and filters in SQL with the same rows the in-memory table had.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use chrono::NaiveDate;
use cunyi::auth::Role;
use cunyi::db::AnyConnection;
use cunyi::study::store::progress::{Whose, ledgers};
use cunyi::study::{Credit, NewRecord, RecordStatus, Source, StudyKind};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    progress_from_the_totals_equals_progress_from_the_records,
    check_ledger_finds_a_corrupted_total_and_fix_repairs_it,
    the_county_table_pages_and_filters_like_the_whole_table_did,
);

/// The totals agree with the records (`cunyi check ledger` finds nothing) and each
/// doctor's ledger from its totals equals the aggregate of its records. Other test files
/// call this after their writes (check-in, sign-off, import, review, tutoring).
pub fn agree(app: &TestApp) {
    app.with_conn(|conn| {
        let report = cunyi::study::ops::check::check_ledger(conn, false).unwrap();
        assert_eq!(report.differences, vec![], "totals differ from the records");
        assert!(report.totals > 0, "the check saw no totals at all");
        let from_records = ledgers(conn, Whose::Doctor(0)).unwrap();
        assert!(from_records.is_empty());
        let doctors: Vec<i64> = {
            use cunyi::db::schema::doctors;
            use diesel::prelude::*;
            doctors::table.select(doctors::id).load(conn).unwrap()
        };
        for id in doctors {
            let from_records = ledgers(conn, Whose::Doctor(id))
                .unwrap()
                .remove(&id)
                .unwrap_or_default();
            let from_totals = cunyi::study::store::ledger_of(conn, id).unwrap();
            assert_eq!(from_totals, from_records, "doctor {id}");
        }
    });
}

struct County {
    admin: String,
    program: i64,
}

async fn county(app: &TestApp) -> County {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    County { admin, program }
}

fn record(doctor: i64, kind: StudyKind, minutes: i32, on: NaiveDate, tag: &str) -> NewRecord {
    NewRecord {
        doctor_id: doctor,
        kind,
        minutes,
        occurred_on: on,
        interval: None,
        course_id: None,
        session_id: None,
        rotation_id: None,
        source: Source::Manual,
        source_ref: format!("totals:{tag}:{on}:{kind}"),
        status: RecordStatus::Approved,
        evidence: None,
        unit_score: None,
        created_by: None,
    }
}

fn credit(conn: &mut AnyConnection, lines: Vec<NewRecord>) -> Vec<i64> {
    match cunyi::study::credit(
        conn,
        &Credit::lines(lines),
        cunyi::time::today_cst(),
        cunyi::time::now(),
    ) {
        Ok(done) => done.created(),
        Err(e) => panic!("credit refused: {e:?}"),
    }
}

/// A random ledger: per doctor, records on distinct days of 2024–2026 of random kinds,
/// minutes and status (online ones with unit scores), some pending ones then approved or
/// rejected over HTTP.
async fn random_ledger(app: &TestApp, c: &County, doctors: &[i64], seed: u64) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let kinds = [
        StudyKind::Online,
        StudyKind::Centralized,
        StudyKind::Shadowing,
        StudyKind::Tutoring,
        StudyKind::SkillsPractice,
    ];
    let start = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    let mut pending = Vec::new();
    for (n, &doctor) in doctors.iter().enumerate() {
        let mut days = BTreeSet::new();
        let count = rng.random_range(0..25);
        while days.len() < count {
            days.insert(rng.random_range(0..1000i64));
        }
        let lines: Vec<NewRecord> = days
            .iter()
            .map(|&d| {
                let kind = kinds[rng.random_range(0..kinds.len())];
                let on = start + chrono::Duration::days(d);
                let mut r = record(doctor, kind, rng.random_range(1..=600), on, &n.to_string());
                if rng.random_bool(0.4) {
                    r.status = RecordStatus::Pending;
                }
                if kind == StudyKind::Online && rng.random_bool(0.7) {
                    r.unit_score = Some(cunyi::points::Points::tenths(rng.random_range(0..=1000)));
                }
                r
            })
            .collect();
        let statuses: Vec<RecordStatus> = lines.iter().map(|l| l.status).collect();
        let ids = app.with_conn(|conn| credit(conn, lines));
        pending.extend(
            ids.into_iter()
                .zip(statuses)
                .filter(|(_, s)| *s == RecordStatus::Pending)
                .map(|(id, _)| id),
        );
    }
    for id in pending {
        match rng.random_range(0..3) {
            0 => {}
            1 => {
                app.post(
                    &format!("/api/v1/study-records/{id}/approve"),
                    &c.admin,
                    json!({}),
                )
                .await
                .expect(200);
            }
            _ => {
                app.post(
                    &format!("/api/v1/study-records/{id}/reject"),
                    &c.admin,
                    json!({"note": "证明不清"}),
                )
                .await
                .expect(200);
            }
        }
    }
}

async fn progress_from_the_totals_equals_progress_from_the_records(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let mut doctors = Vec::new();
    for i in 0..6 {
        let first17 = format!("37040219800101{i:03}");
        doctors.push(
            app.doctor(&c.admin, c.program, &first17, "370402", None)
                .await
                .0,
        );
    }

    random_ledger(&app, &c, &doctors, 14).await;

    agree(&app);
    let today = cunyi::time::today_cst();
    for &id in &doctors {
        let api = app
            .get(&format!("/api/v1/doctors/{id}/progress"), &c.admin)
            .await
            .expect(200)
            .json();
        let (from_totals, from_records) = app.with_conn(|conn| {
            let (policy, years) = cunyi::program::policy(conn, c.program).unwrap().unwrap();
            let ledger = ledgers(conn, Whose::Doctor(id))
                .unwrap()
                .remove(&id)
                .unwrap_or_default();
            let old = cunyi::study::rules::progress(
                &policy.requirements,
                &policy.deadlines,
                years,
                &ledger,
                today,
            );
            (
                cunyi::study::compute_progress(conn, id, c.program).unwrap(),
                old,
            )
        });
        assert_eq!(from_totals, from_records, "doctor {id}");
        let old = serde_json::to_value(&from_records).unwrap();
        for key in [
            "online",
            "centralized",
            "shadowing",
            "tutoring",
            "skills_practice",
            "annual",
            "completion",
        ] {
            assert_eq!(api[key], old[key], "doctor {id}: {key}");
        }
    }
}

fn cunyi_cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cunyi"))
        .args(args)
        .env("CUNYI_DATABASE_URL", &app.db.url)
        .env("CUNYI_LOG", "warn")
        .env("CUNYI_ID_KEY", crate::support::ID_KEY)
        .env_remove("CUNYI_JWT_SECRET")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn check_ledger_finds_a_corrupted_total_and_fix_repairs_it(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let (doctor, _) = app
        .doctor(&c.admin, c.program, "37040219800101123", "370402", None)
        .await;
    let (other, _) = app
        .doctor(&c.admin, c.program, "37040219800101124", "370402", None)
        .await;
    let on = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap();
    app.with_conn(|conn| {
        credit(
            conn,
            vec![
                record(doctor, StudyKind::Online, 120, on, "a"),
                record(other, StudyKind::Shadowing, 240, on, "b"),
            ],
        )
    });
    let (clean, said) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(clean, "{said}");

    app.with_conn(|conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE study_totals SET credited_minutes = credited_minutes + 7 \
             WHERE doctor_id = {doctor}"
        ))
        .execute(conn)
        .unwrap();
        diesel::sql_query(format!(
            "DELETE FROM study_doctor_totals WHERE doctor_id = {other}"
        ))
        .execute(conn)
        .unwrap();
    });
    let (found_ok, found) = cunyi_cli(&app, &["check", "ledger"]);
    let (fixed_ok, fixed) = cunyi_cli(&app, &["check", "ledger", "--fix"]);
    let (after_ok, after) = cunyi_cli(&app, &["check", "ledger"]);

    assert!(!found_ok, "a difference exits non-zero: {found}");
    assert!(
        found.contains(&format!("doctor {doctor} online 2025")),
        "{found}"
    );
    assert!(found.contains(&format!("doctor {other} doctor")), "{found}");
    assert!(fixed_ok, "{fixed}");
    assert!(fixed.contains("fixed the totals of 2 doctor(s)"), "{fixed}");
    assert!(after_ok, "{after}");
    agree(&app);
    let p = app.credited(&c.admin, doctor).await;
    assert_eq!(p["online"]["credited_minutes"], 120);
}

/// Each row of the table, by doctor, as the whole table used to compute it: the old
/// aggregate of the records over the scope, then `rules::progress` per doctor.
fn old_table(app: &TestApp, region: &str) -> BTreeMap<i64, (bool, bool, f64, i64, i64)> {
    let today = cunyi::time::today_cst();
    app.with_conn(|conn| {
        let scope = cunyi::regions::resolve(conn, region)
            .unwrap()
            .unwrap()
            .scope();
        let mut all = ledgers(conn, Whose::InScope(&scope)).unwrap();
        let doctors =
            cunyi::study::store::progress::table_doctors(conn, &scope, Some("active")).unwrap();
        doctors
            .into_iter()
            .map(|d| {
                let (policy, years) = cunyi::program::policy(conn, d.program_id).unwrap().unwrap();
                let ledger = all.remove(&d.id).unwrap_or_default();
                let p = cunyi::study::rules::progress(
                    &policy.requirements,
                    &policy.deadlines,
                    years,
                    &ledger,
                    today,
                );
                (
                    d.id,
                    (
                        p.completion.behind_schedule,
                        p.completion.hours_met,
                        p.share(),
                        i64::from(p.online.hours.credited_minutes),
                        i64::from(p.pending_minutes()),
                    ),
                )
            })
            .collect()
    })
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["doctor_id"].as_i64().unwrap())
        .collect()
}

async fn the_county_table_pages_and_filters_like_the_whole_table_did(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let city = app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await
        .remove(0);
    let mut doctors = Vec::new();
    for i in 0..8 {
        let first17 = format!("37040219800101{i:03}");
        doctors.push(
            app.doctor(&c.admin, c.program, &first17, "370402", None)
                .await
                .0,
        );
    }
    let (foreign, _) = app
        .doctor(&city, c.program, "37040319800101123", "370403", None)
        .await;
    // One doctor with every hour: on schedule (and hours met); one with none at all.
    random_ledger(&app, &c, &doctors[2..], 7).await;
    let done = doctors[0];
    let day = |n: i64| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(n);
    let mut lines = Vec::new();
    for n in 0..7 {
        lines.push(record(done, StudyKind::Online, 1440, day(n), "done"));
    }
    for n in 7..10 {
        lines.push(record(done, StudyKind::Centralized, 1200, day(n), "done"));
        lines.push(record(done, StudyKind::Shadowing, 1200, day(n + 3), "done"));
    }
    app.with_conn(|conn| credit(conn, lines));
    app.with_conn(|conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE doctors SET name = '李晓梅' WHERE id = {}",
            doctors[5]
        ))
        .execute(conn)
        .unwrap();
    });

    let whole = app
        .get("/api/v1/progress?per_page=500", &c.admin)
        .await
        .expect(200)
        .json();
    let second = app
        .get("/api/v1/progress?per_page=3&page=2", &c.admin)
        .await
        .expect(200)
        .json();
    let behind = app
        .get("/api/v1/progress?behind=true&per_page=500", &c.admin)
        .await
        .expect(200)
        .json();
    let behind_second = app
        .get("/api/v1/progress?behind=true&per_page=2&page=2", &c.admin)
        .await
        .expect(200)
        .json();
    let searched = app
        .get("/api/v1/progress?q=%E6%99%93%E6%A2%85", &c.admin)
        .await
        .expect(200)
        .json();
    let city_wide = app
        .get("/api/v1/progress?per_page=500", &city)
        .await
        .expect(200)
        .json();
    let bad = app.get("/api/v1/progress?per_page=0", &c.admin).await;
    let old = old_table(&app, "370402");

    assert_eq!(whole["total"], 8);
    assert_eq!(ids(&whole), old.keys().copied().collect::<Vec<_>>());
    assert!(
        !ids(&whole).contains(&foreign),
        "another county: not listed"
    );
    assert_eq!(second["total"], 8);
    assert_eq!(second["page"], 2);
    assert_eq!(ids(&second), ids(&whole)[3..6].to_vec());
    for row in whole["items"].as_array().unwrap() {
        let id = row["doctor_id"].as_i64().unwrap();
        let (late, met, share, online, pending) = old[&id];
        assert_eq!(row["behind_schedule"], late, "doctor {id}");
        assert_eq!(row["hours_met"], met, "doctor {id}");
        // Within an ulp: the JSON reader here parses floats to the nearest but one.
        let shown = row["share"].as_f64().unwrap();
        assert!(
            (shown - share).abs() < 1e-12,
            "doctor {id}: {shown} vs {share}"
        );
        assert_eq!(row["online_minutes"], online, "doctor {id}");
        assert_eq!(row["pending_minutes"], pending, "doctor {id}");
    }
    let old_behind: Vec<i64> = old.iter().filter(|(_, r)| r.0).map(|(id, _)| *id).collect();
    assert!(
        !old_behind.contains(&done) && old_behind.len() > 1,
        "the fixture has doctors on both sides: {old_behind:?}"
    );
    assert_eq!(ids(&behind), old_behind);
    assert_eq!(behind["total"], old_behind.len());
    assert_eq!(ids(&behind_second), old_behind[2..4.min(old_behind.len())]);
    assert_eq!(ids(&searched), vec![doctors[5]]);
    assert_eq!(searched["total"], 1);
    assert_eq!(city_wide["total"], 9, "the city sees both counties");
    assert!(ids(&city_wide).contains(&foreign));
    assert_eq!(bad.error_fields(), ["per_page"]);
    agree(&app);
}
