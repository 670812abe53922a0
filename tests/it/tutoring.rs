//! Tutoring (辅导带教): teams, groups, activities credited to the ledger, monthly
//! evaluations, and who may reach what.

use chrono::{Duration, Utc};
use cunyi::auth::Role;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, id_number, spawn};

both_backends!(
    an_instructor_reaches_only_its_own_groups,
    activities_credit_tutoring_and_overlaps_are_refused,
    one_evaluation_per_group_and_month,
    groups_are_proposed_formed_and_moved_with_history,
    bad_bodies_write_nothing,
    the_notice_pdf_opens_and_names_the_team_and_members,
    an_instructor_logs_from_the_phone_page_and_the_county_sees_the_archive,
);

/// Register a doctor named `name` in `region` (as `admin`); with an account when
/// `username` is given.
pub async fn doctor(
    app: &TestApp,
    admin: &str,
    program: i64,
    name: &str,
    seq: u32,
    region: &str,
    username: Option<&str>,
) -> (i64, Option<String>) {
    let first17 = format!("{}19800101{seq:03}", &region[..6]);
    let r = app
        .post(
            "/api/v1/doctors",
            admin,
            json!({"name": name, "id_number": id_number(&first17), "phone": "13800138000",
                   "education": if seq.is_multiple_of(2) { "college" } else { "secondary" },
                   "qualification": "village_doctor_cert",
                   "region_code": region, "program_id": program, "cohort_year": 2026}),
        )
        .await
        .expect(201);
    let id = r.json()["id"].as_i64().unwrap();
    let token = match username {
        Some(u) => {
            app.post(
                &format!("/api/v1/doctors/{id}/account"),
                admin,
                json!({"username": u, "password": PASSWORD}),
            )
            .await
            .expect(201);
            Some(app.login(u).await)
        }
        None => None,
    };
    (id, token)
}

/// An instructor with an account; returns its id and token.
pub async fn instructor(
    app: &TestApp,
    admin: &str,
    name: &str,
    username: &str,
    region: &str,
) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/instructors",
            admin,
            json!({"name": name, "phone": "13900139000", "region_code": region, "username": username, "password": PASSWORD}),
        )
        .await
        .expect(201);
    (r.json()["id"].as_i64().unwrap(), app.login(username).await)
}

