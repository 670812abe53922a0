//! Shadowing: placements, rotations, days, sign-off.

use cunyi::auth::Role;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(
    only_signed_off_shadowing_time_is_credited,
    assessment_scores_come_back_as_given,
);

async fn only_signed_off_shadowing_time_is_credited(backend: Backend) {
    let app = spawn(backend).await;
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
    let token = token.unwrap();
    let base = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"name": "市中区人民医院", "kind": "county_hospital", "region_code": "370402"}),
        )
        .await
        .json();
    let teacher = app
        .post("/api/v1/instructors", &admin, json!({"name": "内科李老师", "region_code": "370402", "username": "li.teacher", "password": crate::support::PASSWORD}))
        .await
        .json();
    let teacher_token = app.login("li.teacher").await;
    let stranger = app
        .accounts(&[("zhao.teacher", Role::Instructor, "370402")])
        .await
        .remove(0);

    let placement = app.post("/api/v1/placements", &admin, json!({"doctor_id": doctor, "base_org_id": base["id"], "starts_on": "2026-10-01", "ends_on": "2026-11-30"})).await;
    assert_eq!(placement.status, 201, "{}", placement.text);
    let pid = placement.json()["id"].as_i64().unwrap();
    let outside = app.post(&format!("/api/v1/placements/{pid}/rotations"), &admin, json!({"department": "内科", "starts_on": "2026-09-01", "ends_on": "2026-10-31", "supervisor_id": teacher["id"]})).await;
    assert_eq!(outside.error_fields(), ["starts_on"]);
    let rotation = app.post(&format!("/api/v1/placements/{pid}/rotations"), &admin, json!({"department": "内科", "starts_on": "2026-10-01", "ends_on": "2026-10-31", "supervisor_id": teacher["id"]})).await;
    assert_eq!(rotation.status, 201, "{}", rotation.text);
    let rid = rotation.json()["id"].as_i64().unwrap();

    let day = |date: &str, from: &str, to: &str| json!({"occurred_on": date, "start_time": from, "end_time": to, "content": "跟随查房、书写病历"});
    let logged = app
        .post(
            &format!("/api/v1/rotations/{rid}/logs"),
            &token,
            day("2026-10-12", "08:00", "12:00"),
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    assert_eq!(logged.json()["status"], "pending");
    assert_eq!(logged.json()["minutes"], 240);
    let overlap = app
        .post(
            &format!("/api/v1/rotations/{rid}/logs"),
            &token,
            day("2026-10-12", "11:00", "13:00"),
        )
        .await;
    assert_eq!(overlap.error_fields(), ["starts_at"]);
    let out_of_rotation = app
        .post(
            &format!("/api/v1/rotations/{rid}/logs"),
            &token,
            day("2026-11-12", "08:00", "12:00"),
        )
        .await;
    assert_eq!(out_of_rotation.error_fields(), ["occurred_on"]);
    let by_admin = app
        .post(
            &format!("/api/v1/rotations/{rid}/logs"),
            &admin,
            day("2026-10-13", "08:00", "12:00"),
        )
        .await;
    assert_eq!(by_admin.status, 403, "the doctor writes its own log");
    let second = app
        .post(
            &format!("/api/v1/rotations/{rid}/logs"),
            &token,
            day("2026-10-13", "14:00", "17:30"),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(
        app.credited(&token, doctor).await["shadowing"]["credited_minutes"],
        0,
        "not before sign-off"
    );

    let by_doctor = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &token,
            json!({}),
        )
        .await;
    let by_stranger = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &stranger,
            json!({}),
        )
        .await;
    let bad_score = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &teacher_token,
            json!({"assessment_score": 120}),
        )
        .await;
    let signed = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &teacher_token,
            json!({"assessment_score": 91.5, "summary": "掌握常见病问诊"}),
        )
        .await;
    let twice = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &teacher_token,
            json!({}),
        )
        .await;
    let late_log = app
        .post(
            &format!("/api/v1/rotations/{rid}/logs"),
            &token,
            day("2026-10-20", "08:00", "12:00"),
        )
        .await;

    assert_eq!(by_doctor.status, 403);
    assert_eq!(by_stranger.status, 404);
    assert_eq!(bad_score.error_fields(), ["assessment_score"]);
    assert_eq!(signed.json()["days_credited"], 2, "{}", signed.text);
    assert_eq!(twice.status, 409);
    assert_eq!(late_log.status, 409);
    assert_eq!(
        app.credited(&token, doctor).await["shadowing"]["credited_minutes"],
        240 + 210
    );
    assert_eq!(
        app.last_audit("rotation.signed_off")["assessment_score"],
        915
    );
    let seen = app
        .get(&format!("/api/v1/placements/{pid}"), &teacher_token)
        .await
        .json();
    assert_eq!(seen["rotations"][0]["summary"], "掌握常见病问诊");
    assert_eq!(
        seen["rotations"][0]["assessment_score"], 91.5,
        "points, as given"
    );
    crate::study_totals::agree(&app);
}

/// Regression: scores are points both ways (80 in, 80 out — they once came back ×10).
async fn assessment_scores_come_back_as_given(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, _) = app
        .doctor(&admin, program, "37040219800101123", "370402", None)
        .await;
    let base = app
        .post(
            "/api/v1/organizations",
            &admin,
            json!({"name": "市中区人民医院", "kind": "county_hospital", "region_code": "370402"}),
        )
        .await;
    assert_eq!(base.status, 201, "{}", base.text);
    let placement = app.post("/api/v1/placements", &admin, json!({"doctor_id": doctor, "base_org_id": base.json()["id"], "starts_on": "2026-10-01", "ends_on": "2026-11-30"})).await;
    assert_eq!(placement.status, 201, "{}", placement.text);
    let pid = placement.json()["id"].as_i64().unwrap();
    let rotation = app
        .post(
            &format!("/api/v1/placements/{pid}/rotations"),
            &admin,
            json!({"department": "内科", "starts_on": "2026-10-01", "ends_on": "2026-10-31"}),
        )
        .await;
    assert_eq!(rotation.status, 201, "{}", rotation.text);
    let rid = rotation.json()["id"].as_i64().unwrap();

    let signed = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &admin,
            json!({"assessment_score": 80}),
        )
        .await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    let assessed = app
        .post(
            &format!("/api/v1/placements/{pid}/assessment"),
            &admin,
            json!({"assessment_score": 85.5, "summary": "合格"}),
        )
        .await;
    assert_eq!(assessed.status, 200, "{}", assessed.text);
    assert_eq!(assessed.json()["assessment_score"], 85.5);
    assert_eq!(assessed.json()["rotations"][0]["assessment_score"], 80);
    let seen = app.get(&format!("/api/v1/placements/{pid}"), &admin).await;
    assert_eq!(seen.json()["assessment_score"], 85.5);
    assert_eq!(seen.json()["rotations"][0]["assessment_score"], 80);
    let listed = app
        .get(&format!("/api/v1/placements?doctor_id={doctor}"), &admin)
        .await;
    assert_eq!(listed.json()["items"][0]["assessment_score"], 85.5);
    let too_precise = app
        .post(
            &format!("/api/v1/placements/{pid}/assessment"),
            &admin,
            json!({"assessment_score": 85.55}),
        )
        .await;
    assert_eq!(too_precise.error_fields(), ["assessment_score"]);
}
