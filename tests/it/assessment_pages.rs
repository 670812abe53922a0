//! The assessment pages through a browser-like client: the county rates and confirms
//! a year, a doctor reads its assessment, the make-up lists, the public check.

use cunyi::auth::Role;
use reqwest::StatusCode;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    the_county_rates_and_confirms_a_year_on_its_page,
    a_doctor_reads_its_assessment_in_chinese,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let (_, form) = page(app, &client, "/login").await;
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

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn the_county_rates_and_confirms_a_year_on_its_page(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, _) = app
        .doctor(&admin, program, "37040219800101123", "370402", None)
        .await;
    let county = browser_for(&app, "shizhong").await;
    let (status, list) = page(&app, &county, "/assessment/annual?region=370402&year=2025").await;
    assert_eq!(status, 200, "{list}");
    assert!(list.contains("2025 年度考核") && list.contains("测试学员"));
    let csrf = hidden(&list, "csrf");
    let id = doctor.to_string();

    let rating = |r: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("doctor_id", id.clone()),
            ("region", "370402".to_owned()),
            ("year", "2025".to_owned()),
            ("rating", r.to_owned()),
        ]
    };
    let saved = county
        .post(app.url("/assessment/annual/rating"))
        .form(&rating("85"))
        .send()
        .await
        .unwrap();
    let saved_status = saved.status();
    let saved = saved.text().await.unwrap();
    let too_high = county
        .post(app.url("/assessment/annual/rating"))
        .form(&rating("150"))
        .send()
        .await
        .unwrap();
    let too_high_status = too_high.status();
    let too_high = too_high.text().await.unwrap();
    let no_csrf = post(
        &app,
        &county,
        "/assessment/annual/confirm",
        &[("region_code", "370402"), ("year", "2025")],
    )
    .await;
    let confirmed = post(
        &app,
        &county,
        "/assessment/annual/confirm",
        &[("csrf", &csrf), ("region_code", "370402"), ("year", "2025")],
    )
    .await;

    assert_eq!(saved_status, 200, "{saved}");
    assert!(saved.contains("评定已保存"));
    assert!(saved.contains("value=\"85\""), "the rating shown back");
    assert_eq!(too_high_status, 422);
    assert!(too_high.contains("评定分数应在 0 到 100 之间"));
    assert_eq!(no_csrf.0, 403);
    assert_eq!(confirmed.0, 200, "{}", confirmed.1);
    assert!(confirmed.1.contains("已确认 1 人"), "{}", confirmed.1);
    assert!(
        confirmed.1.contains("已确认") && !confirmed.1.contains("name=\"rating\""),
        "locked: no more rating forms"
    );
    let stored = app.with_conn(|c| cunyi::assessment::store::annual::count(c).unwrap());
    assert_eq!(stored, 1);
    let (status, makeup) = page(&app, &county, "/assessment/makeup?region=370402&year=2026").await;
    assert_eq!(status, 200);
    assert!(makeup.contains("补修补考名单"));
    assert!(makeup.contains("<td>市中区</td><td>1</td>"), "{makeup}");
}

async fn a_doctor_reads_its_assessment_in_chinese(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    app.doctor(
        &admin,
        program,
        "37040219800101123",
        "370402",
        Some("doc.wang"),
    )
    .await;
    let doctor = browser_for(&app, "doc.wang").await;
    let (status, mine) = page(&app, &doctor, "/assessment/mine").await;
    let (unknown_status, unknown) = page(&app, &browser(), "/verify/ABCD-EFGH-JKMN").await;
    let (county_only, _) = page(&app, &doctor, "/assessment/annual").await;

    assert_eq!(status, 200, "{mine}");
    for text in [
        "考核情况",
        "2024 年度",
        "2026 年度",
        "培训中",
        "尚未参加",
        "线上学习还差",
        "县级尚未评定",
    ] {
        assert!(mine.contains(text), "{text}");
    }
    for code in ["in_progress", "makeup", "eligible"] {
        assert!(!mine.contains(code), "no raw code {code}");
    }
    assert_eq!(unknown_status, 404);
    assert!(unknown.contains("未找到该证书"));
    assert_eq!(county_only, 403);
}
