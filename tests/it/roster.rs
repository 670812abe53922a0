//! `/api/v1/doctors`: creation, masking, the audited reveal, scope, status, accounts.

use cunyi::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, id_number, spawn};

both_backends!(
    a_county_admin_registers_a_doctor_and_the_id_is_stored_encrypted,
    every_role_sees_the_id_number_masked,
    only_county_and_city_admins_reveal_and_each_reveal_is_audited,
    a_county_admin_cannot_see_or_update_another_countys_doctor,
    bad_doctors_are_422_naming_each_field_and_write_nothing,
    a_doctor_leaves_the_post_but_is_never_deleted,
    a_doctor_gets_an_account_linked_to_the_record,
    search_finds_by_name_phone_or_full_id_number,
    an_id_number_registered_in_another_county_is_refused_without_saying_where,
    names_are_chinese_characters_or_letters_only,
);

fn doctor(program: i64, first17: &str, region: &str) -> Value {
    json!({"name": "王某华", "id_number": id_number(first17), "phone": "138 0013 8000", "gender": "male",
           "birth_date": format!("{}-{}-{}", &first17[6..10], &first17[10..12], &first17[12..14]),
           "education": "college", "qualification": "village_doctor_cert",
           "region_code": region, "program_id": program, "cohort_year": 2024})
}

