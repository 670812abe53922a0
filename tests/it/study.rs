//! The study ledger over HTTP: self-reports and review, the day cap, progress, the
//! platform import, evidence, the county table.

use cunyi::auth::Role;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, TestApp, id_number, spawn};

both_backends!(
    a_self_report_counts_only_once_approved_and_never_by_its_author,
    a_day_never_credits_more_than_twenty_four_hours,
    records_outside_the_program_or_in_the_future_are_refused,
    progress_answers_per_the_contract_and_only_within_scope,
    a_platform_export_imports_once_and_bad_rows_write_nothing,
    evidence_photos_are_images_of_ones_own_pending_records,
    the_county_table_is_scoped_consistent_and_exports,
    an_instructor_reviews_only_its_own_doctors,
    the_aggregate_ledger_equals_the_reference_ledger,
    a_review_with_a_bad_body_is_refused_and_writes_nothing,
);

struct County {
    admin: String,
    program: i64,
    doctor: i64,
    doctor_token: String,
}

async fn county(app: &TestApp) -> County {
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
    County {
        admin,
        program,
        doctor,
        doctor_token: token.unwrap(),
    }
}

async fn a_self_report_counts_only_once_approved_and_never_by_its_author(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;

    let reported = app
        .post(
            "/api/v1/study-records",
            &c.doctor_token,
            json!({"doctor_id": c.doctor, "kind": "online", "minutes": 90,
               "occurred_on": "2026-11-01", "course_code": "ZZ-PH", "note": "人卫慕课 高血压管理"}),
        )
        .await;
    assert_eq!(reported.status, 201, "{}", reported.text);
    assert_eq!(reported.json()["status"], "pending");
    let id = reported.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.credited(&c.doctor_token, c.doctor).await["online"]["credited_minutes"],
        0
    );
    assert_eq!(
        app.credited(&c.doctor_token, c.doctor).await["online"]["pending_minutes"],
        90
    );

    let own = app
        .post(
            &format!("/api/v1/study-records/{id}/approve"),
            &c.doctor_token,
            json!({}),
        )
        .await;
    assert_eq!(own.status, 403, "a doctor never approves its own record");
    let approved = app
        .post(
            &format!("/api/v1/study-records/{id}/approve"),
            &c.admin,
            json!({"note": "已核对"}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.json()["status"], "approved");
    assert_eq!(
        app.credited(&c.doctor_token, c.doctor).await["online"]["credited_minutes"],
        90
    );
    let again = app
        .post(
            &format!("/api/v1/study-records/{id}/reject"),
            &c.admin,
            json!({}),
        )
        .await;
    assert_eq!(again.status, 409, "a reviewed record stays reviewed");
    assert_eq!(app.last_audit("study.approved")["minutes"], 90);

    // A doctor reporting for someone else is refused, nothing written.
    let (other, _) = app
        .doctor(&c.admin, c.program, "37040219900101123", "370402", None)
        .await;
    let for_other = app
        .post("/api/v1/study-records", &c.doctor_token, json!({"doctor_id": other, "kind": "online", "minutes": 30, "occurred_on": "2026-11-01"}))
        .await;
    assert_eq!(for_other.status, 404);
}

async fn a_day_never_credits_more_than_twenty_four_hours(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let entry = |minutes: i32| json!({"doctor_id": c.doctor, "kind": "tutoring", "minutes": minutes, "occurred_on": "2026-10-10"});

    assert_eq!(
        app.post("/api/v1/study-records", &c.admin, entry(1000))
            .await
            .status,
        201
    );
    let over = app
        .post("/api/v1/study-records", &c.admin, entry(441))
        .await;
    let fits = app
        .post("/api/v1/study-records", &c.admin, entry(440))
        .await;
    let zero = app.post("/api/v1/study-records", &c.admin, entry(0)).await;

    assert_eq!(over.error_fields(), ["minutes"]);
    assert!(over.text.contains("24 小时"));
    assert_eq!(fits.status, 201);
    assert_eq!(zero.error_fields(), ["minutes"]);
    assert_eq!(
        app.credited(&c.admin, c.doctor).await["tutoring"]["credited_minutes"],
        1440
    );
}

