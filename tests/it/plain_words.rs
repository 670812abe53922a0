//! Pages speak Chinese, not codes (issue 9, finding 17): the audit log names actions and
//! details in words, true/false items show no T/F keys, the exam form names areas and
//! types, the program list names no preset key, the results summary counts every page,
//! and exported hours are numbers a spreadsheet can add up.

use cunyi::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    the_audit_log_reads_in_words,
    exam_pages_show_no_codes_and_count_every_page,
    the_program_list_names_no_preset_key,
    exported_hours_are_numbers,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn attr(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    text
}

async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let form = page(app, &client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &attr(&form, "name=\"csrf\" value=\"")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

async fn the_audit_log_reads_in_words(backend: Backend) {
    let app = spawn(backend).await;
    app.user("root").role(Role::Sysadmin).create();
    app.user("shizhong")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();
    // A refusal with a detail: the county tries to create an account elsewhere.
    let county = app.login("shizhong").await;
    let refused = app
        .post(
            "/api/v1/users",
            &county,
            json!({"username": "other.admin", "display_name": "他县管理员", "password": PASSWORD,
                   "role": "county_admin", "region_code": "370403"}),
        )
        .await;
    assert!(
        matches!(refused.status.as_u16(), 403 | 404),
        "{}",
        refused.text
    );
    let root = browser_for(&app, "root").await;
    let log = page(&app, &root, "/audit").await;
    assert!(
        log.contains("<td data-label=\"操作\">登录</td>"),
        "the action is named"
    );
    assert!(log.contains("<td data-label=\"操作\">越权访问被拒绝</td>"));
    assert!(log.contains("尝试的操作：新建账号"), "the detail in words");
    for code in ["auth.login", "access.denied", "{\"", "\"status\""] {
        assert!(
            !log.contains(&format!(">{code}")) && !log.contains(&format!("<code>{code}")),
            "the log shows {code}"
        );
    }
    assert!(!log.contains("{&quot;"), "no JSON in the detail column");
    // The filter offers names and still filters by the action.
    assert!(log.contains("<option value=\"auth.login\">登录</option>"));
    let logins = page(&app, &root, "/audit?action=auth.login").await;
    assert!(logins.contains("<td data-label=\"操作\">登录</td>"));
    assert!(!logins.contains("<td data-label=\"操作\">越权访问被拒绝</td>"));
}

const GIFT: &str = "::p1::陈述一 {T}\n\n::p2::陈述二 {F}\n\n::p3::单选三 {=甲 ~乙 ~丙}\n";

async fn exam_pages_show_no_codes_and_count_every_page(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let county = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let mut doctors = Vec::new();
    for (first17, user) in [
        ("37040219800101123", "doc.wang"),
        ("37040219800101124", "doc.li"),
    ] {
        let (_, token) = app
            .doctor(&county, program, first17, "370402", Some(user))
            .await;
        doctors.push(token.unwrap());
    }
    app.import_gift(&county, "words", GIFT).await;

    // The new-exam form: areas and types by name.
    let manager = browser_for(&app, "shizhong").await;
    let form = page(&app, &manager, "/exams/new").await;
    assert!(form.contains(">判断题</option>"), "the TF type is named");
    assert!(!form.contains(">TF "), "no bare TF");
    assert!(form.contains("基本公共卫生服务（含传染病防控与处置） "));
    assert!(!form.contains("public_health 3 题") && !form.contains("public_health "));

    let now = chrono::Utc::now();
    let exam = app
        .post(
            "/api/v1/exams",
            &county,
            json!({"title": "判断题单元测试", "kind": "unit", "program_id": program,
                   "opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                   "closes_at": (now + chrono::Duration::hours(2)).to_rfc3339(),
                   "duration_minutes": 30, "pass_score": 1,
                   "blueprint": {"items": [
                       {"area": "public_health", "type": "TF", "collection": "words", "count": 2, "points": 1},
                       {"area": "public_health", "type": "A1", "collection": "words", "count": 1, "points": 1}]}}),
        )
        .await;
    assert_eq!(exam.status, 201, "{}", exam.text);
    let exam = exam.json()["id"].as_i64().unwrap();
    let mut attempts = Vec::new();
    for token in &doctors {
        let started = app
            .post(&format!("/api/v1/exams/{exam}/attempts"), token, json!({}))
            .await;
        assert_eq!(started.status, 201, "{}", started.text);
        attempts.push(started.json()["id"].as_i64().unwrap());
    }
    // One submits: the summary counts it whichever page it is on.
    let submitted = app
        .post(
            &format!("/api/v1/attempts/{}/submit", attempts[0]),
            &doctors[0],
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);

    // The doctor's paper: true/false items carry no T/F key, the single choice its A.
    let doctor = browser_for(&app, "doc.li").await;
    let paper = page(&app, &doctor, &format!("/attempts/{}", attempts[1])).await;
    assert!(paper.contains("陈述一") && paper.contains("<span class=\"key\">A</span>"));
    for raw in ["class=\"key\">T<", "class=\"key\">F<"] {
        assert!(!paper.contains(raw), "the paper shows {raw}");
    }

    for p in 1..=2 {
        let results = page(
            &app,
            &manager,
            &format!("/exams/{exam}/results?per_page=1&page={p}"),
        )
        .await;
        assert!(
            results.contains("共 2 条作答（本页 1 条），已交卷 1"),
            "page {p} counts every page"
        );
    }
}

async fn the_program_list_names_no_preset_key(backend: Backend) {
    let app = spawn(backend).await;
    app.program("zaozhuang-2024");
    app.user("city")
        .role(Role::CityAdmin)
        .region("370400")
        .create();
    let city = browser_for(&app, "city").await;
    let list = page(&app, &city, "/programs").await;
    assert!(list.contains("按实施方案预设建立"), "{list}");
    assert!(!list.contains("预设 zaozhuang-2024") && !list.contains("· 370400"));
}

async fn exported_hours_are_numbers(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let county = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    app.doctor(&county, program, "37040219800101123", "370402", None)
        .await;
    let xlsx = app
        .api
        .get(app.url("/api/v1/progress/export.xlsx"))
        .bearer_auth(&county)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let sheet = cunyi::sheet::read(
        &xlsx.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();
    let column = sheet
        .headers
        .iter()
        .position(|h| h == "线上（小时）")
        .expect("the online hours column");
    assert_eq!(sheet.rows.len(), 1);
    assert_eq!(
        sheet.rows[0].1[column],
        cunyi::sheet::Cell::Number(0.0),
        "hours are a number, not text"
    );
}
