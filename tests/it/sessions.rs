//! Centralized sessions: creation, check-in codes, attendance, sign-in sheets.

use chrono::Duration;
use cunyi::auth::Role;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    a_doctor_checks_in_with_the_current_code_once,
    expired_wrong_and_early_codes_are_refused,
    guessing_check_in_codes_is_throttled_and_audited,
    only_those_who_run_a_session_mark_attendance_and_see_its_code,
    attendance_is_all_or_nothing_and_refuses_overlaps,
    sessions_are_checked_and_scoped,
    the_session_list_honours_its_region_filter,
);

struct Setup {
    admin: String,
    program: i64,
    doctor: i64,
    doctor_token: String,
    teacher: i64,
    teacher_token: String,
}

async fn setup(app: &TestApp) -> Setup {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, token) = app
        .doctor(
            &admin,
            program,
            "37040219800101123",
            "370402",
            Some("doc.wang"),
        )
        .await;
    let teacher = app
        .post("/api/v1/instructors", &admin, json!({"name": "李老师", "region_code": "370402", "username": "li.teacher", "password": crate::support::PASSWORD}))
        .await;
    assert_eq!(teacher.status, 201, "{}", teacher.text);
    let teacher = teacher.json()["id"].as_i64().unwrap();
    let teacher_token = app.login("li.teacher").await;
    Setup {
        admin,
        program,
        doctor,
        doctor_token: token.unwrap(),
        teacher,
        teacher_token,
    }
}

async fn a_doctor_checks_in_with_the_current_code_once(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let session = app
        .running_session(&s.admin, "370402", &[s.teacher], 10)
        .await;
    let code = app.code_at(session, cunyi::time::now());

    let first = app
        .post(
            &format!("/api/v1/sessions/{session}/checkin"),
            &s.doctor_token,
            json!({"code": code}),
        )
        .await;
    let reused = app
        .post(
            &format!("/api/v1/sessions/{session}/checkin"),
            &s.doctor_token,
            json!({"code": code}),
        )
        .await;

    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.json()["kind"], "centralized");
    assert_eq!(first.json()["minutes"], 90);
    assert_eq!(first.json()["status"], "approved");
    assert_eq!(reused.status, 409, "one check-in per doctor");
    assert_eq!(
        app.credited(&s.doctor_token, s.doctor).await["centralized"]["credited_minutes"],
        90
    );
    let detail = app
        .get(&format!("/api/v1/sessions/{session}"), &s.teacher_token)
        .await
        .json();
    assert_eq!(detail["attendance"], 1);
    assert_eq!(detail["attendance_list"][0]["doctor_id"], s.doctor);
    crate::study_totals::agree(&app);
}

async fn expired_wrong_and_early_codes_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let session = app
        .running_session(&s.admin, "370402", &[s.teacher], 10)
        .await;
    let now = cunyi::time::now();
    let current = app.code_at(session, now);
    let expired = app.code_at(session, now - Duration::minutes(3));
    let wrong = if current == "123456" {
        "654321"
    } else {
        "123456"
    };
    let checkin = |code: String| {
        let app = &app;
        let token = s.doctor_token.clone();
        async move {
            app.post(
                &format!("/api/v1/sessions/{session}/checkin"),
                &token,
                json!({"code": code}),
            )
            .await
        }
    };

    let old = checkin(expired.clone()).await;
    let bad = checkin(wrong.to_owned()).await;
    assert!(expired != current);
    assert_eq!(old.error_fields(), ["code"]);
    assert_eq!(bad.error_fields(), ["code"]);
    let future = app.running_session(&s.admin, "370402", &[], -120).await;
    let early = app
        .post(
            &format!("/api/v1/sessions/{future}/checkin"),
            &s.doctor_token,
            json!({"code": app.code_at(future, now)}),
        )
        .await;
    assert_eq!(
        early.status, 409,
        "check-in opens 30 minutes before the start"
    );
    let other_session_code = app
        .post(
            &format!("/api/v1/sessions/{session}/checkin"),
            &s.doctor_token,
            json!({"code": app.code_at(future, now)}),
        )
        .await;
    assert_eq!(
        other_session_code.error_fields(),
        ["code"],
        "a code belongs to its session"
    );
    assert_eq!(
        app.credited(&s.doctor_token, s.doctor).await["centralized"]["credited_minutes"],
        0
    );
}

