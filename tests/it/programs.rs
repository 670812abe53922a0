//! `/api/v1/programs`: presets, full definitions, edits, quotas.

use cunyi::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, spawn};

both_backends!(
    a_city_admin_creates_the_zaozhuang_preset_with_the_seeds_numbers,
    a_city_admin_cannot_create_or_edit_another_citys_program,
    everyone_in_the_city_sees_its_program_and_nobody_else_does,
    quotas_show_places_against_enrolled_scoped_to_the_caller,
    edits_are_checked_versioned_and_audited,
    bad_definitions_name_the_field_and_write_nothing,
);

async fn a_city_admin_creates_the_zaozhuang_preset_with_the_seeds_numbers(backend: Backend) {
    let app = spawn(backend).await;
    let city = &app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await[0];

    let reply = app
        .post(
            "/api/v1/programs",
            city,
            json!({"preset": "zaozhuang-2024"}),
        )
        .await;
    let again = app
        .post(
            "/api/v1/programs",
            city,
            json!({"preset": "zaozhuang-2024"}),
        )
        .await;

    assert_eq!(reply.status, 201, "{}", reply.text);
    let p = reply.json();
    assert!(p["id"].as_i64().unwrap() > 0);
    assert_eq!(p["region_code"], "370400");
    assert_eq!(
        (p["start_year"].as_i64(), p["end_year"].as_i64()),
        (Some(2024), Some(2026))
    );
    let r = &p["requirements"];
    assert_eq!(r["online_minutes"], 158 * 60);
    assert_eq!(r["centralized_minutes"], 60 * 60);
    assert_eq!(r["shadowing_minutes"], 60 * 60);
    assert_eq!(r["makeup_window_months"], 3);
    assert!(r["theory_pass_score"].is_number() && r["skills_pass_score"].is_number());
    let quotas = p["quotas"].as_array().unwrap();
    let year = |y: i64| {
        quotas
            .iter()
            .filter(|q| q["year"] == y)
            .map(|q| q["places"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!((year(2024), year(2025), year(2026)), (1105, 1105, 1044));
    assert_eq!(p["deadlines"]["annual_summary"], "12-15");
    assert_eq!(
        p["deadlines"]["quarterly_summaries"],
        json!(["03-30", "06-30", "09-30"])
    );
    assert_eq!(again.status, 409);
    assert_eq!(
        app.last_audit("program.created")["preset"],
        "zaozhuang-2024"
    );
    let fetched = app
        .get(&format!("/api/v1/programs/{}", p["id"]), city)
        .await
        .expect(200)
        .json();
    assert_eq!(fetched["quotas"].as_array().unwrap().len(), 18);
}

async fn a_city_admin_cannot_create_or_edit_another_citys_program(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("weifang", Role::CityAdmin, "370700"),
            ("shizhong", Role::CountyAdmin, "370402"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;

    let foreign = app
        .post(
            "/api/v1/programs",
            &tokens[0],
            json!({"preset": "zaozhuang-2024"}),
        )
        .await;
    let by_county = app
        .post(
            "/api/v1/programs",
            &tokens[1],
            json!({"preset": "zaozhuang-2024"}),
        )
        .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(by_county.status, 403);
    let own = app
        .post(
            "/api/v1/programs",
            &tokens[0],
            json!({"preset": "weifang-2024"}),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.text);
    assert!(
        own.json()["requirements"]["combined"]["kinds"]
            .as_array()
            .unwrap()
            .len()
            == 3
    );

    let id = app.program("zaozhuang-2024");
    let mut body = app
        .get(&format!("/api/v1/programs/{id}"), &tokens[2])
        .await
        .expect(200)
        .json();
    body["name"] = "改名".into();
    let by_weifang = app
        .send(
            Method::PUT,
            &format!("/api/v1/programs/{id}"),
            Some(&tokens[0]),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        by_weifang.status, 404,
        "another city's program is not even visible"
    );
}

async fn everyone_in_the_city_sees_its_program_and_nobody_else_does(backend: Backend) {
    let app = spawn(backend).await;
    let zz = app.program("zaozhuang-2024");
    let tokens = app
        .accounts(&[
            ("doctor", Role::Doctor, "370402"),
            ("wf.doctor", Role::Doctor, "370702"),
        ])
        .await;

    let seen = app
        .get("/api/v1/programs", &tokens[0])
        .await
        .expect(200)
        .json();
    let unseen = app
        .get("/api/v1/programs", &tokens[1])
        .await
        .expect(200)
        .json();

    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    assert_eq!(seen["items"][0]["id"], zz);
    assert_eq!(unseen["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.get(&format!("/api/v1/programs/{zz}"), &tokens[1])
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/programs/{zz}/quotas"), &tokens[0])
            .await
            .status,
        403,
        "doctors see no quota table"
    );
}

async fn quotas_show_places_against_enrolled_scoped_to_the_caller(backend: Backend) {
    let app = spawn(backend).await;
    let id = app.program("zaozhuang-2024");
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;
    for (i, first17) in ["37040219800101123", "37040219810101123"]
        .iter()
        .enumerate()
    {
        let r = app
            .post(
                "/api/v1/doctors",
                &tokens[0],
                json!({"name": format!("王某{}", ["甲", "乙"][i]), "id_number": crate::support::id_number(first17),
                       "phone": "13800138000", "education": "college", "qualification": "village_doctor_cert",
                       "region_code": "370402", "program_id": id, "cohort_year": 2024}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    let county = app
        .get(&format!("/api/v1/programs/{id}/quotas"), &tokens[0])
        .await
        .expect(200)
        .json();
    let city = app
        .get(&format!("/api/v1/programs/{id}/quotas"), &tokens[1])
        .await
        .expect(200)
        .json();

    let county_rows = county["items"].as_array().unwrap();
    assert_eq!(
        county_rows.len(),
        3,
        "the county sees its own row, for each year"
    );
    assert!(county_rows.iter().all(|q| q["region_code"] == "370402"));
    let y2024 = county_rows.iter().find(|q| q["year"] == 2024).unwrap();
    assert_eq!(
        (
            y2024["places"].as_i64(),
            y2024["enrolled"].as_i64(),
            y2024["remaining"].as_i64()
        ),
        (Some(100), Some(2), Some(98))
    );
    let districts: std::collections::HashSet<&str> = city["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["region_code"].as_str().unwrap())
        .collect();
    assert_eq!(districts.len(), 6, "the city sees all six districts");
}

async fn edits_are_checked_versioned_and_audited(backend: Backend) {
    let app = spawn(backend).await;
    let id = app.program("zaozhuang-2024");
    let city = &app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await[0];
    let mut body = app
        .get(&format!("/api/v1/programs/{id}"), city)
        .await
        .expect(200)
        .json();
    body["requirements"]["makeup_window_months"] = 2.into();
    body["quotas"][0]["places"] = 426.into();

    let saved = app
        .send(
            Method::PUT,
            &format!("/api/v1/programs/{id}"),
            Some(city),
            Some(body.clone()),
        )
        .await;
    let stale = app
        .send(
            Method::PUT,
            &format!("/api/v1/programs/{id}"),
            Some(city),
            Some(body.clone()),
        )
        .await;

    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.json()["version"], 2);
    assert_eq!(saved.json()["requirements"]["makeup_window_months"], 2);
    assert_eq!(stale.status, 409, "the editor saw version 1");
    let change = app.last_audit("program.updated");
    assert_eq!(change["requirements.makeup_window_months"]["from"], 3);
    assert_eq!(change["requirements.makeup_window_months"]["to"], 2);
    assert!(change.get("quotas").is_some());
}

async fn bad_definitions_name_the_field_and_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let city = &app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await[0];
    let template = app
        .post(
            "/api/v1/programs",
            city,
            json!({"preset": "zaozhuang-2024"}),
        )
        .await
        .expect(201)
        .json();
    let audits = app.audit_count();

    let unknown = app
        .post("/api/v1/programs", city, json!({"preset": "atlantis-2024"}))
        .await;
    let empty = app.post("/api/v1/programs", city, json!({})).await;
    let mut bad = template.clone();
    bad["name"] = "新项目".into();
    bad["preset"] = serde_json::Value::Null;
    bad["requirements"]["online_minutes"] = "many".into();
    bad["deadlines"]["annual_summary"] = "02-30".into();
    let typed = app.post("/api/v1/programs", city, bad).await;
    let mut wrong_district = template.clone();
    wrong_district["preset"] = serde_json::Value::Null;
    wrong_district["name"] = "另一个".into();
    wrong_district["quotas"][0]["region_code"] = "370702".into();
    let district = app.post("/api/v1/programs", city, wrong_district).await;

    assert_eq!(unknown.error_fields(), ["preset"]);
    assert_eq!(
        empty.error_fields(),
        [
            "region_code",
            "start_year",
            "end_year",
            "requirements",
            "deadlines",
            "name"
        ]
    );
    let fields = typed.error_fields();
    assert!(
        fields.contains(&"requirements.online_minutes".to_owned()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"deadlines.annual_summary".to_owned()),
        "{fields:?}"
    );
    assert_eq!(district.error_fields(), ["quotas[0].region_code"]);
    assert_eq!(app.audit_count(), audits, "nothing written");
}
