//! Assessment: make-up study in the window, the gate to the next year, annual scores,
//! the county's rating and confirmation, completion, certificates — through HTTP on
//! both backends, with scope and bad-input cases.

use chrono::NaiveDate;
use cunyi::assessment::CompletionStatus;
use cunyi::assessment::store::{annual, completions};
use cunyi::auth::Role;
use cunyi::points::Points;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    make_up_study_is_accepted_inside_the_window_only,
    a_doctor_who_failed_last_year_is_refused_next_years_session,
    confirming_locks_the_year_with_the_documented_scores,
    assessment_reads_and_writes_are_scoped,
    bad_bodies_are_refused_and_write_nothing,
    a_certificate_verifies_until_the_city_revokes_it,
    completion_status_follows_the_program_and_the_window,
);

struct Setup {
    county: String,
    other_county: String,
    city: String,
    program: i64,
    wang: i64,
    wang_token: String,
    li: i64,
    li_token: String,
}

async fn setup(app: &TestApp) -> Setup {
    let program = app.program("zaozhuang-2024");
    let mut tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;
    let county = tokens.remove(0);
    let other_county = tokens.remove(0);
    let city = tokens.remove(0);
    let (wang, wang_token) = app
        .doctor(
            &county,
            program,
            "37040219800101123",
            "370402",
            Some("doc.wang"),
        )
        .await;
    let (li, li_token) = app
        .doctor(
            &county,
            program,
            "37040219810202123",
            "370402",
            Some("doc.li"),
        )
        .await;
    Setup {
        county,
        other_county,
        city,
        program,
        wang,
        wang_token: wang_token.unwrap(),
        li,
        li_token: li_token.unwrap(),
    }
}

