//! County filings to the city: statistics from the data, the life cycle, scope, the
//! frozen snapshot, lateness in Beijing time, the spreadsheet and the dashboard.

use cunyi::auth::Role;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    statistics_equal_the_hand_count_and_drill_down,
    a_submitted_filing_keeps_its_snapshot,
    late_is_judged_in_beijing_time,
    counties_file_and_read_only_their_own,
    only_the_city_reviews_and_returned_filings_come_back,
    bad_bodies_write_nothing,
    the_annual_plan_meets_the_third_before_it_is_filed,
    the_spreadsheet_reads_back,
    the_dashboard_shows_who_is_late,
);

struct Setup {
    city: String,
    shizhong: String,
    xuecheng: String,
    a: i64,
    b: i64,
    c: i64,
}

fn report_count(app: &TestApp) -> i64 {
    use cunyi::db::schema::reports::dsl::*;
    app.with_conn(|c| reports.count().get_result(c).unwrap())
}

async fn record(app: &TestApp, admin: &str, doctor: i64, kind: &str, minutes: i64, on: &str) {
    let mut body =
        json!({"doctor_id": doctor, "kind": kind, "minutes": minutes, "occurred_on": on});
    if kind == "online" {
        body["course_code"] = json!("ZZ-PH");
    }
    let r = app.post("/api/v1/study-records", admin, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn named_doctor(
    app: &TestApp,
    admin: &str,
    program: i64,
    name: &str,
    first17: &str,
    region: &str,
) -> i64 {
    let r = app
        .post(
            "/api/v1/doctors",
            admin,
            json!({"name": name, "id_number": crate::support::id_number(first17), "phone": "13800138000",
                   "education": "secondary", "qualification": "village_doctor_cert",
                   "region_code": region, "program_id": program, "cohort_year": 2026}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

/// Three doctors in 市中区 (370402) and one in 薛城区 (370403); in Q3 2026 A has 120
/// online and 90 centralized minutes, B 60 online (and 30 on 06-30, in Q2); C nothing;
/// D in the other county 500 online.
async fn setup(app: &TestApp) -> Setup {
    let program = app.program("zaozhuang-2024");
    let mut t = app
        .accounts(&[
            ("city", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let (city, shizhong, xuecheng) = (t.remove(0), t.remove(0), t.remove(0));
    let a = named_doctor(
        app,
        &shizhong,
        program,
        "王甲",
        "37040219800101001",
        "370402",
    )
    .await;
    let b = named_doctor(
        app,
        &shizhong,
        program,
        "李乙",
        "37040219800101002",
        "370402",
    )
    .await;
    let c = named_doctor(
        app,
        &shizhong,
        program,
        "张丙",
        "37040219800101003",
        "370402",
    )
    .await;
    let d = named_doctor(
        app,
        &xuecheng,
        program,
        "赵丁",
        "37040319800101004",
        "370403",
    )
    .await;
    record(app, &shizhong, a, "online", 120, "2026-07-10").await;
    record(app, &shizhong, a, "centralized", 90, "2026-08-01").await;
    record(app, &shizhong, b, "online", 60, "2026-09-05").await;
    record(app, &shizhong, b, "online", 30, "2026-06-30").await;
    record(app, &xuecheng, d, "online", 500, "2026-07-15").await;
    Setup {
        city,
        shizhong,
        xuecheng,
        a,
        b,
        c,
    }
}

async fn file(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/reports", token, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

fn figure(report: &Value, key: &str) -> Value {
    report["statistics"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
        .clone()
}

async fn put(app: &TestApp, token: &str, id: i64, body: Value) -> crate::support::Reply {
    app.send(
        Method::PUT,
        &format!("/api/v1/reports/{id}"),
        Some(token),
        Some(body),
    )
    .await
}

async fn statistics_equal_the_hand_count_and_drill_down(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;

    let r = file(
        &app,
        &s.shizhong,
        json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2026, "quarter": 3}),
    )
    .await;

    assert_eq!(r["status"], "draft");
    assert_eq!(r["due_on"], "2026-09-30");
    assert_eq!(r["quarter"], 3);
    assert_eq!(r["statistics"]["period_from"], "2026-07-01");
    assert_eq!(r["statistics"]["period_to"], "2026-09-30");
    let v = |k: &str| figure(&r, k)["value"].as_i64().unwrap();
    assert_eq!(v("doctors_enrolled"), 3);
    assert_eq!(v("quota_places"), 92);
    assert_eq!(v("online_minutes"), 180);
    assert_eq!(v("centralized_minutes"), 90);
    assert_eq!(v("shadowing_minutes"), 0);
    assert_eq!(v("centralized_learners"), 1);
    assert_eq!(figure(&r, "centralized_learners")["target"], 1);
    assert_eq!(figure(&r, "centralized_learners")["met"], true);
    assert_eq!(v("doctors_on_pace"), 0, "92% of the program has passed");
    assert_eq!(v("sessions_held"), 0);
    assert_eq!(v("exam_sittings"), 0);

    let link = figure(&r, "online_minutes")["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = r["id"].as_i64().unwrap();
    assert_eq!(link, format!("/api/v1/reports/{id}/figures/online_minutes"));
    let rows = app.get(&link, &s.shizhong).await;
    assert_eq!(rows.status, 200, "{}", rows.text);
    let items: Vec<(i64, i64)> = rows.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_i64().unwrap(), i["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(items, [(s.a, 120), (s.b, 60)]);
    let learners = app
        .get(
            &format!("/api/v1/reports/{id}/figures/centralized_learners"),
            &s.city,
        )
        .await;
    assert_eq!(learners.json()["items"][0]["name"], "王甲");
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}/figures/nonsense"), &s.city)
            .await
            .status,
        404
    );
    assert_eq!(app.last_audit("report.created")["to"], "draft");
}

async fn a_submitted_filing_keeps_its_snapshot(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let r = file(
        &app,
        &s.shizhong,
        json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2026, "quarter": 3}),
    )
    .await;
    let id = r["id"].as_i64().unwrap();

    let submitted = app
        .post(
            &format!("/api/v1/reports/{id}/submit"),
            &s.shizhong,
            json!({}),
        )
        .await;
    record(&app, &s.shizhong, s.c, "online", 45, "2026-08-08").await;
    let after = app
        .get(&format!("/api/v1/reports/{id}"), &s.city)
        .await
        .json();
    let draft = file(
        &app,
        &s.shizhong,
        json!({"kind": "annual_summary", "county_code": "370402", "year": 2026}),
    )
    .await;

    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_eq!(submitted.json()["status"], "submitted");
    assert_eq!(submitted.json()["late"], true, "due 2026-09-30");
    assert!(
        submitted.json()["submitted_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(after["status"], "submitted");
    assert_eq!(after["frozen"], true);
    assert_eq!(
        figure(&after, "online_minutes")["value"],
        180,
        "frozen at submission"
    );
    assert_eq!(
        figure(&draft, "online_minutes")["value"],
        120 + 60 + 30 + 45,
        "the new data counts in a fresh draft"
    );
    let refreshed = app
        .post(
            &format!("/api/v1/reports/{id}/refresh"),
            &s.shizhong,
            json!({}),
        )
        .await;
    assert_eq!(refreshed.status, 409, "a submitted filing is not refreshed");
}

/// The filing of `county` by its admin at an exact instant, through the use case (the
/// HTTP route reads the clock).
fn submit_at(app: &TestApp, username: &str, id: i64, at: chrono::NaiveDateTime) -> Value {
    app.with_conn(|c| {
        use cunyi::db::schema::users;
        let (user_id, region_code): (i64, String) = users::table
            .filter(users::username.eq(username))
            .select((users::id, users::region_code))
            .first(c)
            .unwrap();
        let region = cunyi::regions::find(c, &region_code).unwrap().unwrap();
        let caller = cunyi::access::Caller {
            user_id,
            username: username.into(),
            role: Role::CountyAdmin,
            region,
            doctor_id: None,
            instructor_id: None,
            client: None,
        };
        serde_json::to_value(cunyi::reports::ops::life::submit_in(c, &caller, id, at).unwrap())
            .unwrap()
    })
}

async fn late_is_judged_in_beijing_time(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let q1 = json!({"kind": "quarterly_summary", "year": 2025, "quarter": 1});
    let mut body = q1.clone();
    body["county_code"] = json!("370402");
    let shizhong = file(&app, &s.shizhong, body).await["id"].as_i64().unwrap();
    let mut body = q1.clone();
    body["county_code"] = json!("370403");
    let xuecheng = file(&app, &s.xuecheng, body).await["id"].as_i64().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();

    // 2025-03-30 23:59 CST = 15:59 UTC; 2025-03-31 00:01 CST = 2025-03-30 16:01 UTC.
    let on_time = submit_at(
        &app,
        "shizhong",
        shizhong,
        day.and_hms_opt(15, 59, 0).unwrap(),
    );
    let late = submit_at(
        &app,
        "xuecheng",
        xuecheng,
        day.and_hms_opt(16, 1, 0).unwrap(),
    );

    assert_eq!(on_time["late"], false);
    assert_eq!(late["late"], true);
    let listed = app.get("/api/v1/reports?year=2025", &s.city).await.json();
    assert_eq!(listed["total"], 2);
    let lateness: Vec<(String, bool)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["county_code"].as_str().unwrap().to_owned(),
                i["late"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lateness,
        [("370402".to_owned(), false), ("370403".to_owned(), true)]
    );
    assert_eq!(listed["items"][0]["submitted_at"], "2025-03-30T15:59:00Z");
}

async fn counties_file_and_read_only_their_own(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let body = json!({"kind": "annual_summary", "county_code": "370402", "year": 2026});

    let other = app.post("/api/v1/reports", &s.xuecheng, body.clone()).await;
    let city = app.post("/api/v1/reports", &s.city, body.clone()).await;
    let own = file(&app, &s.shizhong, body.clone()).await;
    let again = app.post("/api/v1/reports", &s.shizhong, body).await;
    let id = own["id"].as_i64().unwrap();

    assert_eq!(other.status, 404, "another county's filing is not revealed");
    assert_eq!(city.status, 403, "the city does not file");
    assert_eq!(again.status, 409);
    assert_eq!(report_count(&app), 1);
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}"), &s.xuecheng)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}.xlsx"), &s.xuecheng)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/reports/{id}/figures/online_minutes"),
            &s.xuecheng
        )
        .await
        .status,
        404
    );
    assert_eq!(
        put(&app, &s.xuecheng, id, json!({"narrative": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}"), &s.city)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get("/api/v1/reports?county=370402", &s.xuecheng)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/reports", &s.xuecheng).await.json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/reports?county=370402&year=2026", &s.city)
            .await
            .json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/reports?year=2025", &s.shizhong)
            .await
            .json()["total"],
        0
    );
    assert!(app.audit_actions().contains(&"access.denied".to_owned()));
}

async fn only_the_city_reviews_and_returned_filings_come_back(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let id = file(
        &app,
        &s.shizhong,
        json!({"kind": "annual_summary", "county_code": "370402", "year": 2026}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let review = format!("/api/v1/reports/{id}/review");
    let submit = format!("/api/v1/reports/{id}/submit");

    let early = app
        .post(&review, &s.city, json!({"decision": "accept"}))
        .await;
    let s1 = app.post(&submit, &s.shizhong, json!({})).await;
    let twice = app.post(&submit, &s.shizhong, json!({})).await;
    let by_county = app
        .post(&review, &s.shizhong, json!({"decision": "accept"}))
        .await;
    let returned = app
        .post(
            &review,
            &s.city,
            json!({"decision": "return", "comment": "请补充集中培训情况"}),
        )
        .await;
    let edited = put(
        &app,
        &s.shizhong,
        id,
        json!({"narrative": "已补充：第三季度举办集中培训两期。"}),
    )
    .await;
    let s2 = app.post(&submit, &s.shizhong, json!({})).await;
    let accepted = app
        .post(
            &review,
            &s.city,
            json!({"decision": "accept", "comment": "同意"}),
        )
        .await;
    let locked = put(&app, &s.shizhong, id, json!({"narrative": "再改"})).await;
    let resubmit = app.post(&submit, &s.shizhong, json!({})).await;

    assert_eq!(early.status, 409, "a draft is not reviewed");
    assert_eq!(s1.status, 200, "{}", s1.text);
    // Due 2026-12-15 (CST): late exactly when filed after that day.
    let past_due =
        cunyi::time::today_cst() > chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
    assert_eq!(s1.json()["late"], past_due, "due 2026-12-15");
    assert_eq!(twice.status, 409);
    assert_eq!(by_county.status, 403);
    assert_eq!(returned.status, 200, "{}", returned.text);
    assert_eq!(returned.json()["status"], "returned");
    assert_eq!(returned.json()["review_comment"], "请补充集中培训情况");
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.json()["narrative"],
        "已补充：第三季度举办集中培训两期。"
    );
    assert_eq!(s2.status, 200, "{}", s2.text);
    assert_eq!(accepted.json()["status"], "accepted");
    assert_eq!(locked.status, 409);
    assert_eq!(resubmit.status, 409);
    let history: Vec<String> = accepted.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        history,
        [
            "created",
            "submitted",
            "returned",
            "edited",
            "submitted",
            "accepted"
        ]
    );
    let audit = app.audit_actions();
    assert!(
        audit.contains(&"report.returned".to_owned())
            && audit.contains(&"report.accepted".to_owned())
    );
}

async fn bad_bodies_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;

    let bad = app
        .post(
            "/api/v1/reports",
            &s.shizhong,
            json!({"kind": "monthly", "county_code": "", "year": 1800}),
        )
        .await;
    let quarter = app
        .post("/api/v1/reports", &s.shizhong, json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2026, "quarter": 4}))
        .await;
    let no_program = app
        .post(
            "/api/v1/reports",
            &s.shizhong,
            json!({"kind": "annual_summary", "county_code": "370402", "year": 2030}),
        )
        .await;
    let township = app
        .post(
            "/api/v1/reports",
            &s.shizhong,
            json!({"kind": "annual_summary", "county_code": "999999", "year": 2026}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["kind", "county_code", "year"]);
    assert_eq!(quarter.error_fields(), ["quarter"]);
    assert_eq!(no_program.error_fields(), ["year"]);
    assert_eq!(township.error_fields(), ["county_code"]);
    assert_eq!(report_count(&app), 0);

    let id = file(
        &app,
        &s.shizhong,
        json!({"kind": "annual_summary", "county_code": "370402", "year": 2026}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let events_before = app.audit_count();
    let long = put(
        &app,
        &s.shizhong,
        id,
        json!({"narrative": "字".repeat(20_001)}),
    )
    .await;
    let plan = put(
        &app,
        &s.shizhong,
        id,
        json!({"narrative": "好", "plan": {"planned_trainees": 3}}),
    )
    .await;
    let typed = put(&app, &s.shizhong, id, json!({"narrative": 5})).await;
    app.post(
        &format!("/api/v1/reports/{id}/submit"),
        &s.shizhong,
        json!({}),
    )
    .await;
    let decision = app
        .post(
            &format!("/api/v1/reports/{id}/review"),
            &s.city,
            json!({"decision": "maybe"}),
        )
        .await;
    let no_comment = app
        .post(
            &format!("/api/v1/reports/{id}/review"),
            &s.city,
            json!({"decision": "return"}),
        )
        .await;

    assert_eq!(long.error_fields(), ["narrative"]);
    assert_eq!(plan.error_fields(), ["plan"]);
    assert_eq!(typed.error_fields(), ["narrative"]);
    assert_eq!(decision.error_fields(), ["decision"]);
    assert_eq!(no_comment.error_fields(), ["comment"]);
    let now = app
        .get(&format!("/api/v1/reports/{id}"), &s.city)
        .await
        .json();
    assert_eq!(now["narrative"], "");
    assert_eq!(now["status"], "submitted");
    assert_eq!(
        now["events"].as_array().unwrap().len(),
        2,
        "created, submitted"
    );
    assert_eq!(
        app.audit_count(),
        events_before + 1,
        "only the submission was written"
    );
}

async fn the_annual_plan_meets_the_third_before_it_is_filed(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let id = file(
        &app,
        &s.shizhong,
        json!({"kind": "annual_plan", "county_code": "370402", "year": 2026}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let submit = format!("/api/v1/reports/{id}/submit");
    let plan = |centralized: i64| {
        json!({"narrative": "2026 年度培训计划", "plan": {
            "sessions": [{"title": "高血压规范管理", "topic": "public_health", "month": 3, "capacity": 60}],
            "shadowing_places": 10, "tutoring_groups": 2, "planned_trainees": 3, "planned_centralized": centralized,
            "budget": {"lecture_fee": 600_000, "meals": 300_000, "venue": 100_000, "printing": 20_000, "transport": 50_000}}})
    };

    let empty = app.post(&submit, &s.shizhong, json!({})).await;
    let saved = put(&app, &s.shizhong, id, plan(0)).await;
    let short = app.post(&submit, &s.shizhong, json!({})).await;
    let bad_line = put(
        &app,
        &s.shizhong,
        id,
        json!({"plan": {"budget": {"meals": -5}}}),
    )
    .await;
    put(&app, &s.shizhong, id, plan(1)).await;
    let filed = app.post(&submit, &s.shizhong, json!({})).await;

    assert_eq!(empty.error_fields(), ["plan"]);
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.json()["due_on"], "2026-01-31");
    assert_eq!(saved.json()["plan_check"]["budget_total_fen"], 1_070_000);
    assert_eq!(saved.json()["plan_check"]["centralized_required"], 1);
    assert_eq!(saved.json()["plan_check"]["centralized_share_met"], false);
    assert_eq!(short.error_fields(), ["plan.planned_centralized"]);
    assert_eq!(bad_line.error_fields(), ["plan.budget.meals"]);
    assert_eq!(filed.status, 200, "{}", filed.text);
    assert_eq!(filed.json()["late"], true);
    let stored = app
        .get(&format!("/api/v1/reports/{id}"), &s.city)
        .await
        .json();
    assert_eq!(stored["plan"]["budget"]["lecture_fee"], 600_000);
    assert_eq!(stored["plan"]["planned_centralized"], 1);
}

async fn the_spreadsheet_reads_back(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let id = file(
        &app,
        &s.shizhong,
        json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2026, "quarter": 3}),
    )
    .await["id"]
        .as_i64()
        .unwrap();

    let pdf = app
        .api
        .get(app.url(&format!("/api/v1/reports/{id}.pdf")))
        .bearer_auth(&s.city)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let text =
        crate::support::pdf::compact(&crate::support::pdf::pdf_text(&pdf.bytes().await.unwrap()));
    assert!(text.contains("市中区") && text.contains("统计"), "{text}");
    let elsewhere = app
        .api
        .get(app.url(&format!("/api/v1/reports/{id}.pdf")))
        .bearer_auth(&s.xuecheng)
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status(),
        404,
        "another county's filing is not found"
    );

    let reply = app
        .api
        .get(app.url(&format!("/api/v1/reports/{id}.xlsx")))
        .bearer_auth(&s.city)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(
        reply.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let sheet = cunyi::sheet::read(
        &reply.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();

    assert_eq!(sheet.headers[..3], ["指标", "数值", "单位"]);
    let row = |label: &str| {
        sheet
            .rows
            .iter()
            .find(|(_, cells)| cells[0].text() == label)
            .map(|(_, cells)| cells.iter().map(|c| c.text()).collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(row("线上自学学时")[1], "180");
    assert_eq!(row("在岗学员")[1], "3");
    assert_eq!(row("本年度参加集中学习学员（≥1/3）")[4], "达标");
    assert!(row("线上自学学时")[5].ends_with("/figures/online_minutes"));
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}.xlsx"), &s.xuecheng)
            .await
            .status,
        404
    );
}

async fn the_dashboard_shows_who_is_late(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let q3 = file(
        &app,
        &s.shizhong,
        json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2026, "quarter": 3}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/reports/{q3}/submit"),
        &s.shizhong,
        json!({}),
    )
    .await;

    let board = app
        .get("/api/v1/reports/dashboard?year=2026", &s.city)
        .await;
    let county_view = app
        .get("/api/v1/reports/dashboard?year=2026", &s.shizhong)
        .await;
    let doctor_view = app
        .get("/api/v1/reports/dashboard?year=2026", &s.shizhong)
        .await;

    assert_eq!(board.status, 200, "{}", board.text);
    let board = board.json();
    let counties = board["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 6, "the city's six districts");
    let shizhong = counties
        .iter()
        .find(|c| c["county_code"] == "370402")
        .unwrap();
    let state = |title: &str| {
        shizhong["filings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["title"] == title)
            .map(|f| (f["state"].as_str().unwrap().to_owned(), f["late"].clone()))
            .unwrap()
    };
    assert_eq!(
        state("2026 年第 3 季度季度培训工作总结"),
        ("submitted".into(), json!(true))
    );
    assert_eq!(
        state("2026 年第 1 季度季度培训工作总结"),
        ("missing".into(), Value::Null)
    );
    // Due 2026-12-15: pending until then, missing after.
    let past_due =
        cunyi::time::today_cst() > chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
    assert_eq!(
        state("2026 年年度培训工作总结"),
        (
            if past_due { "missing" } else { "pending" }.into(),
            Value::Null
        )
    );
    assert_eq!(shizhong["funding"]["places"], 92);
    assert_eq!(shizhong["funding"]["enrolled"], 3);
    assert_eq!(shizhong["funding"]["completed"], 0);
    assert_eq!(board["totals"]["late"], 1);
    assert_eq!(county_view.json()["counties"].as_array().unwrap().len(), 1);
    assert_eq!(doctor_view.status, 200);
    let _ = s.c;
}

pub mod pages {
    //! The filing pages through a browser-like client.

    use reqwest::StatusCode;
    use serde_json::json;

    use crate::both_backends;
    use crate::support::{Backend, PASSWORD, TestApp, spawn};

    both_backends!(the_county_files_its_plan_and_the_city_returns_then_accepts_it);

    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
        let response = client.get(app.url(path)).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        text
    }

    pub fn hidden(html: &str, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    }

    pub async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
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
        assert_eq!(login.status(), StatusCode::SEE_OTHER, "login {username}");
        client
    }

    fn as_pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        v.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    async fn post(
        app: &TestApp,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let r = client.post(app.url(path)).form(form).send().await.unwrap();
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    async fn the_county_files_its_plan_and_the_city_returns_then_accepts_it(backend: Backend) {
        let app = spawn(backend).await;
        super::setup(&app).await;
        let county = browser_for(&app, "shizhong").await;
        let city = browser_for(&app, "city").await;

        let list = fetch(&app, &county, "/reports").await;
        let csrf = hidden(&list, "csrf");
        let created = county
            .post(app.url("/reports"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "annual_plan"),
                ("year", "2026"),
                ("quarter", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let at = created.headers()["location"].to_str().unwrap().to_owned();
        let page = fetch(&app, &county, &at).await;
        assert!(
            page.contains("2026 年年度培训计划") && page.contains("草稿"),
            "{page}"
        );
        assert!(page.contains("在岗学员") && !page.contains("doctors_enrolled</td>"));

        let plan = |centralized: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("is_plan", "1".into()),
                ("action", "submit".into()),
                ("s_title", "高血压规范管理".into()),
                ("s_topic", "public_health".into()),
                ("s_month", "3".into()),
                ("s_capacity", "60".into()),
                ("s_title", "".into()),
                ("s_topic", "pharmacy".into()),
                ("s_month", "".into()),
                ("s_capacity", "".into()),
                ("shadowing_places", "10".into()),
                ("tutoring_groups", "2".into()),
                ("planned_trainees", "3".into()),
                ("planned_centralized", centralized.into()),
                ("b_lecture_fee", "6000".into()),
                ("b_meals", "3000.5".into()),
                ("b_venue", "0".into()),
                ("b_printing", "".into()),
                ("b_transport", "500".into()),
                ("narrative", "2026 年度计划".into()),
            ]
        };
        let short = plan("0");
        let (status, text) = post(&app, &county, &at, &as_pairs(&short)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("至少 1 人"), "{text}");
        let good = plan("1");
        let (status, text) = post(&app, &county, &at, &as_pairs(&good)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(text.contains("已报送市卫健委"), "{text}");
        assert!(text.contains("9500.50"), "the budget total in yuan: {text}");

        let city_page = fetch(&app, &city, &at).await;
        let city_csrf = hidden(&city_page, "csrf");
        let (status, text) = post(
            &app,
            &city,
            &at,
            &[("csrf", &city_csrf), ("action", "return"), ("comment", "")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("退回时请填写审核意见"));
        let (_, text) = post(
            &app,
            &city,
            &at,
            &[
                ("csrf", &city_csrf),
                ("action", "return"),
                ("comment", "请细化预算"),
            ],
        )
        .await;
        assert!(text.contains("已退回"), "{text}");
        let (_, text) = post(&app, &county, &at, &as_pairs(&good)).await;
        assert!(text.contains("已报送市卫健委"), "{text}");
        let (_, text) = post(
            &app,
            &city,
            &at,
            &[
                ("csrf", &city_csrf),
                ("action", "accept"),
                ("comment", "同意"),
            ],
        )
        .await;
        assert!(text.contains("审核结果：已通过"), "{text}");

        let board = fetch(&app, &city, "/reports/dashboard?year=2026").await;
        assert!(
            board.contains("市中区") && board.contains("已通过") && board.contains("逾期未报"),
            "{board}"
        );
        let figure = fetch(&app, &county, &format!("{at}/figures/online_minutes")).await;
        assert!(
            figure.contains("王甲") && figure.contains("李乙"),
            "{figure}"
        );
        let list = fetch(&app, &city, "/reports?year=2026").await;
        assert!(list.contains("2026 年年度培训计划"));
        let _ = json!({});
    }
}
