//! `/api/v1/users`: creation rules, scope, denials, validation.

use cunyi::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(
    a_county_admin_creates_a_doctor_in_its_county,
    a_county_admin_cannot_read_a_user_of_another_county,
    listing_shows_only_the_callers_subtree,
    nobody_creates_a_role_above_or_beside_its_own,
    bad_bodies_are_422_naming_every_field_and_write_nothing,
    regions_are_checked_for_existence_scope_and_level,
    a_taken_username_is_a_409,
    doctors_and_instructors_manage_nobody,
    paging_is_bounded_and_filters_work,
    admins_reset_passwords_of_accounts_below_them_only,
);

async fn a_county_admin_creates_a_doctor_in_its_county(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];

    let reply = app
        .post(
            "/api/v1/users",
            admin,
            json!({"username": "Doc.Wang", "password": "wang-2026!", "display_name": "王医生",
                   "role": "doctor", "region_code": "370402"}),
        )
        .await;

    assert_eq!(reply.status, 201, "{}", reply.text);
    let user = reply.json();
    assert!(user["id"].as_i64().unwrap() > 0);
    assert_eq!(user["username"], "doc.wang");
    assert_eq!(user["display_name"], "王医生");
    assert_eq!(user["role"], "doctor");
    assert_eq!(user["region_code"], "370402");
    assert_eq!(user["region_name"], "市中区");
    assert_eq!(app.last_audit("user.created")["username"], "doc.wang");
    assert_eq!(app.login_reply("doc.wang", "wang-2026!").await.status, 200);
    let fetched = app
        .get(&format!("/api/v1/users/{}", user["id"]), admin)
        .await;
    assert_eq!(fetched.json()["username"], "doc.wang");
}

async fn a_county_admin_cannot_read_a_user_of_another_county(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];
    let neighbour = app.user("xuecheng.doc").region("370403").create();

    let reply = app.get(&format!("/api/v1/users/{neighbour}"), admin).await;
    let missing = app.get("/api/v1/users/999999", admin).await;
    let junk = app.get("/api/v1/users/abc", admin).await;

    assert_eq!(reply.status, 404);
    assert_eq!(missing.status, 404);
    assert_eq!(junk.status, 404);
    assert_eq!(
        reply.json()["detail"],
        missing.json()["detail"],
        "existence is not revealed"
    );
    let denial = app.last_audit("access.denied");
    assert_eq!(denial["attempt"], "user.read");
    assert_eq!(denial["status"], 404);
    // Nor can it manage that user.
    let disable = app
        .post(
            &format!("/api/v1/users/{neighbour}/disable"),
            admin,
            json!({}),
        )
        .await;
    assert_eq!(disable.status, 404);
}

async fn listing_shows_only_the_callers_subtree(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("zaozhuang", Role::CityAdmin, "370400"),
            ("weifang", Role::CityAdmin, "370700"),
        ])
        .await;
    app.user("doc1").region("370402").create();
    app.user("doc2").region("370403").create();
    app.user("doc3").region("370702").create();

    let names = |reply: crate::support::Reply| -> Vec<String> {
        assert_eq!(reply.status, 200, "{}", reply.text);
        let body = reply.json();
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            body["items"].as_array().unwrap().len()
        );
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(app.get("/api/v1/users", &tokens[0]).await),
        ["shizhong", "doc1"]
    );
    assert_eq!(
        names(app.get("/api/v1/users", &tokens[1]).await),
        ["shizhong", "zaozhuang", "doc1", "doc2"]
    );
    assert_eq!(
        names(app.get("/api/v1/users", &tokens[2]).await),
        ["weifang", "doc3"]
    );
    assert_eq!(
        names(app.get("/api/v1/users?region=370403", &tokens[1]).await),
        ["doc2"]
    );
    assert_eq!(
        app.get("/api/v1/users?region=370403", &tokens[0])
            .await
            .status,
        404,
        "region outside scope"
    );
}