/// A program, a county admin of 370402 and one doctor; returns (county token, doctor id).
async fn county_with_doctor(app: &TestApp) -> (String, i64, i64) {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let r = app
        .post(
            "/api/v1/doctors",
            &admin,
            doctor(program, "37040219800101123", "370402"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (admin, r.json()["id"].as_i64().unwrap(), program)
}

async fn a_county_admin_registers_a_doctor_and_the_id_is_stored_encrypted(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, id, program) = county_with_doctor(&app).await;

    let d = app
        .get(&format!("/api/v1/doctors/{id}"), &admin)
        .await
        .expect(200)
        .json();

    assert_eq!(d["name"], "王某华");
    assert_eq!(d["phone"], "13800138000");
    assert_eq!(
        d["id_number"],
        format!("370402********{}", &id_number("37040219800101123")[14..])
    );
    assert_eq!(d["gender"], "male");
    assert_eq!(d["birth_date"], "1980-01-01");
    assert_eq!(d["program_id"], program);
    assert_eq!(d["county_code"], "370402");
    assert_eq!(d["status"], "active");
    let stored: String = app.with_conn(|c| {
        use cunyi::db::schema::doctors::dsl::*;
        use diesel::prelude::*;
        doctors.find(id).select(id_number_enc).first(c).unwrap()
    });
    assert!(
        stored.starts_with("v1:") && !stored.contains("19800101"),
        "not stored in clear: {stored}"
    );
    let duplicate = app
        .post(
            "/api/v1/doctors",
            &admin,
            doctor(program, "37040219800101123", "370402"),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(app.last_audit("doctor.created")["region_code"], "370402");
}

async fn every_role_sees_the_id_number_masked(backend: Backend) {
    let app = spawn(backend).await;
    let (county, id, _) = county_with_doctor(&app).await;
    let tokens = app
        .accounts(&[
            ("zaozhuang", Role::CityAdmin, "370400"),
            ("root", Role::Sysadmin, "370000"),
        ])
        .await;
    let account = app
        .post(
            &format!("/api/v1/doctors/{id}/account"),
            &county,
            json!({"username": "wang.doc", "password": crate::support::PASSWORD}),
        )
        .await;
    assert_eq!(account.status, 201, "{}", account.text);
    let own = app.login("wang.doc").await;
    let full = id_number("37040219800101123");
    for token in [&county, &tokens[0], &tokens[1], &own] {
        let d = app.get(&format!("/api/v1/doctors/{id}"), token).await;
        assert_eq!(d.status, 200, "{}", d.text);
        assert!(!d.text.contains(&full), "full ID number leaked: {}", d.text);
        assert!(d.json()["id_number"].as_str().unwrap().contains("********"));
        let list = app.get("/api/v1/doctors", token).await;
        assert!(!list.text.contains(&full));
    }
}

async fn only_county_and_city_admins_reveal_and_each_reveal_is_audited(backend: Backend) {
    let app = spawn(backend).await;
    let (county, id, _) = county_with_doctor(&app).await;
    let tokens = app
        .accounts(&[
            ("zaozhuang", Role::CityAdmin, "370400"),
            ("root", Role::Sysadmin, "370000"),
            ("teacher", Role::Instructor, "370402"),
        ])
        .await;
    app.post(
        &format!("/api/v1/doctors/{id}/account"),
        &county,
        json!({"username": "wang.doc", "password": crate::support::PASSWORD}),
    )
    .await
    .expect(201);
    let own = app.login("wang.doc").await;
    let path = format!("/api/v1/doctors/{id}/id-number");

    let by_county = app.get(&path, &county).await;
    let by_city = app.get(&path, &tokens[0]).await;

    assert_eq!(
        by_county.json()["id_number"],
        id_number("37040219800101123")
    );
    assert_eq!(by_city.json()["id_number"], id_number("37040219800101123"));
    assert_eq!(by_county.header("cache-control"), "no-store");
    let reveals = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "pii.id_number_revealed")
        .count();
    assert_eq!(reveals, 2);
    assert_eq!(app.get(&path, &tokens[1]).await.status, 403, "sysadmin");
    assert_eq!(app.get(&path, &own).await.status, 403, "the doctor itself");
    assert_eq!(
        app.get(&path, &tokens[2]).await.status,
        404,
        "an instructor of no session of this doctor"
    );
    assert_eq!(
        app.audit_actions()
            .iter()
            .filter(|a| *a == "pii.id_number_revealed")
            .count(),
        2
    );
    assert_eq!(app.last_audit("access.denied")["attempt"], "doctor.read");
}

async fn a_county_admin_cannot_see_or_update_another_countys_doctor(backend: Backend) {
    let app = spawn(backend).await;
    let (_, id, program) = county_with_doctor(&app).await;
    let xuecheng = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let doctors_before = app.doctor_count();

    let read = app.get(&format!("/api/v1/doctors/{id}"), &xuecheng).await;
    let reveal = app
        .get(&format!("/api/v1/doctors/{id}/id-number"), &xuecheng)
        .await;
    let update = app
        .send(
            Method::PUT,
            &format!("/api/v1/doctors/{id}"),
            Some(&xuecheng),
            Some(doctor(program, "37040219800101123", "370403")),
        )
        .await;
    let status = app
        .post(
            &format!("/api/v1/doctors/{id}/status"),
            &xuecheng,
            json!({"status": "left_post"}),
        )
        .await;
    let create_there = app
        .post(
            "/api/v1/doctors",
            &xuecheng,
            doctor(program, "37040219900101123", "370402"),
        )
        .await;
    let list = app
        .get("/api/v1/doctors", &xuecheng)
        .await
        .expect(200)
        .json();
    let filtered = app.get("/api/v1/doctors?region=370402", &xuecheng).await;

    assert_eq!(read.status, 404);
    assert_eq!(reveal.status, 404);
    assert_eq!(update.status, 404);
    assert_eq!(status.status, 404);
    assert_eq!(create_there.status, 403);
    assert_eq!(list["total"], 0);
    assert_eq!(filtered.status, 404);
    assert_eq!(app.doctor_count(), doctors_before);
    assert_eq!(app.last_audit("access.denied")["attempt"], "doctor.write");
}

async fn bad_doctors_are_422_naming_each_field_and_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, _, program) = county_with_doctor(&app).await;
    let before = (app.doctor_count(), app.audit_count());

    let empty = app.post("/api/v1/doctors", &admin, json!({})).await;
    let mut inconsistent = doctor(program, "37040219850505123", "370402");
    inconsistent["gender"] = "female".into();
    inconsistent["birth_date"] = "1985-05-06".into();
    inconsistent["phone"] = "12345".into();
    let wrong = app.post("/api/v1/doctors", &admin, inconsistent).await;
    let mut bad_id = doctor(program, "37040219850505123", "370402");
    bad_id["id_number"] = "370402198505051230".into();
    let checksum = app.post("/api/v1/doctors", &admin, bad_id).await;
    let mut out_of_years = doctor(program, "37040219850505123", "370402");
    out_of_years["cohort_year"] = 2030.into();
    let years = app.post("/api/v1/doctors", &admin, out_of_years).await;
    let mut city_level = doctor(program, "37040219850505123", "370400");
    city_level["region_code"] = "370402".into();
    city_level["program_id"] = 9999.into();
    let no_program = app.post("/api/v1/doctors", &admin, city_level).await;

    assert_eq!(
        empty.error_fields(),
        [
            "name",
            "id_number",
            "phone",
            "education",
            "qualification",
            "region_code",
            "program_id",
            "cohort_year"
        ]
    );
    assert_eq!(wrong.error_fields(), ["phone", "gender", "birth_date"]);
    assert_eq!(checksum.error_fields(), ["id_number"]);
    assert_eq!(years.error_fields(), ["cohort_year"]);
    assert_eq!(no_program.error_fields(), ["program_id"]);
    assert_eq!((app.doctor_count(), app.audit_count()), before);
}