pub async fn team(app: &TestApp, admin: &str, name: &str, region: &str, members: Value) -> i64 {
    app.post(
        "/api/v1/tutoring/teams",
        admin,
        json!({"name": name, "region_code": region, "members": members}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .unwrap()
}

pub async fn group(
    app: &TestApp,
    admin: &str,
    name: &str,
    program: i64,
    team: i64,
    doctors: &[i64],
) -> i64 {
    app.post(
        "/api/v1/tutoring/groups",
        admin,
        json!({"name": name, "program_id": program, "region_code": "370402", "team_id": team, "doctor_ids": doctors}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .unwrap()
}

/// Two teams (A, B) each with an instructor, group A of two doctors, group B of one.
struct World {
    app: TestApp,
    program: i64,
    admin: String,
    a: String,
    b: String,
    group_a: i64,
    group_b: i64,
    d1: i64,
    d1_token: String,
    d2: i64,
    d3: i64,
}

async fn world(backend: Backend) -> World {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (ia, a) = instructor(&app, &admin, "内科王医生", "wang.teacher", "370402").await;
    let (ib, b) = instructor(&app, &admin, "护理赵护士", "zhao.teacher", "370402").await;
    let team_a = team(
        &app,
        &admin,
        "第一带教团队",
        "370402",
        json!([{"instructor_id": ia, "role": "doctor"}]),
    )
    .await;
    let team_b = team(
        &app,
        &admin,
        "第二带教团队",
        "370402",
        json!([{"instructor_id": ib, "role": "nurse"}]),
    )
    .await;
    let (d1, d1_token) = doctor(
        &app,
        &admin,
        program,
        "张三",
        1,
        "370402",
        Some("doc.zhang"),
    )
    .await;
    let (d2, _) = doctor(&app, &admin, program, "李四", 2, "370402", None).await;
    let (d3, _) = doctor(&app, &admin, program, "王五", 3, "370402", None).await;
    let group_a = group(&app, &admin, "甲组", program, team_a, &[d1, d2]).await;
    let group_b = group(&app, &admin, "乙组", program, team_b, &[d3]).await;
    World {
        app,
        program,
        admin,
        a,
        b,
        group_a,
        group_b,
        d1,
        d1_token: d1_token.unwrap(),
        d2,
        d3,
    }
}

/// An interval of `minutes` that ended `ago_hours` hours ago, in RFC 3339.
fn interval(ago_hours: i64, minutes: i64) -> (String, String) {
    let end = Utc::now() - Duration::hours(ago_hours);
    let start = end - Duration::minutes(minutes);
    (start.to_rfc3339(), end.to_rfc3339())
}

fn this_month() -> String {
    (Utc::now() + Duration::hours(8))
        .format("%Y-%m")
        .to_string()
}

async fn an_instructor_reaches_only_its_own_groups(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let (s, e) = interval(3, 60);
    let body = json!({"kind": "guidance", "starts_at": s, "ends_at": e, "topic": "慢病随访", "doctor_ids": [w.d3]});

    let foreign_group = app
        .get(&format!("/api/v1/tutoring/groups/{}", w.group_b), &w.a)
        .await;
    let foreign_log = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/activities", w.group_b),
            &w.a,
            body,
        )
        .await;
    let foreign_doctor = app.get(&format!("/api/v1/doctors/{}", w.d3), &w.a).await;
    let own_doctor = app.get(&format!("/api/v1/doctors/{}", w.d1), &w.a).await;
    let own_group = app
        .get(&format!("/api/v1/tutoring/groups/{}", w.group_a), &w.a)
        .await
        .expect(200);
    let listed = app
        .get("/api/v1/tutoring/groups", &w.a)
        .await
        .expect(200)
        .json();
    let as_doctor = app
        .get(
            &format!("/api/v1/tutoring/groups/{}", w.group_b),
            &w.d1_token,
        )
        .await;
    let mine = app
        .get(&format!("/api/v1/doctors/{}/tutoring", w.d1), &w.d1_token)
        .await
        .expect(200)
        .json();
    let others = app
        .get(&format!("/api/v1/doctors/{}/tutoring", w.d3), &w.d1_token)
        .await;

    assert_eq!(foreign_group.status, 404);
    assert_eq!(foreign_log.status, 404);
    assert_eq!(
        foreign_doctor.status, 404,
        "team A does not see group B's members"
    );
    assert_eq!(own_doctor.status, 200, "{}", own_doctor.text);
    let g = own_group.json();
    let names: Vec<&str> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["张三", "李四"]);
    assert_eq!(g["team"]["members"][0]["role"], "doctor");
    assert_eq!(g["team"]["members"][0]["phone"], "13900139000");
    let ids: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [w.group_a]);
    assert_eq!(as_doctor.status, 404);
    assert_eq!(mine["groups"][0]["name"], "甲组");
    assert_eq!(mine["groups"][0]["team"]["name"], "第一带教团队");
    assert_eq!(others.status, 404);
    assert!(app.audit_actions().iter().any(|a| a == "access.denied"));
}

async fn activities_credit_tutoring_and_overlaps_are_refused(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let (s, e) = interval(5, 90);
    let logged = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/activities", w.group_a),
            &w.a,
            json!({"kind": "qa", "starts_at": s, "ends_at": e, "topic": "高血压用药答疑", "doctor_ids": [w.d1, w.d2], "note": "现场答疑"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(logged["minutes"], 90);
    assert_eq!(logged["attendees"], json!(["张三", "李四"]));

    // Half an hour into the first: refused for the doctor who attended, naming the clash.
    let (s2, e2) = interval(4, 90);
    let overlap = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/activities", w.group_a),
            &w.a,
            json!({"kind": "lecture", "starts_at": s2, "ends_at": e2, "topic": "糖尿病", "doctor_ids": [w.d1]}),
        )
        .await;
    assert_eq!(overlap.status, 422, "{}", overlap.text);
    let message = overlap.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("张三") && message.contains("重叠"),
        "{message}"
    );
    assert!(
        message.contains("辅导带教")
            || message.contains("高血压用药答疑")
            || message.contains("记录"),
        "{message}"
    );

    let not_member = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/activities", w.group_a),
            &w.a,
            json!({"kind": "qa", "starts_at": s2, "ends_at": e2, "topic": "糖尿病", "doctor_ids": [w.d3]}),
        )
        .await;
    assert_eq!(not_member.error_fields(), ["doctor_ids"]);
    let by_doctor = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/activities", w.group_a),
            &w.d1_token,
            json!({"kind": "qa", "starts_at": s2, "ends_at": e2, "topic": "糖尿病", "doctor_ids": [w.d1]}),
        )
        .await;
    assert_eq!(by_doctor.status, 403);

    let progress = app.credited(&w.admin, w.d1).await;
    assert_eq!(progress["tutoring"]["credited_minutes"], 90, "{progress}");
    assert_eq!(
        app.credited(&w.admin, w.d2).await["tutoring"]["credited_minutes"],
        90
    );
    assert_eq!(
        app.credited(&w.admin, w.d3).await["tutoring"]["credited_minutes"],
        0
    );
    let archive = app
        .get(&format!("/api/v1/tutoring/groups/{}", w.group_a), &w.admin)
        .await
        .expect(200)
        .json();
    assert_eq!(
        archive["activities"].as_array().unwrap().len(),
        1,
        "the refused one left nothing"
    );
    let _ = w.program;
    crate::study_totals::agree(app);
}

