//! Skills exams: stations, exams, examiners' sheets, results, statistics and the
//! standing the assessment reads.

use cunyi::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, Reply, TestApp, spawn};

both_backends!(
    a_missed_critical_item_fails_the_station_whatever_the_points,
    only_an_examiner_assigned_to_the_station_may_score_it,
    county_admins_set_exams_in_their_region_and_others_see_nothing,
    bad_bodies_are_refused_and_nothing_is_written,
    a_submitted_sheet_is_locked_and_corrected_as_a_new_version,
    results_are_scoped_and_two_examiners_mean_counts,
    statistics_on_a_small_circuit,
    shipped_stations_are_loaded_and_listed,
    the_pages_set_up_an_exam_score_a_sheet_and_show_results,
    the_demo_holds_a_scored_round_and_a_completion_exam_to_finish,
);

struct Setup {
    admin: String,
    other_admin: String,
    program: i64,
    doctors: Vec<(i64, String)>,
    teachers: Vec<(i64, String)>,
    station: i64,
}

async fn instructor(
    app: &TestApp,
    admin: &str,
    name: &str,
    region: &str,
    username: &str,
) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/instructors",
            admin,
            json!({"name": name, "region_code": region, "username": username, "password": PASSWORD}),
        )
        .await
        .expect(201);
    (r.json()["id"].as_i64().unwrap(), app.login(username).await)
}

/// A county (370402) with three doctors and three instructors, another county (370403)
/// with its admin, and a small station: a (critical, 10) + b (20) + c (20) = 50, pass 30.
async fn setup(app: &TestApp) -> Setup {
    let program = app.program("zaozhuang-2024");
    let mut tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let other_admin = tokens.pop().unwrap();
    let admin = tokens.pop().unwrap();
    let mut doctors = Vec::new();
    for (i, first17) in [
        "37040219800101123",
        "37040219810202234",
        "37040219820303345",
    ]
    .iter()
    .enumerate()
    {
        let (id, token) = app
            .doctor(&admin, program, first17, "370402", Some(&format!("doc{i}")))
            .await;
        doctors.push((id, token.unwrap()));
    }
    let mut teachers = Vec::new();
    for (name, user) in [
        ("王考官", "t.wang"),
        ("李考官", "t.li"),
        ("赵老师", "t.zhao"),
    ] {
        teachers.push(instructor(app, &admin, name, "370402", user).await);
    }
    let station = app
        .post("/api/v1/skills/stations", &admin, station_body("t_hands"))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    Setup {
        admin,
        other_admin,
        program,
        doctors,
        teachers,
        station,
    }
}

fn station_body(code: &str) -> Value {
    json!({"code": code, "title": "手卫生", "area": "clinical_skills", "minutes": 5,
    "max_points": 50, "pass_points": 30, "source": "WS/T 313—2019《医务人员手卫生规范》",
    "items": [
        {"code": "a", "text": "揉搓双手各部位至少15秒", "points": 10, "critical": true},
        {"code": "b", "text": "七步洗手顺序正确", "points": 20, "critical": false},
        {"code": "c", "text": "干手、关水龙头不再污染", "points": 20}
    ]})
}

/// An exam at `station` with the examiners given, for the setup's doctors.
async fn exam(app: &TestApp, s: &Setup, kind: &str, stations: Value, pass_score: f64) -> Value {
    app.post(
        "/api/v1/skills/exams",
        &s.admin,
        json!({"title": "2026年单项技能考核", "kind": kind, "program_id": s.program,
               "region_code": "370402", "held_on": "2026-06-10", "starts_at": "09:00",
               "stations": stations, "pass_score": pass_score,
               "candidate_ids": s.doctors.iter().map(|d| d.0).collect::<Vec<_>>()}),
    )
    .await
    .expect(201)
    .json()
}

async fn put(
    app: &TestApp,
    token: &str,
    exam: i64,
    doctor: i64,
    station: i64,
    body: Value,
) -> Reply {
    app.send(
        Method::PUT,
        &format!("/api/v1/skills/exams/{exam}/sheets/{doctor}/{station}"),
        Some(token),
        Some(body),
    )
    .await
}

fn marks(a: f64, b: f64, c: f64) -> Value {
    json!([{"code": "a", "points": a}, {"code": "b", "points": b}, {"code": "c", "points": c}])
}