async fn records_outside_the_program_or_in_the_future_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let before = app.audit_count();
    let at = |date: &str| json!({"doctor_id": c.doctor, "kind": "online", "minutes": 30, "occurred_on": date});

    assert_eq!(
        app.post("/api/v1/study-records", &c.admin, at("2023-12-31"))
            .await
            .error_fields(),
        ["occurred_on"]
    );
    assert_eq!(
        app.post("/api/v1/study-records", &c.admin, at("2099-01-01"))
            .await
            .error_fields(),
        ["occurred_on"]
    );
    assert_eq!(
        app.post("/api/v1/study-records", &c.admin, json!({}))
            .await
            .error_fields(),
        ["kind", "minutes", "occurred_on", "doctor_id"]
    );
    let bad_course = app
        .post("/api/v1/study-records", &c.admin, json!({"doctor_id": c.doctor, "kind": "centralized", "minutes": 30, "occurred_on": "2026-10-01", "course_code": "ZZ-PH"}))
        .await;
    assert_eq!(bad_course.error_fields(), ["course_code"]);
    assert_eq!(app.audit_count(), before, "nothing written");
}

async fn progress_answers_per_the_contract_and_only_within_scope(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let xuecheng = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);

    let p = app.credited(&c.admin, c.doctor).await;

    for kind in ["online", "centralized", "shadowing", "tutoring"] {
        assert!(
            p[kind]["required_minutes"].is_number() && p[kind]["credited_minutes"].is_number(),
            "{kind}: {p}"
        );
    }
    assert_eq!(p["online"]["required_minutes"], 9480);
    assert_eq!(p["centralized"]["required_minutes"], 3600);
    assert_eq!(p["shadowing"]["required_minutes"], 3600);
    assert_eq!(p["annual"].as_array().unwrap().len(), 3);
    assert_eq!(p["completion"]["status"], "in_progress");
    assert_eq!(p["completion"]["missing_minutes"]["online"], 9480);
    assert_eq!(
        app.get(&format!("/api/v1/doctors/{}/progress", c.doctor), &xuecheng)
            .await
            .status,
        404
    );
}

fn export_csv(rows: &[(&str, &str, &str, &str, &str)]) -> Vec<u8> {
    let mut out = String::from("身份证号,平台账号,课程名称,学时,完成日期,单元成绩\n");
    for (id, account, course, hours, date) in rows {
        out.push_str(&format!("{id},{account},{course},{hours},{date},88.5\n"));
    }
    out.into_bytes()
}

