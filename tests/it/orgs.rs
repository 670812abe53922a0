//! Organizations and instructors.

use cunyi::auth::Role;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(
    organizations_sit_on_the_right_level_inside_the_callers_region,
    an_instructor_comes_with_an_account_in_one_step,
    the_instructor_list_honours_its_region_filter,
);

async fn organizations_sit_on_the_right_level_inside_the_callers_region(backend: Backend) {
    let app = spawn(backend).await;
    app.regions("代码,名称\n370402001,中心街街道\n370402001101,东村\n370403001,临城街道\n");
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
            ("doctor", Role::Doctor, "370402"),
        ])
        .await;

    let clinic = app
        .post(
            "/api/v1/organizations",
            &tokens[0],
            json!({"name": "东村卫生室", "kind": "village_clinic", "region_code": "370402001101"}),
        )
        .await;
    let wrong_level = app
        .post(
            "/api/v1/organizations",
            &tokens[0],
            json!({"name": "东村医院", "kind": "county_hospital", "region_code": "370402001101"}),
        )
        .await;
    let elsewhere = app
        .post(
            "/api/v1/organizations",
            &tokens[0],
            json!({"name": "临城卫生院", "kind": "township_center", "region_code": "370403001"}),
        )
        .await;
    let twice = app
        .post(
            "/api/v1/organizations",
            &tokens[0],
            json!({"name": "东村卫生室", "kind": "village_clinic", "region_code": "370402001101"}),
        )
        .await;
    let by_doctor = app
        .post(
            "/api/v1/organizations",
            &tokens[2],
            json!({"name": "x", "kind": "village_clinic", "region_code": "370402001101"}),
        )
        .await;
    let empty = app
        .post("/api/v1/organizations", &tokens[0], json!({}))
        .await;

    assert_eq!(clinic.status, 201, "{}", clinic.text);
    let id = clinic.json()["id"].as_i64().unwrap();
    assert_eq!(wrong_level.error_fields(), ["region_code"]);
    assert_eq!(elsewhere.status, 403);
    assert_eq!(twice.status, 409);
    assert_eq!(by_doctor.status, 403);
    assert_eq!(empty.error_fields(), ["name", "kind", "region_code"]);
    assert_eq!(
        app.get("/api/v1/organizations?kind=village_clinic", &tokens[0])
            .await
            .expect(200)
            .json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/organizations", &tokens[1])
            .await
            .expect(200)
            .json()["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/organizations/{id}"), &tokens[1])
            .await
            .status,
        404
    );
    assert_eq!(
        app.last_audit("organization.created")["kind"],
        "village_clinic"
    );
}

async fn an_instructor_comes_with_an_account_in_one_step(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let users = app.user_count();

    let made = app
        .post(
            "/api/v1/instructors",
            &tokens[0],
            json!({"name": "李老师", "title": "副主任医师", "specialty": "全科医学", "region_code": "370402",
                   "id_number": crate::support::id_number("37040219700101123"),
                   "username": "li.teacher", "password": crate::support::PASSWORD}),
        )
        .await;
    let weak_account = app
        .post("/api/v1/instructors", &tokens[0], json!({"name": "周老师", "region_code": "370402", "username": "zhou.t", "password": "1"}))
        .await;
    let taken = app
        .post("/api/v1/instructors", &tokens[0], json!({"name": "吴老师", "region_code": "370402", "username": "li.teacher", "password": crate::support::PASSWORD}))
        .await;

    assert_eq!(made.status, 201, "{}", made.text);
    let body = made.json();
    assert_eq!(body["title"], "副主任医师");
    assert!(body["id_number"].as_str().unwrap().contains("********"));
    assert!(body["user_id"].as_i64().is_some());
    assert_eq!(weak_account.error_fields(), ["password"]);
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert_eq!(
        app.user_count(),
        users + 1,
        "no account without its instructor, nor the reverse"
    );
    let teacher = app.login("li.teacher").await;
    let me = app
        .get("/api/v1/instructors", &teacher)
        .await
        .expect(200)
        .json();
    assert_eq!(me["total"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/instructors/{}", body["id"]), &tokens[1])
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/instructors", &tokens[1])
            .await
            .expect(200)
            .json()["total"],
        0
    );
}

async fn the_instructor_list_honours_its_region_filter(backend: Backend) {
    let app = spawn(backend).await;
    app.regions("代码,名称\n370402001,中心街街道\n");
    let tokens = app
        .accounts(&[
            ("zaozhuang", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
        ])
        .await;
    let (city, county) = (&tokens[0], &tokens[1]);
    for (name, region, account) in [
        ("李老师", "370402", Some("li.teacher")),
        ("王老师", "370403", None),
        ("赵老师", "370402001", None),
    ] {
        let mut body = json!({"name": name, "region_code": region});
        if let Some(username) = account {
            body["username"] = username.into();
            body["password"] = crate::support::PASSWORD.into();
        }
        let made = app.post("/api/v1/instructors", city, body).await;
        assert_eq!(made.status, 201, "{}", made.text);
    }
    let total = |path: &'static str, token: String| {
        let app = &app;
        async move {
            let r = app.get(path, &token).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            r.json()["total"].as_i64().unwrap()
        }
    };

    assert_eq!(total("/api/v1/instructors", city.clone()).await, 3);
    assert_eq!(
        total("/api/v1/instructors?region=370402", city.clone()).await,
        2,
        "the county and its township"
    );
    assert_eq!(
        total("/api/v1/instructors?region=370403", city.clone()).await,
        1
    );
    assert_eq!(
        total("/api/v1/instructors?region=370402001", county.clone()).await,
        1
    );
    let teacher = app.login("li.teacher").await;
    assert_eq!(
        total("/api/v1/instructors?region=370402", teacher.clone()).await,
        1
    );
    assert_eq!(
        total("/api/v1/instructors?region=370402001", teacher).await,
        0
    );
    let outside = app.get("/api/v1/instructors?region=370403", county).await;
    let unknown = app.get("/api/v1/instructors?region=379999", city).await;
    assert_eq!(
        outside.status, 404,
        "a region outside the caller's is not found"
    );
    assert_eq!(unknown.status, 404);
}