async fn guessing_check_in_codes_is_throttled_and_audited(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let session = app
        .running_session(&s.admin, "370402", &[s.teacher], 10)
        .await;
    let now = cunyi::time::now();
    let valid = [
        app.code_at(session, now),
        app.code_at(session, now - Duration::minutes(1)),
        app.code_at(session, now + Duration::minutes(1)),
    ];
    let wrong: Vec<String> = (0..)
        .map(|n: u32| format!("{:06}", 100_000 + n * 7919))
        .filter(|c| !valid.contains(c))
        .take(5)
        .collect();
    let path = format!("/api/v1/sessions/{session}/checkin");

    for code in &wrong {
        let reply = app
            .post(&path, &s.doctor_token, json!({"code": code}))
            .await;
        assert_eq!(reply.error_fields(), ["code"], "{}", reply.text);
    }
    let right = app
        .post(
            &path,
            &s.doctor_token,
            json!({"code": app.code_at(session, cunyi::time::now())}),
        )
        .await;

    assert_eq!(
        right.status, 429,
        "five wrong codes lock the check-in: {}",
        right.text
    );
    assert!(right.header("retry-after").parse::<u64>().unwrap() > 0);
    let actions = app.audit_actions();
    let wrong_logged = actions
        .iter()
        .filter(|a| *a == "sessions.checkin_wrong_code")
        .count();
    assert_eq!(wrong_logged, 5, "every wrong code is audited");
    assert!(actions.iter().any(|a| a == "sessions.checkin_throttled"));
    assert_eq!(
        app.credited(&s.doctor_token, s.doctor).await["centralized"]["credited_minutes"],
        0
    );
    let marked = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &s.teacher_token,
            json!({"doctor_ids": [s.doctor]}),
        )
        .await;
    assert_eq!(
        marked.status, 200,
        "the instructor can still mark: {}",
        marked.text
    );
    assert_eq!(marked.json()["credited"], 1);
}

async fn only_those_who_run_a_session_mark_attendance_and_see_its_code(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let session = app
        .running_session(&s.admin, "370402", &[s.teacher], 10)
        .await;
    let (other, other_token) = app
        .doctor(
            &s.admin,
            s.program,
            "37040219900101123",
            "370402",
            Some("doc.li"),
        )
        .await;
    let stranger = app
        .accounts(&[("zhao.teacher", Role::Instructor, "370402")])
        .await
        .remove(0);

    let by_doctor = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &s.doctor_token,
            json!({"doctor_ids": [other]}),
        )
        .await;
    let by_stranger = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &stranger,
            json!({"doctor_ids": [other]}),
        )
        .await;
    let code_for_doctor = app
        .get(
            &format!("/api/v1/sessions/{session}/checkin-code"),
            &s.doctor_token,
        )
        .await;
    let code_for_teacher = app
        .get(
            &format!("/api/v1/sessions/{session}/checkin-code"),
            &s.teacher_token,
        )
        .await;

    assert_eq!(
        by_doctor.status, 403,
        "a doctor never checks someone else in"
    );
    assert_eq!(
        by_stranger.status, 404,
        "an instructor who does not teach it"
    );
    assert_eq!(code_for_doctor.status, 403);
    assert_eq!(code_for_teacher.status, 200);
    let body = code_for_teacher.json();
    assert_eq!(body["code"], app.code_at(session, cunyi::time::now()));
    assert!(
        body["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || body["qr_svg"].as_str().unwrap().contains("<svg")
    );
    let marked = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &s.teacher_token,
            json!({"doctor_ids": [other, s.doctor]}),
        )
        .await;
    assert_eq!(marked.json()["credited"], 2, "{}", marked.text);
    let twice = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &s.teacher_token,
            json!({"doctor_ids": [other]}),
        )
        .await;
    assert_eq!(twice.json()["already"], 1);
    assert_eq!(
        app.credited(&other_token.unwrap(), other).await["centralized"]["credited_minutes"],
        90
    );
    let sheet = app
        .api
        .get(app.url(&format!("/api/v1/sessions/{session}/sign-in.xlsx")))
        .bearer_auth(&s.teacher_token)
        .send()
        .await
        .unwrap();
    let sheet = cunyi::sheet::read(
        &sheet.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();
    assert_eq!(sheet.rows.len(), 2);
}