/// The program ends with `year` (its training on 11-30 of that year).
fn end_program(app: &TestApp, program: i64, year: i32) {
    use cunyi::db::schema::programs;
    app.with_conn(|c| {
        diesel::update(programs::table.find(program))
            .set(programs::end_year.eq(year))
            .execute(c)
            .unwrap()
    });
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn decide(app: &TestApp, doctor: i64, program: i64, status: CompletionStatus) {
    let d = completions::Decision {
        status,
        theory_passed: None,
        skills_passed: None,
        hours_met: false,
        makeup_deadline: Some(ymd(2026, 2, 28)),
    };
    app.with_conn(|c| completions::put(c, doctor, program, &d, cunyi::time::now()).unwrap());
}

fn records_of(app: &TestApp, doctor: i64) -> i64 {
    use cunyi::db::schema::study_records;
    app.with_conn(|c| {
        study_records::table
            .filter(study_records::doctor_id.eq(doctor))
            .count()
            .get_result(c)
            .unwrap()
    })
}

fn attempts_stored(app: &TestApp) -> i64 {
    app.with_conn(|c| annual::count(c).unwrap())
}

fn message(v: &Value) -> String {
    v["errors"][0]["message"]
        .as_str()
        .or(v["detail"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn log(app: &TestApp, token: &str, doctor: i64, on: &str) -> crate::support::Reply {
    app.post(
        "/api/v1/study-records",
        token,
        json!({"doctor_id": doctor, "kind": "online", "minutes": 60, "occurred_on": on}),
    )
    .await
}

async fn make_up_study_is_accepted_inside_the_window_only(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let (zhao, _) = app
        .doctor(&s.county, s.program, "37040219820303123", "370402", None)
        .await;
    // 2024–2025: the training ended 2025-11-30; the make-up window closes 2026-02-28.
    end_program(&app, s.program, 2025);
    decide(&app, s.wang, s.program, CompletionStatus::Makeup);
    decide(&app, s.li, s.program, CompletionStatus::Passed);

    let last_day = log(&app, &s.wang_token, s.wang, "2025-11-30").await;
    let first_makeup_day = log(&app, &s.wang_token, s.wang, "2025-12-01").await;
    let deadline = log(&app, &s.wang_token, s.wang, "2026-02-28").await;
    let too_late = log(&app, &s.wang_token, s.wang, "2026-03-01").await;
    let not_in_makeup = log(&app, &s.li_token, s.li, "2025-12-15").await;

    last_day.expect(201);
    first_makeup_day.expect(201);
    deadline.expect(201);
    assert_eq!(too_late.error_fields(), ["occurred_on"]);
    let m = message(&too_late.json());
    assert!(m.contains("2025-12-01") && m.contains("2026-02-28"), "{m}");
    assert_eq!(not_in_makeup.error_fields(), ["occurred_on"]);
    assert!(message(&not_in_makeup.json()).contains("2025-11-30"));
    assert_eq!(records_of(&app, s.wang), 3);
    assert_eq!(
        records_of(&app, s.li),
        0,
        "nothing written for a refused line"
    );

    // Nothing decided yet: a doctor short of hours when the training ended is in
    // make-up, as the progress page promises.
    let undecided = log(&app, &s.county, zhao, "2026-01-10").await;
    undecided.expect(201);
    let progress = app.credited(&s.county, zhao).await;
    assert_eq!(progress["completion"]["makeup_deadline"], "2026-02-28");
}

async fn mark(app: &TestApp, admin: &str, session: i64, doctor: i64) -> crate::support::Reply {
    app.post(
        &format!("/api/v1/sessions/{session}/attendance"),
        admin,
        json!({"doctor_ids": [doctor]}),
    )
    .await
}

async fn a_doctor_who_failed_last_year_is_refused_next_years_session(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let teacher = app
        .post(
            "/api/v1/instructors",
            &s.county,
            json!({"name": "李老师", "region_code": "370402"}),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    // 2025 confirmed with nothing done: both fail.
    let confirmed = app
        .post(
            "/api/v1/assessment/annual/confirm",
            &s.county,
            json!({"region_code": "370402", "year": 2025}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            confirmed["confirmed"].as_i64(),
            confirmed["failed"].as_i64()
        ),
        (Some(2), Some(2))
    );
    let session = app
        .running_session(&s.county, "370402", &[teacher], 10)
        .await;

    let refused = mark(&app, &s.county, session, s.wang).await;
    let code = app.code_at(session, cunyi::time::now());
    let check_in = app
        .post(
            &format!("/api/v1/sessions/{session}/checkin"),
            &s.li_token,
            json!({"code": code}),
        )
        .await;

    assert_eq!(refused.error_fields(), ["doctor_ids[0]"]);
    let m = message(&refused.json());
    assert!(m.contains("2025 年度考核未通过"), "{m}");
    assert_eq!(check_in.status, 422, "{}", check_in.text);
    assert!(message(&check_in.json()).contains("2025 年度考核未通过"));
    assert_eq!(records_of(&app, s.wang), 0);

    // Nor does it join a learning group this year: refused by name and year (409), and a
    // proposal leaves it out, saying why; nothing written.
    let team = crate::tutoring::team(
        &app,
        &s.county,
        "带教团队",
        "370402",
        json!([{"instructor_id": teacher, "role": "doctor", "dispatched": true, "level": "county_hospital"}]),
    )
    .await;
    let group_body = json!({"name": "第一学习小组", "program_id": s.program, "region_code": "370402",
        "team_id": team, "doctor_ids": [s.wang]});
    let grouped = app
        .post("/api/v1/tutoring/groups", &s.county, group_body.clone())
        .await;
    assert_eq!(grouped.status, 409, "{}", grouped.text);
    let m = message(&grouped.json());
    let wang_name = app
        .get(&format!("/api/v1/doctors/{}", s.wang), &s.county)
        .await
        .expect(200)
        .json()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        m.contains(&wang_name) && m.contains("2025 年度考核未通过"),
        "{m}"
    );
    let proposal = app
        .post(
            "/api/v1/tutoring/groups/proposal",
            &s.county,
            json!({"program_id": s.program, "region_code": "370402", "by": [], "max_size": 5}),
        )
        .await
        .expect(200)
        .json();
    let held: Vec<i64> = proposal["held_back"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert!(held.contains(&s.wang), "{proposal}");
    assert!(
        !proposal["groups"]
            .to_string()
            .contains(&format!("\"id\":{},", s.wang)),
        "{proposal}"
    );
    let groups = app
        .get("/api/v1/tutoring/groups?region=370402", &s.county)
        .await
        .expect(200)
        .json();
    assert_eq!(
        groups["items"].as_array().map(Vec::len),
        Some(0),
        "{groups}"
    );

    // A re-assessment is opened: still refused until it passes.
    let reopened = app
        .post(
            &format!("/api/v1/doctors/{}/assessment/reassess", s.wang),
            &s.county,
            json!({"year": 2025}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(reopened["annual"]["attempt"], 2);
    assert_eq!(reopened["annual"]["confirmed"], false);
    assert_eq!(mark(&app, &s.county, session, s.wang).await.status, 422);
    // The re-assessment passes (confirmed as the county would): the gate opens.
    app.with_conn(|c| {
        let open = annual::latest(c, s.wang, s.program, 2025).unwrap().unwrap();
        let scores = annual::Scores {
            online: Points::whole(70),
            offline: Points::whole(70),
            ongoing: Points::whole(70),
            exam: Some(Points::whole(70)),
            score: Points::whole(70),
            passed: true,
        };
        annual::confirm(c, open.id, &scores, None, cunyi::time::now()).unwrap();
    });
    let admitted = mark(&app, &s.county, session, s.wang)
        .await
        .expect(200)
        .json();
    assert_eq!(admitted["credited"], 1);
    assert_eq!(records_of(&app, s.wang), 1);
    app.post("/api/v1/tutoring/groups", &s.county, group_body)
        .await
        .expect(201);
}

async fn confirming_locks_the_year_with_the_documented_scores(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let rating = format!("/api/v1/doctors/{}/assessment/rating", s.wang);

    let rated = app
        .send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.county),
            Some(json!({"year": 2025, "rating": 80})),
        )
        .await
        .expect(200)
        .json();
    // No study, no exams: offline = 30% × 80 / 70% (attendance 0, no skills exam held)
    // = 34.3; annual = 30% × 0 + 30% × 34.3 + 40% × 0 = 10.3.
    assert_eq!(rated["annual"]["rating"], 80.0);
    assert_eq!(rated["ongoing"]["online"], 0.0);
    assert_eq!(rated["ongoing"]["offline"], 34.3);
    assert_eq!(rated["ongoing"]["score"], 17.2);
    assert_eq!(rated["annual"]["score"], 10.3);
    assert_eq!(rated["annual"]["passed"], false);
    assert_eq!(rated["annual"]["confirmed"], false);
    let list = app
        .get(
            "/api/v1/assessment/annual?region=370402&year=2025",
            &s.county,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            list["total"].as_i64(),
            list["page"].as_i64(),
            list["per_page"].as_i64()
        ),
        (Some(2), Some(1), Some(50))
    );
    assert_eq!(list["items"][0]["doctor_id"], s.wang);
    assert_eq!(list["items"][0]["score"], 10.3);
    assert_eq!(list["items"][1]["score"], 0.0);

    let confirmed = app
        .post(
            "/api/v1/assessment/annual/confirm",
            &s.county,
            json!({"region_code": "370402", "year": "2025"}),
        )
        .await
        .expect(200)
        .json();
    let again = app
        .send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.county),
            Some(json!({"year": 2025, "rating": 95})),
        )
        .await;
    let twice = app
        .post(
            "/api/v1/assessment/annual/confirm",
            &s.county,
            json!({"region_code": "370402", "year": 2025}),
        )
        .await
        .expect(200)
        .json();
    let after = app
        .get(
            &format!("/api/v1/doctors/{}/assessment?year=2025", s.wang),
            &s.wang_token,
        )
        .await
        .expect(200)
        .json();

    assert_eq!(confirmed["confirmed"], 2);
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(
        again.json()["detail"]
            .as_str()
            .unwrap()
            .contains("2025 年度考核成绩已确认")
    );
    assert_eq!(
        (twice["confirmed"].as_i64(), twice["already"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(after["annual"]["confirmed"], true);
    assert_eq!(after["annual"]["score"], 10.3);
    assert_eq!(after["annual"]["rating"], 80.0);
    assert_eq!(attempts_stored(&app), 2);
    assert!(
        app.audit_actions()
            .contains(&"assessment.confirm".to_owned())
    );
}

async fn assessment_reads_and_writes_are_scoped(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let path = format!("/api/v1/doctors/{}/assessment", s.wang);

    let own = app.get(&path, &s.wang_token).await.expect(200).json();
    assert_eq!(own["year"], 2026);
    for key in ["online", "offline", "score"] {
        assert!(own["ongoing"][key].is_number(), "ongoing.{key}");
    }
    assert!(own["annual"]["score"].is_number() && own["annual"]["passed"].is_boolean());
    assert_eq!(own["completion"]["status"], "in_progress");
    assert_eq!(own["completion"]["theory"], Value::Null);
    assert_eq!(own["completion"]["makeup_deadline"], Value::Null);
    assert_eq!(app.get(&path, &s.city).await.status, 200);
    assert_eq!(
        app.get(&path, &s.li_token).await.status,
        404,
        "another doctor"
    );
    assert_eq!(
        app.get(&path, &s.other_county).await.status,
        404,
        "another county"
    );

    let lists = [
        "/api/v1/assessment/annual?region=370402&year=2025",
        "/api/v1/assessment/makeup?region=370402&year=2026",
    ];
    for list in lists {
        assert_eq!(app.get(list, &s.other_county).await.status, 404, "{list}");
    }
    let mine = app
        .get("/api/v1/assessment/annual?year=2025", &s.wang_token)
        .await
        .expect(200)
        .json();
    assert_eq!(mine["total"], 1, "a doctor lists itself only");
    assert_eq!(mine["items"][0]["doctor_id"], s.wang);
    let theirs = app
        .get("/api/v1/assessment/annual?year=2025", &s.other_county)
        .await
        .expect(200)
        .json();
    assert_eq!(theirs["total"], 0);
    assert_eq!(app.get(lists[1], &s.wang_token).await.status, 403);

    let body = json!({"region_code": "370402", "year": 2025});
    let confirm = "/api/v1/assessment/annual/confirm";
    assert_eq!(app.post(confirm, &s.city, body.clone()).await.status, 403);
    assert_eq!(
        app.post(confirm, &s.wang_token, body.clone()).await.status,
        403
    );
    assert_eq!(app.post(confirm, &s.other_county, body).await.status, 404);
    let rating = format!("/api/v1/doctors/{}/assessment/rating", s.wang);
    let rate = json!({"year": 2025, "rating": 90});
    assert_eq!(
        app.send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.other_county),
            Some(rate.clone())
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.wang_token),
            Some(rate)
        )
        .await
        .status,
        403
    );
    assert_eq!(attempts_stored(&app), 0);
}

async fn bad_bodies_are_refused_and_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let rating = format!("/api/v1/doctors/{}/assessment/rating", s.wang);

    let both = app
        .send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.county),
            Some(json!({"year": "abc", "rating": 120})),
        )
        .await;
    let decimals = app
        .send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.county),
            Some(json!({"year": 2025, "rating": 80.25})),
        )
        .await;
    let outside = app
        .send(
            reqwest::Method::PUT,
            &rating,
            Some(&s.county),
            Some(json!({"year": 2031, "rating": 50})),
        )
        .await;
    let empty = app
        .post("/api/v1/assessment/annual/confirm", &s.county, json!({}))
        .await;
    let unknown = app
        .post(
            "/api/v1/assessment/annual/confirm",
            &s.county,
            json!({"region_code": "999999", "year": 2025}),
        )
        .await;
    let year = app
        .get(
            &format!("/api/v1/doctors/{}/assessment?year=abc", s.wang),
            &s.county,
        )
        .await;

    assert_eq!(both.error_fields(), ["year", "rating"]);
    assert_eq!(decimals.error_fields(), ["rating"]);
    assert_eq!(outside.error_fields(), ["year"]);
    assert!(message(&outside.json()).contains("2024—2026"));
    assert_eq!(empty.error_fields(), ["region_code", "year"]);
    assert_eq!(unknown.error_fields(), ["region_code"]);
    assert_eq!(year.error_fields(), ["year"]);
    assert_eq!(attempts_stored(&app), 0);
    assert!(
        !app.audit_actions()
            .contains(&"assessment.rating".to_owned())
    );
}

