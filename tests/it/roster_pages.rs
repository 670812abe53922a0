//! The roster and program pages through a browser-like client.

use cunyi::auth::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, id_number, spawn};

both_backends!(
    a_county_clerk_checks_then_confirms_an_import,
    a_bad_file_shows_its_errors_in_chinese_and_offers_no_confirmation,
    the_doctor_page_reveals_the_id_only_on_request,
    the_quota_page_shows_places_and_enrolled,
    a_city_admin_creates_its_program_from_a_preset_page,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {html}");
    html
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn logged_in(app: &TestApp, username: &str, role: Role, region: &str) -> reqwest::Client {
    app.user(username).role(role).region(region).create();
    let client = browser();
    let form = fetch(app, &client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &hidden(&form, "csrf")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

fn csv(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::from("姓名,身份证号,手机号,学历,执业资格,培训年度\n");
    for (name, first17) in rows {
        out.push_str(&format!(
            "{name},{},13800138000,中专,乡村医生,2024\n",
            id_number(first17)
        ));
    }
    out.into_bytes()
}

async fn check(app: &TestApp, client: &reqwest::Client, bytes: Vec<u8>) -> reqwest::Response {
    let page = fetch(app, client, "/roster/import").await;
    let form = Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("county", "370402")
        .part("file", Part::bytes(bytes).file_name("花名册.csv"));
    client
        .post(app.url("/roster/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn a_county_clerk_checks_then_confirms_an_import(backend: Backend) {
    let app = spawn(backend).await;
    app.program("zaozhuang-2024");
    let client = logged_in(&app, "shizhong", Role::CountyAdmin, "370402").await;

    let checked = check(
        &app,
        &client,
        csv(&[
            ("王某华", "37040219800101123"),
            ("李某芳", "37040219850202124"),
        ]),
    )
    .await;
    assert_eq!(checked.status(), 200);
    let html = checked.text().await.unwrap();
    assert!(
        html.contains("检查通过") && html.contains("将新增 2 人"),
        "{html}"
    );
    assert_eq!(app.doctor_count(), 0, "checking writes nothing");
    let kept: Vec<Vec<u8>> = app.with_conn(|c| {
        use cunyi::db::schema::upload_stash::dsl::*;
        use diesel::prelude::*;
        upload_stash.select(content).load(c).unwrap()
    });
    assert_eq!(kept.len(), 1, "the checked file waits for its confirmation");
    let plain = crate::support::id_number("37040219800101123");
    assert!(
        !kept[0].windows(plain.len()).any(|w| w == plain.as_bytes())
            && !kept[0].windows(6).any(|w| w == "王某华".as_bytes()),
        "the waiting file is encrypted, not plaintext"
    );

    let confirm = [
        ("csrf", hidden(&html, "csrf")),
        ("token", hidden(&html, "token")),
    ];
    let done = client
        .post(app.url("/roster/import/confirm"))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("导入完成"));
    assert_eq!(app.doctor_count(), 2);

    let replay = client
        .post(app.url("/roster/import/confirm"))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::CONFLICT,
        "a confirmation is used once"
    );
    let list = fetch(&app, &client, "/roster?q=%E7%8E%8B").await;
    assert!(list.contains("王某华") && list.contains("370402********"));
    assert!(!list.contains(&id_number("37040219800101123")));
}

async fn a_bad_file_shows_its_errors_in_chinese_and_offers_no_confirmation(backend: Backend) {
    let app = spawn(backend).await;
    app.program("zaozhuang-2024");
    let client = logged_in(&app, "shizhong", Role::CountyAdmin, "370402").await;
    let mut bytes = csv(&[("王某华", "37040219800101123")]);
    bytes.extend_from_slice("李某芳,370402,13800138000,中专,乡村医生,2024\n".as_bytes());

    let checked = check(&app, &client, bytes).await;

    assert_eq!(checked.status(), 422);
    let html = checked.text().await.unwrap();
    assert!(html.contains("身份证号应为 18 位") && html.contains("未写入任何数据"));
    assert!(!html.contains("name=\"token\""));
    assert_eq!(app.doctor_count(), 0);
}

async fn the_doctor_page_reveals_the_id_only_on_request(backend: Backend) {
    let app = spawn(backend).await;
    app.program("zaozhuang-2024");
    let client = logged_in(&app, "shizhong", Role::CountyAdmin, "370402").await;
    let checked = check(&app, &client, csv(&[("王某华", "37040219800101123")])).await;
    assert_eq!(checked.status(), StatusCode::OK);
    let html = checked.text().await.unwrap();
    let confirmed = client
        .post(app.url("/roster/import/confirm"))
        .form(&[
            ("csrf", hidden(&html, "csrf")),
            ("token", hidden(&html, "token")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    let list = fetch(&app, &client, "/roster").await;
    let href = list
        .split("href=\"/roster/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|h| h.chars().all(|c| c.is_ascii_digit()))
        .unwrap()
        .to_owned();
    let full = id_number("37040219800101123");

    let page = fetch(&app, &client, &format!("/roster/{href}")).await;
    assert!(!page.contains(&full) && page.contains("查看完整号码"));
    let revealed = client
        .post(app.url(&format!("/roster/{href}/reveal")))
        .form(&[("csrf", hidden(&page, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(revealed.status(), StatusCode::OK);
    let revealed = revealed.text().await.unwrap();
    assert!(revealed.contains(&full));
    assert!(
        app.audit_actions()
            .contains(&"pii.id_number_revealed".to_owned())
    );
    let forged = client
        .post(app.url(&format!("/roster/{href}/reveal")))
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

async fn the_quota_page_shows_places_and_enrolled(backend: Backend) {
    let app = spawn(backend).await;
    let id = app.program("zaozhuang-2024");
    let city = logged_in(&app, "zaozhuang", Role::CityAdmin, "370400").await;
    let county = logged_in(&app, "shizhong", Role::CountyAdmin, "370402").await;

    let all = fetch(&app, &city, &format!("/programs/{id}/quotas")).await;
    let own = fetch(&app, &county, &format!("/programs/{id}/quotas")).await;

    for name in ["滕州市", "薛城区", "山亭区", "市中区", "峄城区", "台儿庄区"] {
        assert!(all.contains(name), "{name} missing");
    }
    assert!(
        all.contains("0 / 425") && all.contains("0 / 1105"),
        "places and totals"
    );
    assert!(own.contains("市中区") && !own.contains("滕州市"));
    assert!(
        all.contains("href=\"/roster?region=370481\""),
        "each district links to its roster"
    );
    let detail = fetch(&app, &county, &format!("/programs/{id}")).await;
    assert!(detail.contains("158 学时") && detail.contains("2026-12-15"));
}

async fn a_city_admin_creates_its_program_from_a_preset_page(backend: Backend) {
    let app = spawn(backend).await;
    let city = logged_in(&app, "weifang", Role::CityAdmin, "370700").await;
    let page = fetch(&app, &city, "/programs").await;
    assert!(page.contains("weifang-2024"));

    let wrong = city
        .post(app.url("/programs/new"))
        .form(&[
            ("csrf", hidden(&page, "csrf")),
            ("preset", "zaozhuang-2024".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let made = city
        .post(app.url("/programs/new"))
        .form(&[
            ("csrf", hidden(&page, "csrf")),
            ("preset", "weifang-2024".to_owned()),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(wrong.status(), 403);
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let detail = fetch(&app, &city, &location).await;
    assert!(detail.contains("潍坊市") && detail.contains("合计"));
}