async fn a_doctor_leaves_the_post_but_is_never_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, id, _) = county_with_doctor(&app).await;

    let bad = app
        .post(
            &format!("/api/v1/doctors/{id}/status"),
            &admin,
            json!({"status": "fired", "effective_on": "2099-01-01"}),
        )
        .await;
    let left = app
        .post(
            &format!("/api/v1/doctors/{id}/status"),
            &admin,
            json!({"status": "left_post", "effective_on": "2026-10-01", "note": "调往县医院"}),
        )
        .await;
    let delete = app
        .send(
            Method::DELETE,
            &format!("/api/v1/doctors/{id}"),
            Some(&admin),
            None,
        )
        .await;

    assert_eq!(bad.error_fields(), ["status", "effective_on"]);
    assert_eq!(left.status, 200, "{}", left.text);
    assert_eq!(left.json()["status"], "left_post");
    assert_eq!(left.json()["status_changed_on"], "2026-10-01");
    assert!(
        delete.status.is_client_error(),
        "there is no delete: {}",
        delete.status
    );
    assert_eq!(app.doctor_count(), 1);
    let active = app
        .get("/api/v1/doctors?status=active", &admin)
        .await
        .expect(200)
        .json();
    assert_eq!(active["total"], 0);
    assert_eq!(
        app.last_audit("doctor.status_changed")["status"],
        "left_post"
    );
}

async fn a_doctor_gets_an_account_linked_to_the_record(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, id, _) = county_with_doctor(&app).await;
    let users = app.user_count();

    let weak = app
        .post(
            &format!("/api/v1/doctors/{id}/account"),
            &admin,
            json!({"username": "wang.doc", "password": "1"}),
        )
        .await;
    let made = app
        .post(
            &format!("/api/v1/doctors/{id}/account"),
            &admin,
            json!({"username": "wang.doc", "password": crate::support::PASSWORD}),
        )
        .await;
    let twice = app
        .post(
            &format!("/api/v1/doctors/{id}/account"),
            &admin,
            json!({"username": "wang.doc2", "password": crate::support::PASSWORD}),
        )
        .await;

    assert_eq!(weak.error_fields(), ["password"]);
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.json()["role"], "doctor");
    assert_eq!(twice.status, 409);
    assert_eq!(app.user_count(), users + 1);
    let own = app.login("wang.doc").await;
    let mine = app.get("/api/v1/doctors", &own).await.expect(200).json();
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], id);
    assert_eq!(mine["items"][0]["user_id"], made.json()["id"]);
}