async fn a_platform_export_imports_once_and_bad_rows_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let linked = app
        .post(
            &format!("/api/v1/doctors/{}/platform-accounts", c.doctor),
            &c.admin,
            json!({"platform": "ncme", "account": "wang2026"}),
        )
        .await;
    assert_eq!(linked.status, 204, "{}", linked.text);
    let id = id_number("37040219800101123");
    let good = export_csv(&[
        (&id, "", "国家基本公共卫生服务规范", "10", "2026-09-01"),
        ("", "wang2026", "ZZ-GP", "8", "2026-09-02 10:11:12"),
    ]);

    let first = app
        .upload(
            "/api/v1/study-records/import?platform=ncme",
            &c.admin,
            good.clone(),
            "ncme.csv",
        )
        .await;
    let again = app
        .upload(
            "/api/v1/study-records/import?platform=ncme",
            &c.admin,
            good,
            "ncme.csv",
        )
        .await;

    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        (
            first.json()["created"].as_u64(),
            first.json()["duplicates"].as_u64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(
        (
            again.json()["created"].as_u64(),
            again.json()["duplicates"].as_u64()
        ),
        (Some(0), Some(2))
    );
    let p = app.credited(&c.admin, c.doctor).await;
    assert_eq!(
        p["online"]["credited_minutes"],
        18 * 60,
        "the preset's 学时 is 60 minutes"
    );
    assert_eq!(p["online"]["average_unit_score"], 88.5);
    assert_eq!(p["online"]["active_days"], 2);
    crate::study_totals::agree(&app);

    let before = app.audit_count();
    let bad = export_csv(&[
        (
            &id_number("37040219990101123"),
            "",
            "ZZ-PH",
            "1",
            "2026-09-03",
        ),
        (&id, "", "不存在的课程", "1", "2026-09-03"),
        (&id, "", "ZZ-PH", "25", "2026-09-04"),
        (&id, "", "ZZ-PL", "1", "2023-01-01"),
        ("", "nobody", "ZZ-PH", "1", "2026-09-05"),
        (&id, "", "ZZ-PH", "1", "2026-09-06"),
    ]);
    let reply = app
        .upload(
            "/api/v1/study-records/import?platform=ncme",
            &c.admin,
            bad,
            "bad.csv",
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let fields: Vec<(u64, String)> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6],
        "{fields:?}"
    );
    assert_eq!(
        app.credited(&c.admin, c.doctor).await["online"]["credited_minutes"],
        18 * 60,
        "nothing written"
    );
    assert_eq!(app.audit_count(), before);
    let other_county = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let foreign = app
        .upload(
            "/api/v1/study-records/import?platform=ncme&county=370402",
            &other_county,
            export_csv(&[]),
            "x.csv",
        )
        .await;
    assert_eq!(foreign.status, 403);
}