async fn one_evaluation_per_group_and_month(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let month = this_month();
    let url = format!("/api/v1/tutoring/groups/{}/evaluations", w.group_a);
    let first = app
        .post(&url, &w.a, json!({"month": month, "score": 85.5, "progress": "完成本月慢病管理学习", "remarks": "良好"}))
        .await
        .expect(201)
        .json();
    let second = app
        .post(
            &url,
            &w.a,
            json!({"month": month, "score": 70, "progress": "重复", "remarks": ""}),
        )
        .await;
    let by_b = app
        .post(
            &url,
            &w.b,
            json!({"month": month, "score": 70, "progress": "越权", "remarks": ""}),
        )
        .await;
    let by_doctor = app
        .post(
            &url,
            &w.d1_token,
            json!({"month": month, "score": 70, "progress": "本人", "remarks": ""}),
        )
        .await;
    let missing = app
        .get(
            &format!("/api/v1/tutoring/evaluations/missing?month={month}&region=370402"),
            &w.admin,
        )
        .await
        .expect(200)
        .json();
    let shown = app
        .get(&format!("/api/v1/doctors/{}/tutoring", w.d1), &w.d1_token)
        .await
        .expect(200)
        .json();

    assert_eq!(first["score"], 85.5);
    assert!(first["instructor_id"].is_i64());
    assert_eq!(second.status, 409, "{}", second.text);
    assert_eq!(by_b.status, 404);
    assert_eq!(by_doctor.status, 403);
    assert_eq!(
        missing["items"],
        json!([{"group_id": w.group_b, "name": "乙组", "region_code": "370402"}])
    );
    assert_eq!(
        shown["groups"][0]["evaluations"][0]["progress"],
        "完成本月慢病管理学习"
    );

    // Another county sees none of it, and may not ask about this one.
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let theirs = app
        .get(
            &format!("/api/v1/tutoring/evaluations/missing?month={month}"),
            &other,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(theirs["items"], json!([]));
    let asked = app
        .get(
            &format!("/api/v1/tutoring/evaluations/missing?month={month}&region=370402"),
            &other,
        )
        .await;
    assert_eq!(asked.status, 404);
    let groups = app
        .get("/api/v1/tutoring/groups", &other)
        .await
        .expect(200)
        .json();
    assert_eq!(groups["items"], json!([]));
    let teams = app
        .get("/api/v1/tutoring/teams", &other)
        .await
        .expect(200)
        .json();
    assert_eq!(teams["items"], json!([]));
    let group = app
        .get(&format!("/api/v1/tutoring/groups/{}", w.group_a), &other)
        .await;
    assert_eq!(group.status, 404);
    let bad_month = app
        .get(
            "/api/v1/tutoring/evaluations/missing?month=2026-13",
            &w.admin,
        )
        .await;
    assert_eq!(bad_month.error_fields(), ["month"]);
}

async fn groups_are_proposed_formed_and_moved_with_history(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    app.regions("代码,名称\n370402001,中心街街道\n370402002,杨庄街道\n");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (ia, a) = instructor(&app, &admin, "王医生", "wang.teacher", "370402").await;
    let mut ids = Vec::new();
    for (i, town) in [
        "370402001",
        "370402001",
        "370402002",
        "370402002",
        "370402002",
    ]
    .iter()
    .enumerate()
    {
        let names = ["赵一", "钱二", "孙三", "李四", "周五"];
        ids.push(
            doctor(&app, &admin, program, names[i], i as u32 + 1, town, None)
                .await
                .0,
        );
    }
    let by_instructor = app
        .post("/api/v1/tutoring/teams", &a, json!({"name": "x", "region_code": "370402", "members": [{"instructor_id": ia, "role": "doctor"}]}))
        .await;
    assert_eq!(by_instructor.status, 403);
    let team_id = team(&app, &admin, "带教团队", "370402", json!([{"instructor_id": ia, "role": "doctor", "dispatched": true, "level": "county_hospital"}])).await;

    let proposal = app
        .post(
            "/api/v1/tutoring/groups/proposal",
            &admin,
            json!({"program_id": program, "region_code": "370402", "by": [], "max_size": 3}),
        )
        .await
        .expect(200)
        .json();
    let groups = proposal["groups"].as_array().unwrap();
    let sets: Vec<Vec<i64>> = groups
        .iter()
        .map(|g| {
            g["doctor_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_i64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(
        sets,
        vec![vec![ids[2], ids[3], ids[4]], vec![ids[0], ids[1]]],
        "townships kept together"
    );
    let by_education = app
        .post("/api/v1/tutoring/groups/proposal", &admin, json!({"program_id": program, "region_code": "370402", "by": ["education"], "max_size": 10}))
        .await
        .expect(200)
        .json();
    assert_eq!(by_education["groups"].as_array().unwrap().len(), 2);
    assert!(
        by_education["groups"][0]["criteria"]
            .as_str()
            .unwrap()
            .contains("中专")
            || by_education["groups"][0]["criteria"]
                .as_str()
                .unwrap()
                .contains("大专")
    );
    let group_rows: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        cunyi::db::schema::tutoring_groups::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(group_rows, 0, "a proposal writes nothing");

    let g1 = group(&app, &admin, "一组", program, team_id, &sets[0]).await;
    let g2 = group(&app, &admin, "二组", program, team_id, &sets[1]).await;
    let twice = app
        .post("/api/v1/tutoring/groups", &admin, json!({"name": "三组", "program_id": program, "region_code": "370402", "team_id": team_id, "doctor_ids": [ids[0]]}))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.text);
    let after = app
        .post("/api/v1/tutoring/groups/proposal", &admin, json!({"program_id": program, "region_code": "370402", "by": ["age_band"], "max_size": 3}))
        .await
        .expect(200)
        .json();
    assert_eq!(after["groups"], json!([]), "everyone is grouped");

    // Move 学员0 from 二组 to 一组? 一组 is full at 3: move 学员2 out of 一组 into 二组 instead.
    let moved = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/tutoring/groups/{g2}/members"),
            Some(&admin),
            Some(json!({"doctor_ids": [ids[0], ids[1], ids[2]]})),
        )
        .await
        .expect(200)
        .json();
    let now_in: Vec<i64> = moved["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["doctor_id"].as_i64().unwrap())
        .collect();
    assert_eq!(now_in, [ids[0], ids[1], ids[2]]);
    let old = app
        .get(&format!("/api/v1/tutoring/groups/{g1}"), &admin)
        .await
        .expect(200)
        .json();
    let left: Vec<&Value> = old["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["left_at"].is_null())
        .collect();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["doctor_id"], ids[2]);
    assert_eq!(old["members"].as_array().unwrap().len(), 2);
    let by_tutor = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/tutoring/groups/{g2}/members"),
            Some(&a),
            Some(json!({"doctor_ids": [ids[0]]})),
        )
        .await;
    assert_eq!(by_tutor.status, 403);
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let foreign = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/tutoring/groups/{g2}/members"),
            Some(&other),
            Some(json!({"doctor_ids": [ids[0]]})),
        )
        .await;
    assert_eq!(foreign.status, 404);
    let foreign_proposal = app
        .post(
            "/api/v1/tutoring/groups/proposal",
            &other,
            json!({"program_id": program, "region_code": "370402", "by": [], "max_size": 3}),
        )
        .await;
    assert_eq!(foreign_proposal.status, 404);
}