fn count(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.with_conn(|c| {
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<N>(c)
            .unwrap()
            .n
    })
}

async fn a_missed_critical_item_fails_the_station_whatever_the_points(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let e = exam(
        &app,
        &s,
        "single",
        json!([{"station_id": s.station, "examiner_ids": [s.teachers[0].0]}]),
        30.0,
    )
    .await;
    let id = e["id"].as_i64().unwrap();

    let missed = put(
        &app,
        &s.teachers[0].1,
        id,
        s.doctors[0].0,
        s.station,
        json!({"items": marks(0.0, 20.0, 20.0), "global_rating": 4}),
    )
    .await
    .expect(200)
    .json();
    let kept = put(
        &app,
        &s.teachers[0].1,
        id,
        s.doctors[1].0,
        s.station,
        json!({"items": marks(2.5, 10.0, 18.0), "global_rating": 3}),
    )
    .await
    .expect(200)
    .json();

    assert_eq!(missed["points"], 40);
    assert_eq!(missed["critical_missed"], true);
    assert_eq!(missed["missed_critical"], json!(["a"]));
    assert_eq!(missed["passed"], false);
    assert_eq!(missed["status"], "draft");
    assert_eq!(kept["points"], 30.5);
    assert_eq!(kept["critical_missed"], false);
    assert_eq!(kept["passed"], true);
}

