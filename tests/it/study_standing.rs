//! The doctors' stored standing on the pace (`doctors.behind_from`, `progress_bin`, issue 14
//! §4): a ledger write moves it and the table's "behind" filter flips on the stored day, a
//! program change and a policy change recompute it, and `cunyi check ledger` reports a
//! tampered value and `--fix` repairs it.

use std::process::Command;

use chrono::{Days, NaiveDate};
use cunyi::auth::Role;
use cunyi::study::rules::standing::{Credited, Standing, standing};
use cunyi::study::store::table;
use cunyi::study::{Credit, NewRecord, RecordStatus, Source, StudyKind};
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, TestApp, id_number, spawn};

both_backends!(
    a_ledger_write_moves_behind_from_and_the_filter_flips_on_that_day,
    a_program_change_and_a_policy_change_recompute_the_standing,
    check_ledger_reports_a_tampered_standing_and_fix_repairs_it,
);

const FIRST17: &str = "37040219800101123";

async fn setup(app: &TestApp) -> (String, i64, i64) {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, _) = app.doctor(&admin, program, FIRST17, "370402", None).await;
    (admin, program, doctor)
}

/// Credit `minutes` of `kind`, a day's worth at most a record, on the days after
/// `*day` (days of 2025).
fn credit(app: &TestApp, doctor: i64, kind: StudyKind, minutes: i32, day: &mut u64) {
    let mut lines = Vec::new();
    let mut left = minutes;
    while left > 0 {
        *day += 1;
        let on = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(*day);
        let m = left.min(1440);
        left -= m;
        lines.push(NewRecord {
            doctor_id: doctor,
            kind,
            minutes: m,
            occurred_on: on,
            interval: None,
            course_id: None,
            session_id: None,
            rotation_id: None,
            source: Source::Manual,
            source_ref: format!("standing:{on}:{kind}"),
            status: RecordStatus::Approved,
            evidence: None,
            unit_score: None,
            created_by: None,
        });
    }
    app.with_conn(|conn| {
        cunyi::study::credit(
            conn,
            &Credit::lines(lines),
            cunyi::time::today_cst(),
            cunyi::time::now(),
        )
        .unwrap_or_else(|e| panic!("credit refused: {e:?}"));
    });
}

/// What the doctor's standing is, straight from the rule over its totals and program.
fn expected(app: &TestApp, doctor: i64) -> Standing {
    app.with_conn(|conn| {
        let program: i64 = {
            use cunyi::db::schema::doctors;
            use diesel::prelude::*;
            doctors::table
                .find(doctor)
                .select(doctors::program_id)
                .first(conn)
                .unwrap()
        };
        let (policy, years) = cunyi::program::policy(conn, program).unwrap().unwrap();
        let ledger = cunyi::study::store::ledger_of(conn, doctor).unwrap();
        let c = |k| ledger.credited(k);
        standing(
            &policy.requirements,
            &policy.deadlines,
            years,
            &Credited {
                online: c(StudyKind::Online),
                centralized: c(StudyKind::Centralized),
                shadowing: c(StudyKind::Shadowing),
                tutoring: c(StudyKind::Tutoring),
                skills_practice: c(StudyKind::SkillsPractice),
            },
        )
    })
}

fn stored(app: &TestApp, doctor: i64) -> Standing {
    app.with_conn(|conn| cunyi::study::store::standing::stored(conn).unwrap()[&doctor])
}

/// The table's "behind" count of the county on `today`.
fn behind_on(app: &TestApp, program: i64, today: NaiveDate) -> i64 {
    app.with_conn(|conn| {
        let scope = cunyi::regions::resolve(conn, "370402")
            .unwrap()
            .unwrap()
            .scope();
        let filter = table::Filter {
            scope: Some(&scope),
            status: Some("active"),
            name: None,
            behind_only: true,
            today,
        };
        let n = table::count(conn, &[program], &filter).unwrap();
        let lines = table::lines(conn, &[program], &filter, 0, Some(10)).unwrap();
        let summary = table::summary(conn, &[program], &filter).unwrap();
        assert_eq!(lines.len() as i64, n);
        assert_eq!(summary.behind, n);
        n
    })
}