async fn attendance_is_all_or_nothing_and_refuses_overlaps(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let (other, _) = app
        .doctor(&s.admin, s.program, "37040219900101123", "370402", None)
        .await;
    let first = app.running_session(&s.admin, "370402", &[], 20).await;
    let overlapping = app.running_session(&s.admin, "370402", &[], 10).await;
    let attended = app
        .post(
            &format!("/api/v1/sessions/{first}/attendance"),
            &s.admin,
            json!({"doctor_ids": [s.doctor]}),
        )
        .await;
    assert_eq!(attended.status, 200, "{}", attended.text);
    app.regions("代码,名称\n370403001,临城街道\n");
    let xuecheng_admin = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let (outsider, _) = app
        .doctor(
            &xuecheng_admin,
            s.program,
            "37040319900101123",
            "370403",
            None,
        )
        .await;

    let clash = app
        .post(
            &format!("/api/v1/sessions/{overlapping}/attendance"),
            &s.admin,
            json!({"doctor_ids": [other, s.doctor, outsider]}),
        )
        .await;

    assert_eq!(clash.status, 422, "{}", clash.text);
    let fields = clash.error_fields();
    assert_eq!(fields, ["doctor_ids[1]", "doctor_ids[2]"]);
    assert!(clash.text.contains("重叠"));
    assert_eq!(
        app.credited(&s.admin, other).await["centralized"]["credited_minutes"],
        0,
        "nobody credited"
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/sessions/{overlapping}/attendance"),
            &s.admin,
            json!({"doctor_ids": []})
        )
        .await
        .error_fields(),
        ["doctor_ids"]
    );
}

async fn sessions_are_checked_and_scoped(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let tokens = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await;
    let start = chrono::Utc::now() + Duration::days(1);

    let bad = app
        .post(
            "/api/v1/sessions",
            &s.admin,
            json!({"title": "", "topic": "astrology", "starts_at": "tomorrow",
        "ends_at": start.to_rfc3339(), "minutes": 60, "location": "", "region_code": "370402"}),
        )
        .await;
    let too_long = app.post("/api/v1/sessions", &s.admin, json!({"title": "急救", "starts_at": start.to_rfc3339(),
        "ends_at": (start + Duration::minutes(60)).to_rfc3339(), "minutes": 61, "location": "卫生院", "region_code": "370402"})).await;
    let elsewhere = app.post("/api/v1/sessions", &s.admin, json!({"title": "急救", "starts_at": start.to_rfc3339(),
        "ends_at": (start + Duration::minutes(60)).to_rfc3339(), "minutes": 60, "location": "卫生院", "region_code": "370403"})).await;
    let by_doctor = app
        .post("/api/v1/sessions", &s.doctor_token, json!({}))
        .await;
    let local = app.post("/api/v1/sessions", &s.admin, json!({"title": "急救", "starts_at": "2026-12-20T09:00",
        "ends_at": "2026-12-20T11:00", "minutes": 120, "location": "卫生院", "region_code": "370402"})).await;

    assert_eq!(
        bad.error_fields(),
        ["title", "topic", "location", "starts_at"]
    );
    assert_eq!(too_long.error_fields(), ["minutes"]);
    assert_eq!(elsewhere.status, 403);
    assert_eq!(by_doctor.status, 403);
    assert_eq!(local.status, 201, "{}", local.text);
    assert_eq!(
        local.json()["starts_at"],
        "2026-12-20T01:00:00Z",
        "page times are Beijing time"
    );
    let upcoming = app.get("/api/v1/sessions", &s.doctor_token).await.json();
    assert_eq!(upcoming["total"], 1, "a doctor sees its county's sessions");
    assert_eq!(
        app.get("/api/v1/sessions", &tokens[0]).await.json()["total"],
        0
    );
    let id = local.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/sessions/{id}"), &tokens[0])
            .await
            .status,
        404
    );
}

/// Regression: `?region=` was silently ignored.
async fn the_session_list_honours_its_region_filter(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let tokens = app
        .accounts(&[
            ("xuecheng", Role::CountyAdmin, "370403"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;
    let (xuecheng, city) = (&tokens[0], &tokens[1]);
    let here = app.running_session(&s.admin, "370402", &[], 10).await;
    let there = app.running_session(xuecheng, "370403", &[], 10).await;

    let all = app.get("/api/v1/sessions", city).await;
    assert_eq!(all.json()["total"], 2, "{}", all.text);
    let filtered = app.get("/api/v1/sessions?region=370402", city).await;
    assert_eq!(filtered.status, 200, "{}", filtered.text);
    let ids: Vec<i64> = filtered.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [here], "only the named region's sessions, not {there}");
    assert_eq!(
        app.get("/api/v1/sessions?region=370403", &s.admin)
            .await
            .status,
        404,
        "a region outside the caller's is not found"
    );
    assert_eq!(
        app.get("/api/v1/sessions?region=990000", city).await.status,
        404
    );
    assert_eq!(
        app.get("/api/v1/sessions?region=370402", &s.admin)
            .await
            .json()["total"],
        1
    );
}