async fn only_an_examiner_assigned_to_the_station_may_score_it(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let second = app
        .post(
            "/api/v1/skills/stations",
            &s.admin,
            station_body("t_second"),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let e = exam(
        &app,
        &s,
        "single",
        json!([
            {"station_id": s.station, "examiner_ids": [s.teachers[0].0]},
            {"station_id": second, "examiner_ids": [s.teachers[1].0]}
        ]),
        60.0,
    )
    .await;
    let id = e["id"].as_i64().unwrap();
    let body = json!({"items": marks(10.0, 20.0, 20.0), "global_rating": 5});
    let (outsider, _) = app
        .doctor(
            &s.other_admin,
            s.program,
            "37040319850505567",
            "370403",
            None,
        )
        .await;

    let unassigned = put(
        &app,
        &s.teachers[2].1,
        id,
        s.doctors[0].0,
        s.station,
        body.clone(),
    )
    .await;
    let other_station = put(
        &app,
        &s.teachers[1].1,
        id,
        s.doctors[0].0,
        s.station,
        body.clone(),
    )
    .await;
    let admin = put(&app, &s.admin, id, s.doctors[0].0, s.station, body.clone()).await;
    let not_a_candidate = put(
        &app,
        &s.teachers[0].1,
        id,
        outsider,
        s.station,
        body.clone(),
    )
    .await;
    let no_exam = put(
        &app,
        &s.teachers[0].1,
        id + 100,
        s.doctors[0].0,
        s.station,
        body.clone(),
    )
    .await;
    let assigned = put(&app, &s.teachers[1].1, id, s.doctors[0].0, second, body).await;

    assert_eq!(unassigned.status, 404, "{}", unassigned.text);
    assert_eq!(other_station.status, 404, "{}", other_station.text);
    assert_eq!(admin.status, 403, "{}", admin.text);
    assert_eq!(not_a_candidate.status, 404, "{}", not_a_candidate.text);
    assert_eq!(no_exam.status, 404);
    assert_eq!(assigned.status, 200, "{}", assigned.text);
    assert_eq!(count(&app, "skill_sheets"), 1);
    assert!(app.audit_actions().iter().any(|a| a == "access.denied"));
}

async fn county_admins_set_exams_in_their_region_and_others_see_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let body = json!({"title": "结业技能考核", "kind": "completion", "program_id": s.program,
        "region_code": "370402", "held_on": "2026-11-20", "starts_at": "09:00",
        "stations": [{"station_id": s.station, "examiner_ids": [s.teachers[0].0, s.teachers[1].0]}],
        "pass_score": 30, "candidate_ids": [s.doctors[0].0, s.doctors[1].0]});

    let by_doctor = app
        .post("/api/v1/skills/exams", &s.doctors[0].1, body.clone())
        .await;
    let by_teacher = app
        .post("/api/v1/skills/exams", &s.teachers[0].1, body.clone())
        .await;
    let by_other_county = app
        .post("/api/v1/skills/exams", &s.other_admin, body.clone())
        .await;
    let created = app
        .post("/api/v1/skills/exams", &s.admin, body)
        .await
        .expect(201)
        .json();
    let id = created["id"].as_i64().unwrap();

    assert_eq!(by_doctor.status, 403);
    assert_eq!(by_teacher.status, 403);
    assert_eq!(by_other_county.status, 403, "{}", by_other_county.text);
    assert_eq!(created["kind"], "completion");
    assert_eq!(created["max_score"], 50);
    assert_eq!(
        created["stations"][0]["examiner_ids"],
        json!([s.teachers[0].0, s.teachers[1].0])
    );
    // Two candidates, one station of 5 minutes: rounds of 7 minutes from 09:00 Beijing.
    assert_eq!(
        created["candidates"][0]["schedule"][0]["starts_at_cst"],
        "09:00"
    );
    assert_eq!(
        created["candidates"][1]["schedule"][0]["starts_at_cst"],
        "09:07"
    );
    assert_eq!(created["starts_at"], "2026-11-20T01:00:00Z");

    for path in [
        format!("/api/v1/skills/exams/{id}"),
        format!("/api/v1/skills/exams/{id}/results"),
        format!("/api/v1/skills/exams/{id}/statistics"),
    ] {
        assert_eq!(app.get(&path, &s.other_admin).await.status, 404, "{path}");
        assert_eq!(app.get(&path, &s.teachers[2].1).await.status, 404, "{path}");
        assert_eq!(app.get(&path, &s.admin).await.status, 200, "{path}");
    }
    let others = app
        .get("/api/v1/skills/exams", &s.other_admin)
        .await
        .expect(200)
        .json();
    let mine = app
        .get("/api/v1/skills/exams", &s.admin)
        .await
        .expect(200)
        .json();
    let examiner = app
        .get("/api/v1/skills/exams", &s.teachers[1].1)
        .await
        .expect(200)
        .json();
    let bystander = app
        .get("/api/v1/skills/exams", &s.teachers[2].1)
        .await
        .expect(200)
        .json();
    let sitting = app
        .get("/api/v1/skills/exams", &s.doctors[1].1)
        .await
        .expect(200)
        .json();
    let not_sitting = app
        .get("/api/v1/skills/exams", &s.doctors[2].1)
        .await
        .expect(200)
        .json();
    assert_eq!(others["total"], 0);
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["kind_label"], "结业技能考核");
    assert_eq!(examiner["total"], 1);
    assert_eq!(bystander["total"], 0);
    assert_eq!(sitting["total"], 1);
    assert_eq!(not_sitting["total"], 0);
    assert_eq!(
        app.get(
            &format!("/api/v1/skills/exams/{id}/statistics"),
            &s.doctors[0].1
        )
        .await
        .status,
        403
    );
}