async fn a_certificate_verifies_until_the_city_revokes_it(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let cert = app.with_conn(|c| {
        cunyi::assessment::ops::completion::issue(
            c,
            s.wang,
            s.program,
            ymd(2026, 12, 20),
            cunyi::time::now(),
        )
        .unwrap()
    });
    let verify = format!("/verify/{}", cert.code);

    let public = app.api.get(app.url(&verify)).send().await.unwrap();
    assert_eq!(public.status(), 200);
    let page = public.text().await.unwrap();
    let mine = app
        .get(
            &format!("/api/v1/doctors/{}/certificate", s.wang),
            &s.wang_token,
        )
        .await
        .expect(200)
        .json();
    let pdf_path = format!("/api/v1/doctors/{}/certificate.pdf", s.wang);
    let pdf = app
        .api
        .get(app.url(&pdf_path))
        .bearer_auth(&s.wang_token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    crate::support::pdf::dump("certificate", &bytes);
    let text = crate::support::pdf::compact(&crate::support::pdf::pdf_text(&bytes));
    assert!(text.contains("乡村医生培训结业证书"), "{text}");
    assert!(text.contains(&cert.code), "the code: {text}");
    assert!(
        text.contains("线上自学") && text.contains("158.0"),
        "hours per kind: {text}"
    );
    assert!(text.contains("2026年12月20日"), "the date: {text}");
    assert!(text.contains("/verify/"), "the check's address: {text}");
    assert_eq!(app.get(&pdf_path, &s.other_county).await.status, 404);
    assert_eq!(app.get(&pdf_path, &s.li_token).await.status, 404);
    let revoke = format!("/api/v1/certificates/{}/revoke", cert.code);
    let by_county = app
        .post(&revoke, &s.county, json!({"reason": "材料造假"}))
        .await;
    let no_reason = app.post(&revoke, &s.city, json!({"reason": " "})).await;
    let revoked = app
        .post(&revoke, &s.city, json!({"reason": "培训材料造假"}))
        .await;
    let twice = app
        .post(&revoke, &s.city, json!({"reason": "培训材料造假"}))
        .await;
    let after = app.api.get(app.url(&verify)).send().await.unwrap();
    let unknown = app
        .api
        .get(app.url("/verify/ABCD-EFGH-JKMN"))
        .send()
        .await
        .unwrap();

    assert!(page.contains("测**员"), "masked name");
    assert!(!page.contains("测试学员"), "never the full name");
    assert!(page.contains("370402********"), "masked ID");
    assert!(page.contains("2026-12-20") && page.contains(&cert.code));
    assert_eq!(mine["code"], cert.code.as_str());
    assert_eq!(by_county.status, 403);
    assert_eq!(no_reason.error_fields(), ["reason"]);
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(revoked.json()["revoked"], true);
    assert_eq!(twice.status, 409);
    assert_eq!(after.status(), 404);
    assert!(after.text().await.unwrap().contains("未找到该证书"));
    assert_eq!(unknown.status(), 404);
    assert!(
        app.audit_actions()
            .contains(&"certificate.revoke".to_owned())
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/doctors/{}/certificate", s.wang),
            &s.wang_token
        )
        .await
        .status,
        404,
        "a revoked certificate is no longer the doctor's"
    );
}