async fn nobody_creates_a_role_above_or_beside_its_own(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;
    let body = |role: &str, region: &str| {
        json!({"username": format!("new.{role}"), "password": "pass-2026", "display_name": "新人",
               "role": role, "region_code": region})
    };
    let users_before = app.user_count();

    let city_by_county = app
        .post("/api/v1/users", &tokens[0], body("city_admin", "370400"))
        .await;
    let county_by_county = app
        .post("/api/v1/users", &tokens[0], body("county_admin", "370402"))
        .await;
    let city_by_city = app
        .post("/api/v1/users", &tokens[1], body("city_admin", "370400"))
        .await;
    let sys_by_city = app
        .post("/api/v1/users", &tokens[1], body("sysadmin", "370000"))
        .await;

    for reply in [
        &city_by_county,
        &county_by_county,
        &city_by_city,
        &sys_by_city,
    ] {
        assert_eq!(reply.status, 403, "{}", reply.text);
        assert_eq!(reply.header("content-type"), "application/problem+json");
    }
    assert_eq!(app.user_count(), users_before, "nothing written");
    assert_eq!(app.last_audit("access.denied")["attempt"], "user.create");
    let ok = app
        .post("/api/v1/users", &tokens[1], body("county_admin", "370403"))
        .await;
    assert_eq!(
        ok.status, 201,
        "a city admin creates county admins in its city: {}",
        ok.text
    );
}

async fn bad_bodies_are_422_naming_every_field_and_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];
    let (users, audits) = (app.user_count(), app.audit_count());

    let empty = app.post("/api/v1/users", admin, json!({})).await;
    let bad = app
        .post(
            "/api/v1/users",
            admin,
            json!({"username": "a", "password": "short", "display_name": "  ", "role": "king",
                   "region_code": "37040X"}),
        )
        .await;
    let wrong_type = app
        .post("/api/v1/users", admin, json!({"username": ["x"]}))
        .await;
    let syntax = app
        .api
        .post(app.url("/api/v1/users"))
        .bearer_auth(admin)
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();

    let all = [
        "username",
        "password",
        "display_name",
        "role",
        "region_code",
    ];
    assert_eq!(empty.error_fields(), all);
    assert_eq!(bad.error_fields(), all);
    for e in bad.json()["errors"].as_array().unwrap() {
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(wrong_type.error_fields(), ["username"]);
    assert_eq!(syntax.status(), 422);
    assert_eq!(app.user_count(), users, "no user written");
    assert_eq!(app.audit_count(), audits, "no audit row written");
}

async fn regions_are_checked_for_existence_scope_and_level(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];
    let body = |role: &str, region: &str| {
        json!({"username": "someone", "password": "pass-2026", "display_name": "某人",
               "role": role, "region_code": region})
    };
    let users = app.user_count();

    let unknown = app
        .post("/api/v1/users", admin, body("doctor", "370402999999"))
        .await;
    let elsewhere = app
        .post("/api/v1/users", admin, body("doctor", "370403"))
        .await;
    let above = app
        .post("/api/v1/users", admin, body("doctor", "370400"))
        .await;

    assert_eq!(unknown.error_fields(), ["region_code"]);
    assert_eq!(elsewhere.status, 403);
    assert_eq!(above.status, 403);
    assert_eq!(app.user_count(), users);
    let sys = &app.accounts(&[("root", Role::Sysadmin, "370000")]).await[0];
    let wrong_level = app
        .post("/api/v1/users", sys, body("county_admin", "370400"))
        .await;
    assert_eq!(wrong_level.error_fields(), ["region_code"]);
}

async fn a_taken_username_is_a_409(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];
    app.user("taken").create();
    let users = app.user_count();

    let reply = app
        .post(
            "/api/v1/users",
            admin,
            json!({"username": "TAKEN", "password": "pass-2026", "display_name": "重名",
                   "role": "doctor", "region_code": "370402"}),
        )
        .await;

    assert_eq!(reply.status, 409, "{}", reply.text);
    assert_eq!(app.user_count(), users);
}