async fn a_ledger_write_moves_behind_from_and_the_filter_flips_on_that_day(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program, doctor) = setup(&app).await;

    // Stored on creation: nothing credited is behind from the period's second day.
    let fresh = stored(&app, doctor);
    assert_eq!(fresh, expected(&app, doctor));
    assert_eq!(fresh.bin, 0);
    assert!(fresh.behind_from.is_some());

    // Half of every requirement: behind later, in the chart's third fifth (index 2).
    let mut day = 0;
    let req = app.with_conn(|c| cunyi::program::policy(c, program).unwrap().unwrap().0);
    let req = req.requirements;
    credit(
        &app,
        doctor,
        StudyKind::Online,
        req.online_minutes / 2,
        &mut day,
    );
    credit(
        &app,
        doctor,
        StudyKind::Centralized,
        req.centralized_minutes / 2,
        &mut day,
    );
    credit(
        &app,
        doctor,
        StudyKind::Shadowing,
        req.shadowing_minutes / 2,
        &mut day,
    );
    let half = stored(&app, doctor);
    assert_eq!(half, expected(&app, doctor));
    assert_eq!(half.bin, 2);
    let from = half.behind_from.unwrap();
    assert!(from > fresh.behind_from.unwrap(), "{from}");

    // The filter flips on exactly that day, in the page, the count and the chart.
    let before = from.checked_sub_days(Days::new(1)).unwrap();
    assert_eq!(behind_on(&app, program, before), 0);
    assert_eq!(behind_on(&app, program, from), 1);

    // And the API answers as the rules do today.
    let page = app
        .get("/api/v1/progress?behind=true", &admin)
        .await
        .expect(200)
        .json();
    let behind_today = from <= cunyi::time::today_cst();
    assert_eq!(page["total"], i64::from(behind_today));

    // Every hour met: never behind, the last fifth.
    credit(
        &app,
        doctor,
        StudyKind::Online,
        req.online_minutes,
        &mut day,
    );
    credit(
        &app,
        doctor,
        StudyKind::Centralized,
        req.centralized_minutes,
        &mut day,
    );
    credit(
        &app,
        doctor,
        StudyKind::Shadowing,
        req.shadowing_minutes,
        &mut day,
    );
    assert_eq!(
        stored(&app, doctor),
        Standing {
            behind_from: None,
            bin: 5
        }
    );
    assert_eq!(
        behind_on(&app, program, NaiveDate::from_ymd_opt(2100, 1, 1).unwrap()),
        0
    );
    crate::study_totals::agree(&app);
}

async fn a_program_change_and_a_policy_change_recompute_the_standing(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program, doctor) = setup(&app).await;
    let mut day = 0;
    credit(&app, doctor, StudyKind::Online, 3000, &mut day);
    credit(&app, doctor, StudyKind::Centralized, 3600, &mut day);
    credit(&app, doctor, StudyKind::Shadowing, 3600, &mut day);
    let before = stored(&app, doctor);
    assert_eq!(before, expected(&app, doctor));

    // A second program that asks twice the online hours.
    let mut def = cunyi::program::rules::preset("zaozhuang-2024").unwrap();
    def.name = "加倍线上学时".into();
    def.preset = None;
    def.policy.requirements.online_minutes *= 2;
    let other = app.with_conn(|c| {
        cunyi::program::store::insert(c, &def, &cunyi::audit::Actor::cli(), cunyi::time::now())
            .unwrap()
            .row
            .id
    });
    app.send(
        Method::PUT,
        &format!("/api/v1/doctors/{doctor}"),
        Some(&admin),
        Some(
            json!({"name": "测试学员", "id_number": id_number(FIRST17), "phone": "13800138000",
               "education": "secondary", "qualification": "village_doctor_cert",
               "region_code": "370402", "program_id": other, "cohort_year": 2026}),
        ),
    )
    .await
    .expect(200);
    let moved = stored(&app, doctor);
    assert_eq!(moved, expected(&app, doctor));
    assert_ne!(
        moved, before,
        "the doctor's program changed, its standing did not"
    );

    // The first program's online hours halved: its doctors' standing follows.
    app.send(
        Method::PUT,
        &format!("/api/v1/doctors/{doctor}"),
        Some(&admin),
        Some(
            json!({"name": "测试学员", "id_number": id_number(FIRST17), "phone": "13800138000",
               "education": "secondary", "qualification": "village_doctor_cert",
               "region_code": "370402", "program_id": program, "cohort_year": 2026}),
        ),
    )
    .await
    .expect(200);
    assert_eq!(stored(&app, doctor), before);
    let mut def = cunyi::program::rules::preset("zaozhuang-2024").unwrap();
    def.policy.requirements.online_minutes = 3000;
    app.with_conn(|c| {
        cunyi::program::store::update(
            c,
            program,
            &def,
            None,
            &cunyi::audit::Actor::cli(),
            cunyi::time::now(),
        )
        .unwrap()
    });
    let eased = stored(&app, doctor);
    assert_eq!(eased, expected(&app, doctor));
    assert_ne!(
        eased, before,
        "the program's hours changed, the standing did not"
    );
    crate::study_totals::agree(&app);
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

async fn check_ledger_reports_a_tampered_standing_and_fix_repairs_it(backend: Backend) {
    let app = spawn(backend).await;
    let (_, _, doctor) = setup(&app).await;
    credit(&app, doctor, StudyKind::Online, 1200, &mut 0);
    let good = stored(&app, doctor);
    let (clean, said) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(clean, "{said}");

    app.with_conn(|conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE doctors SET behind_from = NULL, progress_bin = 4 WHERE id = {doctor}"
        ))
        .execute(conn)
        .unwrap();
    });
    let (found_ok, found) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(!found_ok, "a tampered standing exits non-zero: {found}");
    assert!(
        found.contains(&format!("doctor {doctor} standing")),
        "{found}"
    );
    let (fixed_ok, fixed) = cunyi_cli(&app, &["check", "ledger", "--fix"]);
    assert!(fixed_ok, "{fixed}");
    assert_eq!(stored(&app, doctor), good);
    let (after_ok, after) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(after_ok, "{after}");
}