async fn bad_bodies_write_nothing(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let count = |table: &'static str| -> i64 {
        app.with_conn(|c| {
            use cunyi::db::schema::*;
            use diesel::prelude::*;
            match table {
                "teams" => tutoring_teams::table.count().get_result(c).unwrap(),
                "groups" => tutoring_groups::table.count().get_result(c).unwrap(),
                "activities" => tutoring_activities::table.count().get_result(c).unwrap(),
                "records" => study_records::table.count().get_result(c).unwrap(),
                _ => tutoring_evaluations::table.count().get_result(c).unwrap(),
            }
        })
    };
    let before = (
        count("teams"),
        count("groups"),
        count("activities"),
        count("records"),
        count("evaluations"),
    );

    let team = app
        .post("/api/v1/tutoring/teams", &w.admin, json!({"name": "", "region_code": "370402", "members": [{"instructor_id": 99999, "role": "surgeon"}]}))
        .await;
    assert_eq!(team.error_fields(), ["name", "members[0].role"]);
    let unknown_instructor = app
        .post("/api/v1/tutoring/teams", &w.admin, json!({"name": "新团队", "region_code": "370402", "members": [{"instructor_id": 99999, "role": "doctor"}]}))
        .await;
    assert_eq!(
        unknown_instructor.error_fields(),
        ["members[0].instructor_id"]
    );
    let group = app
        .post("/api/v1/tutoring/groups", &w.admin, json!({"name": "丙组", "program_id": w.program, "region_code": "370402", "doctor_ids": []}))
        .await;
    assert_eq!(group.error_fields(), ["team_id", "doctor_ids"]);
    let (s, e) = interval(2, 30);
    let activity = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/activities", w.group_a),
            &w.a,
            json!({"kind": "party", "starts_at": e, "ends_at": s, "topic": "", "doctor_ids": [w.d1]}),
        )
        .await;
    assert_eq!(activity.error_fields(), ["kind", "ends_at", "topic"]);
    let evaluation = app
        .post(
            &format!("/api/v1/tutoring/groups/{}/evaluations", w.group_a),
            &w.a,
            json!({"month": "2026-3", "score": 120, "progress": "x"}),
        )
        .await;
    assert_eq!(evaluation.error_fields(), ["month", "score"]);
    let proposal = app
        .post("/api/v1/tutoring/groups/proposal", &w.admin, json!({"program_id": w.program, "region_code": "370402", "by": ["height"], "max_size": 0}))
        .await;
    assert_eq!(proposal.error_fields(), ["by", "max_size"]);

    let after = (
        count("teams"),
        count("groups"),
        count("activities"),
        count("records"),
        count("evaluations"),
    );
    assert_eq!(before, after);
    let _ = (w.d2, w.d3, w.b, w.group_b);
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {text}");
    text
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let form = fetch(app, &client, "/login").await;
    let login = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &hidden(&form, "csrf")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303, "login {username}");
    client
}