async fn completion_status_follows_the_program_and_the_window(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    end_program(&app, s.program, 2025);
    // Li was put in make-up before the window closed; Wang was never decided.
    decide(&app, s.li, s.program, CompletionStatus::Makeup);

    let wang = app
        .get(
            &format!("/api/v1/doctors/{}/assessment", s.wang),
            &s.wang_token,
        )
        .await
        .expect(200)
        .json();
    let lists = app
        .get(
            "/api/v1/assessment/makeup?region=370402&year=2025",
            &s.county,
        )
        .await
        .expect(200)
        .json();
    let decided = app
        .post(
            "/api/v1/assessment/completions/decide",
            &s.county,
            json!({"region_code": "370402"}),
        )
        .await
        .expect(200)
        .json();

    // The window (to 2026-02-28) is over without hours: failed, through make-up.
    assert_eq!(wang["year"], 2025);
    assert_eq!(wang["completion"]["status"], "failed");
    assert_eq!(wang["completion"]["hours_met"], false);
    assert_eq!(wang["completion"]["makeup_deadline"], "2026-02-28");
    assert_eq!(lists["failed"].as_array().unwrap().len(), 2);
    assert_eq!(lists["districts"][0]["code"], "370402");
    assert_eq!(lists["districts"][0]["failed"], 2);
    assert_eq!(lists["districts"][0]["passed"], 0);
    assert_eq!(decided["by_status"]["failed"], 2);
    assert_eq!(decided["certificates"], 0);
    let stored = app.with_conn(|c| completions::get(c, s.li, s.program).unwrap().unwrap());
    assert_eq!(stored.status, CompletionStatus::Failed);
    // A final status never moves back.
    assert_eq!(
        cunyi::assessment::rules::advance(CompletionStatus::Failed, CompletionStatus::Makeup),
        CompletionStatus::Failed
    );
    let later = app
        .get(
            "/api/v1/assessment/makeup?region=370402&year=2026",
            &s.county,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        later["districts"].as_array().unwrap().len(),
        0,
        "nobody finishes in 2026"
    );
}