async fn evidence_photos_are_images_of_ones_own_pending_records(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let r = app
        .post("/api/v1/study-records", &c.doctor_token, json!({"doctor_id": c.doctor, "kind": "online", "minutes": 30, "occurred_on": "2026-11-02"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRxxxx".to_vec();

    let text = app
        .upload(
            &format!("/api/v1/study-records/{id}/evidence"),
            &c.doctor_token,
            b"hello".to_vec(),
            "x.txt",
        )
        .await;
    let by_admin = app
        .upload(
            &format!("/api/v1/study-records/{id}/evidence"),
            &c.admin,
            png.clone(),
            "x.png",
        )
        .await;
    let ok = app
        .upload(
            &format!("/api/v1/study-records/{id}/evidence"),
            &c.doctor_token,
            png.clone(),
            "x.png",
        )
        .await;

    assert_eq!(text.error_fields(), ["file"]);
    assert_eq!(by_admin.status, 403);
    assert_eq!(ok.status, 204, "{}", ok.text);
    let photo = app
        .api
        .get(app.url(&format!("/api/v1/study-records/{id}/evidence")))
        .bearer_auth(&c.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert_eq!(photo.bytes().await.unwrap().to_vec(), png);
    let approved = app
        .post(
            &format!("/api/v1/study-records/{id}/approve"),
            &c.admin,
            json!({}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let late = app
        .upload(
            &format!("/api/v1/study-records/{id}/evidence"),
            &c.doctor_token,
            b"\xFF\xD8\xFFjpeg".to_vec(),
            "x.jpg",
        )
        .await;
    assert_eq!(late.status, 409);
}

async fn the_county_table_is_scoped_consistent_and_exports(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let (second, _) = app
        .doctor(&c.admin, c.program, "37040219900101123", "370402", None)
        .await;
    for body in [
        json!({"doctor_id": c.doctor, "kind": "online", "minutes": 600, "occurred_on": "2026-10-01"}),
        json!({"doctor_id": second, "kind": "centralized", "minutes": 120, "occurred_on": "2026-10-02"}),
    ] {
        let r = app.post("/api/v1/study-records", &c.admin, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let tokens = app
        .accounts(&[
            ("xuecheng", Role::CountyAdmin, "370403"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;

    let table = app
        .get("/api/v1/progress?per_page=500", &c.admin)
        .await
        .json();
    let foreign = app.get("/api/v1/progress", &tokens[0]).await.json();
    let city = app
        .get("/api/v1/progress?region=370402", &tokens[1])
        .await
        .json();
    let behind = app
        .get("/api/v1/progress?behind=true", &c.admin)
        .await
        .json();

    assert_eq!(table["total"], 2);
    assert_eq!(foreign["total"], 0, "another county sees none of them");
    assert_eq!(city["total"], 2);
    assert_eq!(
        behind["total"], 2,
        "in late 2026 nobody with these hours is on schedule"
    );
    for row in table["items"].as_array().unwrap() {
        let p = app
            .credited(&c.admin, row["doctor_id"].as_i64().unwrap())
            .await;
        assert_eq!(
            row["online_minutes"], p["online"]["credited_minutes"],
            "table and progress agree"
        );
        assert_eq!(
            row["centralized_minutes"],
            p["centralized"]["credited_minutes"]
        );
    }
    assert_eq!(
        app.get("/api/v1/progress?region=370403", &c.admin)
            .await
            .status,
        404
    );
    let xlsx = app
        .api
        .get(app.url("/api/v1/progress/export.xlsx"))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap();
    let sheet = cunyi::sheet::read(
        &xlsx.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();
    assert!(sheet.rows.is_empty(), "the export is scoped too");
    let doctor_table = app.get("/api/v1/progress", &c.doctor_token).await;
    assert_eq!(doctor_table.status, 403);
    let share = app
        .get(
            &format!("/api/v1/programs/{}/centralized-share?year=2026", c.program),
            &c.admin,
        )
        .await
        .json();
    assert_eq!(
        share["items"].as_array().unwrap().len(),
        1,
        "the county sees its own district"
    );
    assert_eq!(
        (
            share["items"][0]["doctors"].as_i64(),
            share["items"][0]["learners"].as_i64(),
            share["items"][0]["required"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(share["items"][0]["met"], true);
}

async fn an_instructor_reviews_only_its_own_doctors(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let teacher = app
        .post("/api/v1/instructors", &c.admin, json!({"name": "李老师", "region_code": "370402", "username": "li.teacher", "password": crate::support::PASSWORD}))
        .await
        .json();
    let teacher_token = app.login("li.teacher").await;
    let report = app
        .post("/api/v1/study-records", &c.doctor_token, json!({"doctor_id": c.doctor, "kind": "online", "minutes": 60, "occurred_on": "2026-11-03"}))
        .await;
    assert_eq!(report.status, 201, "{}", report.text);
    let id = report.json()["id"].as_i64().unwrap();

    let stranger = app
        .post(
            &format!("/api/v1/study-records/{id}/approve"),
            &teacher_token,
            json!({}),
        )
        .await;
    assert_eq!(stranger.status, 404, "not one of its doctors");
    assert_eq!(
        app.get("/api/v1/study-records/pending", &teacher_token)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let session = app
        .running_session(&c.admin, "370402", &[teacher["id"].as_i64().unwrap()], 10)
        .await;
    let marked = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &teacher_token,
            json!({"doctor_ids": [c.doctor]}),
        )
        .await;
    assert_eq!(marked.status, 200, "{}", marked.text);
    let pending = app
        .get("/api/v1/study-records/pending", &teacher_token)
        .await
        .json();
    assert_eq!(pending["items"].as_array().unwrap().len(), 1);
    let ok = app
        .post(
            &format!("/api/v1/study-records/{id}/approve"),
            &teacher_token,
            json!({}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let roster = app
        .get(&format!("/api/v1/doctors/{}", c.doctor), &teacher_token)
        .await;
    assert_eq!(
        roster.status, 200,
        "an instructor sees the doctors of its sessions"
    );
}

async fn the_aggregate_ledger_equals_the_reference_ledger(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let id = id_number("37040219800101123");
    let csv = export_csv(&[
        (&id, "", "ZZ-PH", "3", "2025-04-01"),
        (&id, "", "ZZ-PL", "2", "2025-04-02"),
        (&id, "", "ZZ-GP", "4", "2026-05-03"),
    ]);
    assert_eq!(
        app.upload(
            "/api/v1/study-records/import?platform=ncme",
            &c.admin,
            csv,
            "x.csv"
        )
        .await
        .status,
        200
    );
    let session = app.running_session(&c.admin, "370402", &[], 30).await;
    let attended = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &c.admin,
            json!({"doctor_ids": [c.doctor]}),
        )
        .await;
    assert_eq!(attended.status, 200, "{}", attended.text);
    for (kind, minutes, date) in [
        ("online", 40, "2026-11-01"),
        ("online", 50, "2026-11-02"),
        ("tutoring", 60, "2026-10-05"),
    ] {
        let reported = app
            .post(
                "/api/v1/study-records",
                &c.doctor_token,
                json!({"doctor_id": c.doctor, "kind": kind, "minutes": minutes, "occurred_on": date}),
            )
            .await;
        assert_eq!(reported.status, 201, "{}", reported.text);
    }
    let pending = app
        .get("/api/v1/study-records/pending", &c.admin)
        .await
        .json();
    let ids: Vec<i64> = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{pending}");
    let approved = app
        .post(
            &format!("/api/v1/study-records/{}/approve", ids[0]),
            &c.admin,
            json!({}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let rejected = app
        .post(
            &format!("/api/v1/study-records/{}/reject", ids[1]),
            &c.admin,
            json!({}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    let entered = app.post("/api/v1/study-records", &c.admin, json!({"doctor_id": c.doctor, "kind": "tutoring", "minutes": 90, "occurred_on": "2025-07-07"})).await;
    assert_eq!(entered.status, 201, "{}", entered.text);

    let (fast, reference) = app.with_conn(|conn| {
        let fast = cunyi::study::store::ledger_of(conn, c.doctor).unwrap();
        let entries = cunyi::study::store::entries_of(conn, c.doctor).unwrap();
        let caps = cunyi::study::store::course_minutes(conn, c.program).unwrap();
        (fast, cunyi::study::rules::ledger(&entries, &caps))
    });
    assert_eq!(fast, reference);
    assert!(fast.total() > 0 && !fast.pending.is_empty());
    crate::study_totals::agree(&app);
}

async fn a_review_with_a_bad_body_is_refused_and_writes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let c = county(&app).await;
    let report = app
        .post("/api/v1/study-records", &c.doctor_token, json!({"doctor_id": c.doctor, "kind": "online", "minutes": 60, "occurred_on": "2026-11-03"}))
        .await;
    assert_eq!(report.status, 201, "{}", report.text);
    let id = report.json()["id"].as_i64().unwrap();
    let before = app.audit_count();

    for decision in ["approve", "reject"] {
        let path = format!("/api/v1/study-records/{id}/{decision}");
        let typed = app.post(&path, &c.admin, json!({"note": 5})).await;
        assert_eq!(typed.error_fields(), ["note"], "{decision}");
        let not_json = app
            .api
            .post(app.url(&path))
            .bearer_auth(&c.admin)
            .header("content-type", "text/plain")
            .body("looks fine to me")
            .send()
            .await
            .unwrap();
        assert_eq!(
            not_json.status(),
            422,
            "{decision}: a body that is not JSON"
        );
    }
    let record = app
        .get(&format!("/api/v1/study-records/{id}"), &c.admin)
        .await;
    assert_eq!(record.json()["status"], "pending", "nothing written");
    assert_eq!(app.audit_count(), before);

    // No body at all is an empty one.
    let bare = app
        .api
        .post(app.url(&format!("/api/v1/study-records/{id}/approve")))
        .bearer_auth(&c.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 200);
    assert_eq!(app.last_audit("study.approved")["minutes"], 60);
}
