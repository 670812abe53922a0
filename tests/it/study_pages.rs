//! The study pages through a browser-like client.

use cunyi::auth::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    a_doctor_logs_study_with_a_photo_and_a_reviewer_approves_it,
    the_instructors_session_page_shows_a_live_code_the_doctor_uses,
    the_progress_page_draws_the_distribution_and_filters,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page that must answer 200.
async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    text
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let form = fetch(app, &client, "/login").await;
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

async fn a_doctor_logs_study_with_a_photo_and_a_reviewer_approves_it(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, _) = app
        .doctor(
            &admin,
            program,
            "37040219800101123",
            "370402",
            Some("doc.wang"),
        )
        .await;
    let phone = browser_for(&app, "doc.wang").await;
    let page = fetch(&app, &phone, "/study").await;
    assert!(
        page.contains("线上自学") && page.contains("<progress"),
        "progress bars"
    );

    let form = Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("kind", "online")
        .text("course_code", "ZZ-PH")
        .text("occurred_on", "2026-11-05")
        .text("minutes", "45")
        .text("note", "人卫慕课截图")
        .part(
            "file",
            Part::bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).file_name("shot.png"),
        );
    let posted = phone
        .post(app.url("/study"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert!(
        fetch(&app, &phone, "/study?done=1")
            .await
            .contains("待审核")
    );

    let desk = browser_for(&app, "shizhong").await;
    let queue = fetch(&app, &desk, "/study/review").await;
    assert!(queue.contains("查看证明照片") && queue.contains("45 分钟"));
    let id = queue
        .split("<tr id=\"r-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let decided = desk
        .post(app.url(&format!("/study/review/{id}")))
        .form(&[
            ("csrf", hidden(&queue, "csrf")),
            ("decision", "approve".into()),
            ("note", String::new()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), 303, "back to the queue where it was");
    assert_eq!(
        app.credited(&admin, doctor).await["online"]["credited_minutes"],
        45
    );
    let bad = Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("kind", "online")
        .text("occurred_on", "2099-01-01")
        .text("minutes", "45");
    let refused = phone
        .post(app.url("/study"))
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("未来"));
}

async fn the_instructors_session_page_shows_a_live_code_the_doctor_uses(backend: Backend) {
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
    let teacher = app
        .post("/api/v1/instructors", &admin, json!({"name": "李老师", "region_code": "370402", "username": "li.teacher", "password": PASSWORD}))
        .await
        .json();
    let session = app
        .running_session(&admin, "370402", &[teacher["id"].as_i64().unwrap()], 5)
        .await;

    let teacher_page = fetch(
        &app,
        &browser_for(&app, "li.teacher").await,
        &format!("/sessions/{session}"),
    )
    .await;
    let code = teacher_page
        .split("<p class=\"code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 6);
    assert!(
        teacher_page.contains("data:image/svg+xml") && teacher_page.contains("/static/checkin.js")
    );

    let phone = browser_for(&app, "doc.wang").await;
    let form = fetch(&app, &phone, &format!("/checkin/{session}?code={code}")).await;
    assert!(
        form.contains(&format!("value=\"{code}\"")),
        "the QR link fills the code in"
    );
    let done = phone
        .post(app.url(&format!("/checkin/{session}")))
        .form(&[("csrf", hidden(&form, "csrf")), ("code", code.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("签到成功"));
    let again = phone
        .post(app.url(&format!("/checkin/{session}")))
        .form(&[("csrf", hidden(&form, "csrf")), ("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
}

async fn the_progress_page_draws_the_distribution_and_filters(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (behind, _) = app
        .doctor(&admin, program, "37040219800101123", "370402", None)
        .await;
    let (done, _) = app
        .doctor(&admin, program, "37040219900101123", "370402", None)
        .await;
    let record = |doctor: i64, kind: &str, minutes: i32, date: String| json!({"doctor_id": doctor, "kind": kind, "minutes": minutes, "occurred_on": date});
    let mut arrange = vec![record(behind, "online", 600, "2026-10-01".into())];
    // Every requirement met (158 h online, 60 h centralized, 60 h shadowing), a day at a
    // time: this doctor is on schedule whatever the date.
    for (kind, total, first_day) in [
        ("online", 9480, 1),
        ("centralized", 3600, 10),
        ("shadowing", 3600, 15),
    ] {
        let mut left = total;
        let mut d = first_day;
        while left > 0 {
            let minutes = left.min(1440);
            arrange.push(record(done, kind, minutes, format!("2026-09-{d:02}")));
            left -= minutes;
            d += 1;
        }
    }
    for body in arrange {
        let r = app.post("/api/v1/study-records", &admin, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    let desk = browser_for(&app, "shizhong").await;
    let page = fetch(&app, &desk, "/progress").await;
    assert!(
        page.contains("<svg") && page.contains("<rect"),
        "the chart is drawn on the server"
    );
    assert!(page.contains("测试学员") && page.contains("10/158"));
    assert!(
        page.contains("在岗学员 2 人，学时达标 1 人，进度落后 1 人"),
        "the counts are of the whole table"
    );
    assert!(
        page.contains(&format!("/progress/{behind}\""))
            && page.contains(&format!("/progress/{done}\""))
    );

    let filtered = fetch(&app, &desk, "/progress?behind=true").await;
    assert!(
        filtered.contains(&format!("/progress/{behind}\"")),
        "the doctor behind schedule is listed"
    );
    assert!(
        !filtered.contains(&format!("/progress/{done}\"")),
        "the doctor whose hours are met is not"
    );
    assert!(
        filtered.contains("在岗学员 2 人，学时达标 1 人，进度落后 1 人"),
        "the chart and counts still describe everyone"
    );
}