async fn bad_bodies_are_refused_and_nothing_is_written(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let (foreign_teacher, _) =
        instructor(&app, &s.other_admin, "外县老师", "370403", "t.far").await;
    let (foreign_doctor, _) = app
        .doctor(
            &s.other_admin,
            s.program,
            "37040319850505567",
            "370403",
            None,
        )
        .await;
    let stations_before = count(&app, "skill_stations");

    let bad_station = app.post("/api/v1/skills/stations", &s.admin, json!({
        "code": "Bad Code", "title": "", "area": "surgery", "minutes": 5, "max_points": 50, "pass_points": 60,
        "items": [{"code": "a", "text": "x", "points": 50, "critical": false}]})).await;
    let duplicate = app
        .post("/api/v1/skills/stations", &s.admin, station_body("t_hands"))
        .await;
    let bad_exam = app
        .post(
            "/api/v1/skills/exams",
            &s.admin,
            json!({
        "title": "考核", "kind": "oral", "program_id": s.program, "region_code": "370402",
        "held_on": "2026-06-10", "pass_score": 30,
        "stations": [{"station_id": s.station, "examiner_ids": [foreign_teacher]}]}),
        )
        .await;
    let bad_refs = app.post("/api/v1/skills/exams", &s.admin, json!({
        "title": "考核", "kind": "single", "program_id": s.program, "region_code": "370402",
        "held_on": "2026-06-10", "pass_score": 80,
        "stations": [{"station_id": s.station, "examiner_ids": [foreign_teacher]}, {"station_id": 99999, "examiner_ids": [s.teachers[0].0]}],
        "candidate_ids": [s.doctors[0].0, foreign_doctor]})).await;
    let too_high = app
        .post(
            "/api/v1/skills/exams",
            &s.admin,
            json!({
        "title": "考核", "kind": "single", "program_id": s.program, "region_code": "370402",
        "held_on": "2026-06-10", "pass_score": 50.5,
        "stations": [{"station_id": s.station, "examiner_ids": [s.teachers[0].0]}]}),
        )
        .await;

    assert_eq!(
        bad_station.error_fields(),
        vec!["code", "title", "area", "pass_points", "items"]
    );
    assert_eq!(duplicate.status, 409);
    assert_eq!(bad_exam.error_fields(), vec!["kind"]);
    assert_eq!(
        bad_refs.error_fields(),
        vec![
            "stations[0].examiner_ids[0]",
            "stations[1].station_id",
            "candidate_ids[1]"
        ]
    );
    assert_eq!(too_high.error_fields(), vec!["pass_score"]);
    assert_eq!(count(&app, "skill_stations"), stations_before);
    assert_eq!(count(&app, "skill_exams"), 0);
    assert_eq!(count(&app, "skill_candidates"), 0);

    let e = exam(
        &app,
        &s,
        "single",
        json!([{"station_id": s.station, "examiner_ids": [s.teachers[0].0]}]),
        30.0,
    )
    .await;
    let id = e["id"].as_i64().unwrap();
    let t = &s.teachers[0].1;
    let d = s.doctors[0].0;
    let unknown = put(
        &app,
        t,
        id,
        d,
        s.station,
        json!({"items": [{"code": "zz", "points": 1}, {"code": "b", "points": 21}]}),
    )
    .await;
    let rating = put(
        &app,
        t,
        id,
        d,
        s.station,
        json!({"items": marks(1.0, 1.0, 1.0), "global_rating": 6}),
    )
    .await;
    let decimals = put(
        &app,
        t,
        id,
        d,
        s.station,
        json!({"items": [{"code": "a", "points": 1.25}]}),
    )
    .await;
    let incomplete = put(
        &app,
        t,
        id,
        d,
        s.station,
        json!({"items": [{"code": "a", "points": 10}], "global_rating": 3, "submit": true}),
    )
    .await;
    let no_items = put(&app, t, id, d, s.station, json!({"global_rating": 3})).await;

    assert_eq!(
        unknown.error_fields(),
        vec!["items[0].code", "items[1].points"]
    );
    assert_eq!(rating.error_fields(), vec!["global_rating"]);
    assert_eq!(decimals.error_fields(), vec!["items[0].points"]);
    assert_eq!(incomplete.error_fields(), vec!["items"]);
    assert!(incomplete.text.contains("b、c"), "{}", incomplete.text);
    assert_eq!(no_items.error_fields(), vec!["items"]);
    assert_eq!(count(&app, "skill_sheets"), 0);
}