async fn doctors_and_instructors_manage_nobody(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("doc", Role::Doctor, "370402"),
            ("teacher", Role::Instructor, "370402"),
        ])
        .await;
    let doc_id = app.get("/api/v1/me", &tokens[0]).await.expect(200).json()["id"]
        .as_i64()
        .unwrap();
    let teacher_id = app.get("/api/v1/me", &tokens[1]).await.expect(200).json()["id"]
        .as_i64()
        .unwrap();
    for token in &tokens {
        assert_eq!(app.get("/api/v1/users", token).await.status, 403);
        let create = app
            .post(
                "/api/v1/users",
                token,
                json!({"username": "x.y.z", "password": "pass-2026", "display_name": "某",
                       "role": "doctor", "region_code": "370402"}),
            )
            .await;
        assert_eq!(create.status, 403);
    }
    assert_eq!(
        app.get(&format!("/api/v1/users/{doc_id}"), &tokens[0])
            .await
            .status,
        200,
        "itself"
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{teacher_id}"), &tokens[0])
            .await
            .status,
        404,
        "not others"
    );
    assert_eq!(app.last_audit("access.denied")["attempt"], "user.read");
}

async fn paging_is_bounded_and_filters_work(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await[0];
    for i in 0..7 {
        app.user(&format!("doctor{i}")).region("370481").create();
    }

    let page = app
        .get("/api/v1/users?role=doctor&per_page=3&page=3", admin)
        .await
        .expect(200)
        .json();
    let too_big = app.get("/api/v1/users?per_page=501", admin).await;
    let bad_role = app.get("/api/v1/users?role=emperor&page=0", admin).await;
    let search = app
        .get("/api/v1/users?q=%E6%B5%8B%E8%AF%95doctor6", admin)
        .await
        .expect(200)
        .json();

    assert_eq!(page["total"], 7);
    assert_eq!(page["page"], 3);
    assert_eq!(page["per_page"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(too_big.error_fields(), ["per_page"]);
    assert_eq!(bad_role.error_fields(), ["page", "role"]);
    assert_eq!(search["total"], 1, "search by display name: {search}");
}

async fn admins_reset_passwords_of_accounts_below_them_only(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("doc", Role::Doctor, "370402"),
        ])
        .await;
    let doc_id = app.get("/api/v1/me", &tokens[1]).await.expect(200).json()["id"]
        .as_i64()
        .unwrap();
    let peer = app
        .user("shizhong2")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();

    let weak = app
        .send(
            Method::PUT,
            &format!("/api/v1/users/{doc_id}/password"),
            Some(&tokens[0]),
            Some(json!({"password": "1"})),
        )
        .await;
    let reset = app
        .send(
            Method::PUT,
            &format!("/api/v1/users/{doc_id}/password"),
            Some(&tokens[0]),
            Some(json!({"password": "reset-2026"})),
        )
        .await;
    let peer_reset = app
        .send(
            Method::PUT,
            &format!("/api/v1/users/{peer}/password"),
            Some(&tokens[0]),
            Some(json!({"password": "reset-2026"})),
        )
        .await;

    assert_eq!(weak.error_fields(), ["password"]);
    assert_eq!(reset.status, 204);
    assert_eq!(
        app.get("/api/v1/me", &tokens[1]).await.status,
        401,
        "the doctor's sessions end"
    );
    assert_eq!(app.login_reply("doc", "reset-2026").await.status, 200);
    assert_eq!(peer_reset.status, 403, "a peer admin is not managed");
    let own = app
        .post(
            &format!(
                "/api/v1/users/{}/disable",
                app.get("/api/v1/me", &tokens[0]).await.expect(200).json()["id"]
            ),
            &tokens[0],
            json!({}),
        )
        .await;
    assert_eq!(own.status, 409, "nobody disables themselves");
}