async fn search_finds_by_name_phone_or_full_id_number(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, id, _) = county_with_doctor(&app).await;
    let search = |q: String| {
        let app = &app;
        let admin = &admin;
        async move {
            app.get(&format!("/api/v1/doctors?q={q}"), admin)
                .await
                .expect(200)
                .json()["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(search("%E7%8E%8B%E6%9F%90".into()).await, 1, "name");
    assert_eq!(search("13800138000".into()).await, 1, "phone");
    assert_eq!(
        search(id_number("37040219800101123")).await,
        1,
        "full ID via the blind index"
    );
    assert_eq!(search("1980".into()).await, 0, "no partial ID matching");
    assert!(id > 0);
}

async fn an_id_number_registered_in_another_county_is_refused_without_saying_where(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let (shizhong, id, program) = county_with_doctor(&app).await;
    let tokens = app
        .accounts(&[
            ("xuecheng", Role::CountyAdmin, "370403"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;
    let (xuecheng, city) = (&tokens[0], &tokens[1]);
    let before = app.doctor_count();

    let elsewhere = app
        .post(
            "/api/v1/doctors",
            xuecheng,
            doctor(program, "37040219800101123", "370403"),
        )
        .await;
    let refused = app.last_audit("doctor.registration_refused");
    let here = app
        .post(
            "/api/v1/doctors",
            &shizhong,
            doctor(program, "37040219800101123", "370402"),
        )
        .await;
    let by_city = app
        .post(
            "/api/v1/doctors",
            city,
            doctor(program, "37040219800101123", "370403"),
        )
        .await;
    let fresh = app
        .post(
            "/api/v1/doctors",
            xuecheng,
            doctor(program, "37040319900101123", "370403"),
        )
        .await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    let own = fresh.json()["id"].as_i64().unwrap();
    let edited_into_it = app
        .send(
            Method::PUT,
            &format!("/api/v1/doctors/{own}"),
            Some(xuecheng),
            Some(doctor(program, "37040219800101123", "370403")),
        )
        .await;

    assert_eq!(elsewhere.status, 409, "{}", elsewhere.text);
    let detail = elsewhere.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("市级管理员"), "{detail}");
    for leak in ["370402", "市中", "其他区县", "已在花名册", &id.to_string()] {
        assert!(
            !elsewhere.text.contains(leak),
            "{leak:?} leaked: {}",
            elsewhere.text
        );
    }
    assert_eq!(refused["reason"], "id_number_registered_elsewhere");
    assert_eq!(refused["region_code"], "370403");
    assert_eq!(here.status, 409);
    assert!(here.text.contains("已在花名册中"), "{}", here.text);
    assert_eq!(by_city.status, 409, "the city sees both counties");
    assert!(by_city.text.contains("已在花名册中"), "{}", by_city.text);
    assert_eq!(edited_into_it.status, 409);
    assert_eq!(edited_into_it.json()["detail"].as_str().unwrap(), detail);
    assert_eq!(
        app.doctor_count(),
        before + 1,
        "only the fresh ID was registered"
    );
    assert_eq!(
        app.audit_actions()
            .iter()
            .filter(|a| *a == "doctor.registration_refused")
            .count(),
        2
    );
}

async fn names_are_chinese_characters_or_letters_only(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, _, program) = county_with_doctor(&app).await;
    let before = app.doctor_count();

    for bad in [
        "王某1",
        "王某２",
        "王某٣",
        "王\u{202E}某华",
        "王\u{200B}某华",
        "王某华😀",
    ] {
        let mut body = doctor(program, "37040219850505123", "370402");
        body["name"] = bad.into();
        let r = app.post("/api/v1/doctors", &admin, body).await;
        assert_eq!(r.error_fields(), ["name"], "{bad:?}: {}", r.text);
        assert!(
            r.json()["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("姓名")
        );
    }
    let mut minority = doctor(program, "37040219850505123", "370402");
    minority["name"] = "买买提•艾力".into();
    let made = app.post("/api/v1/doctors", &admin, minority).await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(
        made.json()["name"],
        "买买提·艾力",
        "the middle dot is normalised"
    );
    assert_eq!(app.doctor_count(), before + 1);

    let instructor = app
        .post(
            "/api/v1/instructors",
            &admin,
            json!({"name": "李老师\u{200D}", "region_code": "370402"}),
        )
        .await;
    assert_eq!(instructor.error_fields(), ["name"]);
    let account = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "li.doc", "password": crate::support::PASSWORD, "display_name": "李医生8",
                   "role": "doctor", "region_code": "370402"}),
        )
        .await;
    assert_eq!(account.error_fields(), ["display_name"]);
}
