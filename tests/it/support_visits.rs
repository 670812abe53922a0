//! The 3331 support visits: central village clinics, visits, monthly compliance, the
//! dispatched staff's absences and yearly counts.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use cunyi::auth::Role;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};
use crate::tutoring::{doctor, instructor, team};

both_backends!(
    compliance_counts_full_days_inside_the_month,
    two_unjustified_absences_fail_and_targets_come_from_the_preset,
);

/// The first day of last month (Beijing time).
fn last_month() -> NaiveDate {
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let first = today.with_day(1).unwrap();
    (first - Duration::days(1)).with_day(1).unwrap()
}

fn visit_count(app: &TestApp) -> i64 {
    app.with_conn(|c| {
        use diesel::prelude::*;
        cunyi::db::schema::support_visits::table
            .count()
            .get_result(c)
            .unwrap()
    })
}

async fn compliance_counts_full_days_inside_the_month(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    app.regions("代码,名称\n370402001,中心街街道\n370402001101,东村\n370402001102,西村\n");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let not_a_clinic = app
        .post("/api/v1/organizations", &admin, json!({"name": "区医院", "kind": "county_hospital", "region_code": "370402", "central_village_clinic": true}))
        .await;
    assert_eq!(not_a_clinic.error_fields(), ["central_village_clinic"]);
    let central = app
        .post("/api/v1/organizations", &admin, json!({"name": "东村卫生室", "kind": "village_clinic", "region_code": "370402001101", "central_village_clinic": true}))
        .await
        .expect(201)
        .json();
    assert_eq!(central["central_village_clinic"], true);
    let plain = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"name": "西村卫生室", "kind": "village_clinic", "region_code": "370402001102"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(plain["central_village_clinic"], false);

    let (doc, _) = instructor(&app, &admin, "内科刘医生", "liu.doc", "370402").await;
    let (nurse, nurse_token) = instructor(&app, &admin, "陈护士", "chen.nurse", "370402").await;
    let (pharm, _) = instructor(&app, &admin, "药师孙", "sun.pharm", "370402").await;
    let (idle, _) = instructor(&app, &admin, "周医生", "zhou.doc", "370402").await;
    let members = json!([
        {"instructor_id": doc, "role": "doctor", "dispatched": true, "level": "county_hospital"},
        {"instructor_id": nurse, "role": "nurse", "dispatched": true, "level": "township_centre"},
        {"instructor_id": pharm, "role": "pharmacist", "dispatched": true, "level": "village_clinic"},
    ]);
    let t1 = team(&app, &admin, "3331帮扶一队", "370402", members).await;
    let t2 = team(&app, &admin, "3331帮扶二队", "370402", json!([{"instructor_id": idle, "role": "doctor", "dispatched": true, "level": "county_hospital"}])).await;
    let (taught, _) = doctor(&app, &admin, program, "赵六", 7, "370402001101", None).await;

    let m = last_month();
    let day = |d: i64| (m + Duration::days(d)).to_string();
    let visit = |starts: String, ends: String, hours: Option<i32>| {
        json!({"team_id": t1, "clinic_id": central["id"], "starts_on": starts, "ends_on": ends, "hours": hours,
               "modes": ["tour", "teach"], "doctor_ids": [taught]})
    };
    let first = app
        .post(
            "/api/v1/support/visits",
            &admin,
            visit(day(1), day(1), None),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(first["full_day"], true);
    assert_eq!(first["modes"], json!(["tour", "teach"]));
    app.post(
        "/api/v1/support/visits",
        &nurse_token,
        visit(day(8), day(9), None),
    )
    .await
    .expect(201);
    let short = app
        .post(
            "/api/v1/support/visits",
            &admin,
            visit(day(15), day(15), Some(4)),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(short["full_day"], false);
    // The month before does not count.
    app.post(
        "/api/v1/support/visits",
        &admin,
        visit(
            (m - Duration::days(3)).to_string(),
            (m - Duration::days(3)).to_string(),
            None,
        ),
    )
    .await
    .expect(201);

    let month = m.format("%Y-%m").to_string();
    let url = format!("/api/v1/support/compliance?month={month}&region=370402");
    let c = app.get(&url, &admin).await.expect(200).json();
    assert_eq!(
        c["items"],
        json!([
            {"team_id": t1, "team_name": "3331帮扶一队", "clinic_id": central["id"], "clinic_name": "东村卫生室", "visits": 3, "full_day_visits": 2, "compliant": false},
            {"team_id": t2, "team_name": "3331帮扶二队", "clinic_id": null, "clinic_name": null, "visits": 0, "full_day_visits": 0, "compliant": false},
        ])
    );
    app.post(
        "/api/v1/support/visits",
        &admin,
        visit(day(22), day(22), None),
    )
    .await
    .expect(201);
    let c = app.get(&url, &admin).await.expect(200).json();
    assert_eq!(c["items"][0]["full_day_visits"], 3);
    assert_eq!(c["items"][0]["compliant"], true);

    // Bad visits write nothing.
    let before = visit_count(&app);
    let to_plain = app
        .post("/api/v1/support/visits", &admin, json!({"team_id": t1, "clinic_id": plain["id"], "starts_on": day(2), "ends_on": day(2), "modes": ["lecture"], "doctor_ids": []}))
        .await;
    assert_eq!(to_plain.error_fields(), ["clinic_id"]);
    let bad = app
        .post("/api/v1/support/visits", &admin, json!({"team_id": t1, "clinic_id": central["id"], "starts_on": day(5), "ends_on": day(4), "modes": ["dance"]}))
        .await;
    assert_eq!(bad.error_fields(), ["ends_on", "modes"]);
    let outsider = app
        .post(
            "/api/v1/support/visits",
            &app.login("zhou.doc").await,
            visit(day(3), day(3), None),
        )
        .await;
    assert_eq!(outsider.error_fields(), ["team_id"]);
    assert_eq!(visit_count(&app), before);

    // County scope.
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    assert_eq!(app.get(&url, &other).await.status, 404);
    let theirs = app
        .get(&format!("/api/v1/support/compliance?month={month}"), &other)
        .await
        .expect(200)
        .json();
    assert_eq!(theirs["items"], json!([]));
    let as_instructor = app.get(&url, &nurse_token).await;
    assert_eq!(as_instructor.status, 403);
    let bad_month = app
        .get("/api/v1/support/compliance?month=2026-00", &admin)
        .await;
    assert_eq!(bad_month.error_fields(), ["month"]);
}

async fn two_unjustified_absences_fail_and_targets_come_from_the_preset(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doc, _) = instructor(&app, &admin, "内科刘医生", "liu.doc", "370402").await;
    let (nurse, _) = instructor(&app, &admin, "陈护士", "chen.nurse", "370402").await;
    let members = json!([
        {"instructor_id": doc, "role": "doctor", "dispatched": true, "level": "county_hospital"},
        {"instructor_id": nurse, "role": "nurse", "dispatched": true, "level": "township_centre"},
    ]);
    let id = app
        .post("/api/v1/tutoring/teams", &admin, json!({"name": "3331帮扶一队", "region_code": "370402", "program_id": program, "members": members}))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    assert!(id > 0);
    let year = (Utc::now() + Duration::hours(8)).year();
    let on = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).unwrap().to_string();
    for (day, justified) in [(on(1, 5), false), (on(2, 6), true), (on(3, 7), false)] {
        app.post("/api/v1/support/absences", &admin, json!({"instructor_id": doc, "occurred_on": day, "justified": justified, "reason": "未到岗"}))
            .await
            .expect(201);
    }
    app.post(
        "/api/v1/support/absences",
        &admin,
        json!({"instructor_id": nurse, "occurred_on": on(1, 5), "justified": false}),
    )
    .await
    .expect(201);
    let again = app
        .post(
            "/api/v1/support/absences",
            &admin,
            json!({"instructor_id": nurse, "occurred_on": on(1, 5), "justified": true}),
        )
        .await;
    assert_eq!(again.status, 409);
    let bad = app
        .post(
            "/api/v1/support/absences",
            &admin,
            json!({"instructor_id": nurse, "occurred_on": "2026-02-30"}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["occurred_on", "justified"]);

    let d = app
        .get(
            &format!("/api/v1/support/dispatched?region=370402&year={year}&program_id={program}"),
            &admin,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(d["items"][0]["instructor_id"], doc);
    assert_eq!(d["items"][0]["unjustified_absences"], 2);
    assert_eq!(d["items"][0]["justified_absences"], 1);
    assert_eq!(d["items"][0]["failed"], true);
    assert_eq!(d["items"][1]["failed"], false);
    assert_eq!(
        d["counts"],
        json!({"county_hospital": 1, "township_centre": 1, "village_clinic": 0, "total": 2})
    );
    assert_eq!(
        d["targets"],
        json!({"county_hospital": 100, "township_centre": 130, "village_clinic": 130, "total": 360})
    );
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let theirs = app
        .get(&format!("/api/v1/support/dispatched?year={year}"), &other)
        .await
        .expect(200)
        .json();
    assert_eq!(theirs["items"], json!([]));
    let foreign = app
        .post(
            "/api/v1/support/absences",
            &other,
            json!({"instructor_id": doc, "occurred_on": on(1, 6), "justified": false}),
        )
        .await;
    assert_eq!(foreign.error_fields(), ["instructor_id"]);
}