async fn a_submitted_sheet_is_locked_and_corrected_as_a_new_version(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let e = exam(
        &app,
        &s,
        "single",
        json!([{"station_id": s.station, "examiner_ids": [s.teachers[0].0]}]),
        30.0,
    )
    .await;
    let id = e["id"].as_i64().unwrap();
    let (t, d) = (&s.teachers[0].1, s.doctors[0].0);

    let draft = put(
        &app,
        t,
        id,
        d,
        s.station,
        json!({"items": [{"code": "a", "points": 10}]}),
    )
    .await
    .expect(200)
    .json();
    let submitted = put(&app, t, id, d, s.station, json!({"items": marks(10.0, 15.0, 10.0), "global_rating": 3, "notes": "顺序有误", "submit": true})).await.expect(200).json();
    let overwrite = put(
        &app,
        t,
        id,
        d,
        s.station,
        json!({"items": marks(10.0, 20.0, 20.0), "global_rating": 5}),
    )
    .await;
    let corrected = put(&app, t, id, d, s.station, json!({"items": marks(10.0, 20.0, 10.0), "global_rating": 4, "submit": true, "reason": "b 项误判"})).await.expect(200).json();
    let fetched = app
        .get(
            &format!("/api/v1/skills/exams/{id}/sheets/{d}/{}", s.station),
            t,
        )
        .await
        .expect(200)
        .json();

    assert_eq!(draft["version"], 1);
    assert_eq!(draft["points"], 10);
    assert_eq!(submitted["id"], draft["id"], "a draft is saved in place");
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["points"], 35);
    assert_eq!(overwrite.status, 409, "{}", overwrite.text);
    assert_eq!(corrected["version"], 2);
    assert_eq!(corrected["points"], 40);
    assert_eq!(corrected["reason"], "b 项误判");
    assert_eq!(fetched["version"], 2);
    assert_eq!(fetched["notes"], "");
    assert_eq!(count(&app, "skill_sheets"), 2, "both versions are kept");
    let audit = app.last_audit("skills.sheet_corrected");
    assert_eq!(audit["points_before"], 35);
    assert_eq!(audit["points_after"], 40);
    assert_eq!(audit["reason"], "b 项误判");
    let results = app
        .get(&format!("/api/v1/skills/exams/{id}/results"), &s.admin)
        .await
        .expect(200)
        .json();
    let line = results["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["doctor_id"] == d)
        .unwrap()
        .clone();
    assert_eq!(line["stations"][0]["points"], 40);
    assert_eq!(line["total"], 40);
    assert_eq!(line["passed"], true);
}

async fn results_are_scoped_and_two_examiners_mean_counts(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let second = app
        .post(
            "/api/v1/skills/stations",
            &s.admin,
            station_body("t_second"),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let e = exam(
        &app,
        &s,
        "completion",
        json!([
            {"station_id": s.station, "examiner_ids": [s.teachers[0].0, s.teachers[1].0]},
            {"station_id": second, "examiner_ids": [s.teachers[2].0]}
        ]),
        70.0,
    )
    .await;
    let id = e["id"].as_i64().unwrap();
    let (d0, d1) = (s.doctors[0].0, s.doctors[1].0);
    let submit = |a: f64, b: f64, c: f64| json!({"items": marks(a, b, c), "global_rating": 3, "submit": true});
    // Doctor 0: 45 and 36 → mean 40.5 at station 1; 35 at station 2; total 75.5 ≥ 70.
    put(
        &app,
        &s.teachers[0].1,
        id,
        d0,
        s.station,
        submit(10.0, 20.0, 15.0),
    )
    .await
    .expect(200);
    put(
        &app,
        &s.teachers[1].1,
        id,
        d0,
        s.station,
        submit(8.0, 18.0, 10.0),
    )
    .await
    .expect(200);
    put(
        &app,
        &s.teachers[2].1,
        id,
        d0,
        second,
        submit(10.0, 15.0, 10.0),
    )
    .await
    .expect(200);
    // Doctor 1: 50 and 28 → mean 39, flagged (difference 22 > 10); station 2 not scored.
    put(
        &app,
        &s.teachers[0].1,
        id,
        d1,
        s.station,
        submit(10.0, 20.0, 20.0),
    )
    .await
    .expect(200);
    put(
        &app,
        &s.teachers[1].1,
        id,
        d1,
        s.station,
        submit(8.0, 10.0, 10.0),
    )
    .await
    .expect(200);

    let all = app
        .get(&format!("/api/v1/skills/exams/{id}/results"), &s.admin)
        .await
        .expect(200)
        .json();
    let own = app
        .get(
            &format!("/api/v1/skills/exams/{id}/results"),
            &s.doctors[0].1,
        )
        .await
        .expect(200)
        .json();
    let examiner = app
        .get(
            &format!("/api/v1/skills/exams/{id}/results"),
            &s.teachers[2].1,
        )
        .await
        .expect(200)
        .json();

    let line = |v: &Value, d: i64| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["doctor_id"] == d)
            .cloned()
            .unwrap()
    };
    let l0 = line(&all, d0);
    assert_eq!(l0["stations"][0]["points"], 40.5);
    assert_eq!(l0["stations"][0]["sheets"], 2);
    assert_eq!(l0["stations"][0]["flagged"], false);
    assert_eq!(l0["stations"][1]["points"], 35);
    assert_eq!(l0["total"], 75.5);
    assert_eq!(l0["passed"], true);
    assert_eq!(l0["complete"], true);
    let l1 = line(&all, d1);
    assert_eq!(l1["stations"][0]["points"], 39);
    assert_eq!(l1["stations"][0]["flagged"], true);
    assert_eq!(l1["stations"][1]["points"], Value::Null);
    assert_eq!(l1["passed"], false);
    assert_eq!(l1["complete"], false);
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        own["items"].as_array().unwrap().len(),
        1,
        "a doctor sees its own line"
    );
    assert_eq!(own["items"][0]["doctor_id"], d0);
    assert_eq!(examiner["items"].as_array().unwrap().len(), 3);

    // The seam for the assessment: the completion exam, passed with 75.5.
    let standing = app.with_conn(|c| cunyi::skills::standing(c, d0, s.program, 2026).unwrap());
    let outcome = standing.completion.unwrap();
    assert_eq!(outcome.exam_id, id);
    assert_eq!(outcome.total, cunyi::points::Points::tenths(755));
    assert!(outcome.passed);
    assert!(standing.single.is_empty());
    let incomplete = app.with_conn(|c| cunyi::skills::standing(c, d1, s.program, 2026).unwrap());
    assert_eq!(
        incomplete.completion, None,
        "an incomplete result does not count"
    );
}