async fn an_instructor_logs_from_the_phone_page_and_the_county_sees_the_archive(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let phone = browser_for(app, "wang.teacher").await;
    let list = fetch(app, &phone, "/tutoring").await;
    assert!(list.contains("甲组") && !list.contains("乙组"), "{list}");
    let form = fetch(app, &phone, &format!("/tutoring/groups/{}/log", w.group_a)).await;
    assert_eq!(form.matches("name=\"doctor_id\"").count(), 2);
    assert_eq!(
        form.matches(" checked>").count(),
        2 + 1,
        "every member ticked, the first kind chosen"
    );
    assert!(form.contains("辅导答疑") && form.contains("张三") && form.contains("李四"));
    let foreign = phone
        .get(app.url(&format!("/tutoring/groups/{}/log", w.group_b)))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);

    let end = Utc::now() + Duration::hours(8) - Duration::hours(2);
    let start = end - Duration::minutes(45);
    let posted = phone
        .post(app.url(&format!("/tutoring/groups/{}/log", w.group_a)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&kind=guidance&topic=%E5%85%A5%E6%88%B7%E9%9A%8F%E8%AE%BF&date={}&start={}&end={}&doctor_id={}",
            hidden(&form, "csrf"),
            start.format("%Y-%m-%d"),
            start.format("%H:%M"),
            end.format("%H:%M"),
            w.d1
        ))
        .send()
        .await
        .unwrap();
    let status = posted.status();
    let page = posted.text().await.unwrap();
    if start.date_naive() == end.date_naive() {
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("已登记") && page.contains("入户随访") && page.contains("带教指导"),
            "{page}"
        );
        assert_eq!(
            app.credited(&w.admin, w.d1).await["tutoring"]["credited_minutes"],
            45
        );
        assert_eq!(
            app.credited(&w.admin, w.d2).await["tutoring"]["credited_minutes"],
            0,
            "unticked"
        );
    }
    let empty = phone
        .post(app.url(&format!("/tutoring/groups/{}/log", w.group_a)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&kind=qa&topic=&date=&start=&end=",
            hidden(&form, "csrf")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("请填写主题"));

    let county = browser_for(app, "shizhong").await;
    let archive = fetch(app, &county, &format!("/tutoring/groups/{}", w.group_a)).await;
    assert!(
        archive.contains("第一带教团队")
            && archive.contains("医生")
            && archive.contains("13900139000")
    );
    let notice = fetch(
        app,
        &county,
        &format!("/tutoring/groups/{}/notice", w.group_a),
    )
    .await;
    assert!(
        notice.contains("公示")
            && notice.contains("张三")
            && notice.contains("李四")
            && notice.contains("/static/notice.css")
    );
    let print_css = fetch(app, &county, "/static/notice.css").await;
    assert!(
        print_css.contains("@page") && print_css.contains("A4"),
        "A4 print styles"
    );
    let township = fetch(app, &county, "/tutoring/notice?region=370402").await;
    assert!(
        township.contains("甲组") && township.contains("乙组") && township.contains("王五"),
        "{township}"
    );
    let last = fetch(app, &county, "/tutoring/missing").await;
    assert!(
        !last.contains("甲组"),
        "formed this month: nothing owed for last month"
    );
    let missing = fetch(
        app,
        &county,
        &format!("/tutoring/missing?month={}", this_month()),
    )
    .await;
    assert!(
        missing.contains("甲组") && missing.contains("乙组"),
        "{missing}"
    );
    let proposal = fetch(app, &county, "/tutoring/form").await;
    assert!(proposal.contains("生成分组方案") && proposal.contains("学历"));
    let edit = fetch(
        app,
        &county,
        &format!("/tutoring/groups/{}/members", w.group_a),
    )
    .await;
    assert_eq!(
        edit.matches(" checked>").count(),
        2,
        "the two members ticked"
    );
    let saved = county
        .post(app.url(&format!("/tutoring/groups/{}/members", w.group_a)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&doctor_id={}", hidden(&edit, "csrf"), w.d1))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let after = app
        .get(&format!("/api/v1/tutoring/groups/{}", w.group_a), &w.admin)
        .await
        .json();
    assert_eq!(after["members"].as_array().unwrap().len(), 1);
    assert_eq!(
        after["history"].as_array().unwrap().len(),
        2,
        "李四's row is kept, closed"
    );
    let by_tutor = phone
        .get(app.url(&format!("/tutoring/groups/{}/members", w.group_a)))
        .send()
        .await
        .unwrap();
    assert_eq!(by_tutor.status(), 403);
    let compliance = fetch(app, &county, "/support/compliance").await;
    assert!(compliance.contains("帮扶达标"));

    let xlsx = app
        .get(
            &format!("/api/v1/tutoring/groups/{}/archive.xlsx", w.group_a),
            &w.admin,
        )
        .await;
    assert_eq!(xlsx.status, 200);
    let bytes = app
        .api
        .get(app.url(&format!(
            "/api/v1/tutoring/groups/{}/archive.xlsx",
            w.group_a
        )))
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let members = book.worksheet_range("小组成员及调整").unwrap();
    let names: Vec<String> = members.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(names, ["张三", "李四"]);
    let team = book.worksheet_range("带教团队").unwrap();
    assert_eq!(team.rows().nth(1).unwrap()[1].to_string(), "医生");
}

async fn the_notice_pdf_opens_and_names_the_team_and_members(backend: Backend) {
    use crate::support::pdf::{compact, pdf_text, pdf_title};
    let w = world(backend).await;
    let app = &w.app;
    let url = format!("/api/v1/tutoring/groups/{}/notice.pdf", w.group_a);
    let fetch_pdf = |token: String, url: String| async move {
        let r = app
            .api
            .get(app.url(&url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let kind = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, kind, r.bytes().await.unwrap().to_vec())
    };
    let (status, kind, bytes) = fetch_pdf(w.admin.clone(), url.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(kind.as_deref(), Some("application/pdf"));
    let text = compact(&pdf_text(&bytes));
    for expected in [
        "公示",
        "甲组",
        "第一带教团队",
        "内科王医生",
        "医生",
        "13900139000",
        "张三",
        "李四",
        "公示期",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert!(
        !text.contains("王五"),
        "group B's member is not on group A's notice"
    );
    assert_eq!(pdf_title(&bytes).as_deref(), Some("学习小组及带教团队公示"));
    let (foreign, _, _) = fetch_pdf(w.b.clone(), url.clone()).await;
    assert_eq!(foreign, 404, "another team's instructor");
    let (town_status, _, town) = fetch_pdf(
        w.admin.clone(),
        "/api/v1/tutoring/notice.pdf?region=370402".to_owned(),
    )
    .await;
    assert_eq!(town_status, 200);
    let town = compact(&pdf_text(&town));
    assert!(
        town.contains("甲组")
            && town.contains("乙组")
            && town.contains("王五")
            && town.contains("护理赵护士"),
        "{town}"
    );
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let (foreign_town, _, _) = fetch_pdf(
        other,
        "/api/v1/tutoring/notice.pdf?region=370402".to_owned(),
    )
    .await;
    assert_eq!(foreign_town, 404);
    let (archive_status, _, archive) = fetch_pdf(
        w.a.clone(),
        format!("/api/v1/tutoring/groups/{}/archive.pdf", w.group_a),
    )
    .await;
    assert_eq!(archive_status, 200);
    let archive = compact(&pdf_text(&archive));
    assert!(
        archive.contains("带教档案") && archive.contains("月度评估") && archive.contains("张三"),
        "{archive}"
    );
}