async fn statistics_on_a_small_circuit(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let e = exam(
        &app,
        &s,
        "single",
        json!([{"station_id": s.station, "examiner_ids": [s.teachers[0].0, s.teachers[1].0]}]),
        30.0,
    )
    .await;
    let id = e["id"].as_i64().unwrap();
    let sheet = |a: f64, b: f64, c: f64, rating: i32| json!({"items": marks(a, b, c), "global_rating": rating, "submit": true});
    // Examiner 0: 20 (rating 1), 30 (2), 40 (3); examiner 1: 20 (1), 30 (2), 40 (3) with
    // the critical item missed on the last one.
    for (i, (t, a, b, c, r)) in [
        (0, 10.0, 10.0, 0.0, 1),
        (0, 10.0, 10.0, 10.0, 2),
        (0, 10.0, 20.0, 10.0, 3),
        (1, 10.0, 10.0, 0.0, 1),
        (1, 10.0, 10.0, 10.0, 2),
        (1, 0.0, 20.0, 20.0, 3),
    ]
    .into_iter()
    .enumerate()
    {
        put(
            &app,
            &s.teachers[t].1,
            id,
            s.doctors[i % 3].0,
            s.station,
            sheet(a, b, c, r),
        )
        .await
        .expect(200);
    }
    let stats = app
        .get(&format!("/api/v1/skills/exams/{id}/statistics"), &s.admin)
        .await
        .expect(200)
        .json();
    let st = &stats["stations"][0];

    // Per doctor: 20 (fail), 30 (pass), 40 with a missed critical item (fail).
    assert_eq!(st["n"], 3);
    assert_eq!(st["passed"], 1);
    assert_eq!(st["pass_rate"], 0.33);
    assert_eq!(st["mean"], 30.0);
    assert_eq!(st["fixed_pass_mark"], 30);
    // Points on rating: a line through (1,20) (2,30) (3,40) read at 2.
    assert_eq!(st["borderline_regression_mark"], 30);
    // Item a: 10 10 10 10 10 0 of 10 → 5/6; item c: 0 10 10 0 10 20 of 20 → 0.42.
    assert_eq!(st["items"][0]["code"], "a");
    assert!((st["items"][0]["facility"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-9);
    assert!((st["items"][2]["facility"].as_f64().unwrap() - 50.0 / 120.0).abs() < 1e-9);
    // Both examiners gave the same points: no stringency difference.
    assert_eq!(st["examiners"].as_array().unwrap().len(), 2);
    assert_eq!(st["examiners"][0]["difference"], 0.0);
    assert_eq!(st["examiners"][0]["flagged"], false);
    assert_eq!(stats["candidates"], 3);
    assert_eq!(stats["passed"], 1);

    // The single exam in the standing: 30 of 50 = 60 % for doctor 1.
    let standing =
        app.with_conn(|c| cunyi::skills::standing(c, s.doctors[1].0, s.program, 2026).unwrap());
    assert_eq!(standing.single, vec![cunyi::points::Points::whole(60)]);
    let other_year =
        app.with_conn(|c| cunyi::skills::standing(c, s.doctors[1].0, s.program, 2025).unwrap());
    assert!(other_year.single.is_empty());
}

async fn shipped_stations_are_loaded_and_listed(backend: Backend) {
    let app = spawn(backend).await;
    let token = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let list = app
        .get("/api/v1/skills/stations", &token)
        .await
        .expect(200)
        .json();
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 16, "{}", items.len());
    let cpr = items.iter().find(|s| s["code"] == "cpr_aed").unwrap();
    assert_eq!(cpr["max_points"], 100);
    assert_eq!(cpr["area"], "emergency");
    assert!(cpr["source"].as_str().unwrap().contains("2020"));
    assert!(
        cpr["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["critical"] == true)
    );
    assert_eq!(cpr["shipped"], true);
}

/// A browser: keeps cookies, does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {html}");
    html
}

async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let form = page(app, &client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &hidden(&form, "csrf")),
            ("next", "/home"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    client
}

async fn the_pages_set_up_an_exam_score_a_sheet_and_show_results(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let admin = browser_for(&app, "shizhong").await;
    let form = page(&app, &admin, "/skills/exams/new").await;
    assert!(
        form.contains("单人徒手心肺复苏"),
        "shipped stations are offered"
    );
    assert!(form.contains("王考官"));
    let csrf = hidden(&form, "csrf");
    let program = s.program.to_string();
    let station = s.station.to_string();
    let examiner = s.teachers[0].0.to_string();
    let examiners_field = format!("examiners_{station}");
    let d0 = s.doctors[0].0.to_string();
    let fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("program_id", &program),
        ("title", "手卫生单项考核"),
        ("kind", "single"),
        ("held_on", "2026-06-10"),
        ("starts_at", "08:30"),
        ("region_code", "370402"),
        ("pass_score", "30"),
        ("station", &station),
        (&examiners_field, &examiner),
        ("candidate", &d0),
    ];
    let created = admin
        .post(app.url("/skills/exams/new"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303, "{}", created.text().await.unwrap());
    let at = created.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();

    let bad = admin
        .post(app.url("/skills/exams/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("program_id", program.as_str()),
            ("title", "x"),
            ("kind", "single"),
            ("held_on", "2026-06-10"),
            ("region_code", "370402"),
            ("pass_score", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("至少需要一个考站"));

    let teacher = browser_for(&app, "t.wang").await;
    let circuit = page(&app, &teacher, &format!("/skills/exams/{id}")).await;
    let score_path = format!("/skills/exams/{id}/score/{d0}/{station}");
    assert!(circuit.contains(&score_path), "{circuit}");
    assert!(circuit.contains("08:30"));
    let sheet = page(&app, &teacher, &score_path).await;
    assert!(sheet.contains("关键项"));
    assert!(sheet.contains("揉搓双手各部位至少15秒"));
    assert!(sheet.contains("/static/skills.js"));
    let csrf = hidden(&sheet, "csrf");
    let sent = teacher
        .post(app.url(&score_path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("item_a", "10"),
            ("item_b", "15"),
            ("item_c", "10"),
            ("global_rating", "3"),
            ("notes", ""),
            ("submit", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let locked = page(&app, &teacher, &score_path).await;
    assert!(locked.contains("已提交并锁定"));
    assert!(locked.contains("更正原因"));
    let again = teacher
        .post(app.url(&score_path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("item_a", "0"),
            ("global_rating", "3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("评分表已提交"));

    let results = page(&app, &admin, &format!("/skills/exams/{id}")).await;
    assert!(results.contains("35 / 50"), "{results}");
    assert!(results.contains("合格"));
    let stats = page(&app, &admin, &format!("/skills/exams/{id}/statistics")).await;
    assert!(stats.contains("边界回归法"));
    assert!(stats.contains("考官宽严度"));
    let js = app
        .api
        .get(app.url("/static/skills.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(js.contains("项未同步"));
    assert!(js.contains("localStorage"));
}

async fn the_demo_holds_a_scored_round_and_a_completion_exam_to_finish(backend: Backend) {
    let app = spawn(backend).await;
    let pii = app.state.pii.clone();
    let accounts = app.with_conn(|c| cunyi::demo::load(c, &pii, cunyi::time::now()).unwrap());
    let password = |u: &str| {
        accounts
            .iter()
            .find(|a| a.username == u)
            .unwrap()
            .password
            .clone()
    };
    let teacher = app
        .login_reply("demo-instructor", &password("demo-instructor"))
        .await
        .expect(200)
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = app
        .get("/api/v1/skills/exams", &teacher)
        .await
        .expect(200)
        .json();
    assert_eq!(list["total"], 2);
    let completion = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "completion")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let single = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "single")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let exam = app
        .get(&format!("/api/v1/skills/exams/{completion}"), &teacher)
        .await
        .expect(200)
        .json();
    assert_eq!(exam["stations"].as_array().unwrap().len(), 5);
    assert_eq!(exam["candidates"].as_array().unwrap().len(), 10);
    assert_eq!(
        exam["stations"][0]["examiner_ids"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "two examiners on CPR"
    );
    let done = app
        .get(
            &format!("/api/v1/skills/exams/{completion}/results"),
            &teacher,
        )
        .await
        .expect(200)
        .json();
    let complete = done["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["complete"] == true)
        .count();
    assert_eq!(complete, 6);
    let round = app
        .get(
            &format!("/api/v1/skills/exams/{single}/statistics"),
            &teacher,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(round["candidates"], 10);
    assert_eq!(round["stations"][0]["n"], 10);

    // 市中区's completions are decided from those sheets, the theory attempts and the
    // hours (issue 10 demo): the stored status of every candidate is what its facts call
    // for; the fifth (a missed critical CPR step) is in make-up for the skills half; the
    // completed hold certificates that verify.
    let county = app
        .login_reply("demo-county", &password("demo-county"))
        .await
        .expect(200)
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let candidates: Vec<i64> = exam["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["doctor_id"].as_i64().unwrap())
        .collect();
    let mut by_status = std::collections::BTreeMap::<String, usize>::new();
    for (i, id) in candidates.iter().enumerate() {
        let a = app
            .get(&format!("/api/v1/doctors/{id}/assessment"), &county)
            .await
            .expect(200)
            .json();
        let status = a["completion"]["status"].as_str().unwrap().to_owned();
        let stored = app.with_conn(|c| {
            cunyi::assessment::store::completions::get(c, *id, exam["program_id"].as_i64().unwrap())
                .unwrap()
                .expect("decided")
        });
        assert_eq!(
            stored.status.as_str(),
            status,
            "doctor {id}: stored = computed"
        );
        assert_eq!(
            a["completion"]["hours_met"], true,
            "candidates have their hours"
        );
        assert!(
            a["completion"]["theory"].is_boolean(),
            "every candidate sat the theory"
        );
        let result = done["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["doctor_id"] == *id)
            .unwrap();
        if result["complete"] == true {
            assert_eq!(a["completion"]["skills"], result["passed"], "doctor {id}");
        } else {
            assert!(a["completion"]["skills"].is_null());
        }
        if i == 4 {
            assert_eq!(status, "makeup", "{a}");
            assert!(
                a["completion"]["makeup_needs"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("skills_exam"))
            );
        }
        let cert = app
            .get(&format!("/api/v1/doctors/{id}/certificate"), &county)
            .await;
        if status == "passed" {
            let code = cert.expect(200).json()["code"].as_str().unwrap().to_owned();
            let verify = app
                .api
                .get(app.url(&format!("/verify/{code}")))
                .send()
                .await
                .unwrap();
            assert_eq!(verify.status(), 200);
        } else {
            assert_eq!(cert.status, 404, "no certificate unless passed");
        }
        *by_status.entry(status).or_default() += 1;
    }
    assert!(
        by_status.get("passed").copied().unwrap_or(0) >= 1,
        "{by_status:?}"
    );
    assert!(
        by_status.get("makeup").copied().unwrap_or(0) >= 1,
        "{by_status:?}"
    );
    // Loading again adds nothing.
    app.with_conn(|c| cunyi::demo::load(c, &pii, cunyi::time::now()).unwrap());
    assert_eq!(count(&app, "skill_exams"), 2);
}
