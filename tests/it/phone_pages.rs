//! The phone and desk pages that broke in a real browser (issue 9, items 14–17), as far
//! as the server decides them: the self-study form comes back with what was typed and
//! an alert; the approval queue is paged in SQL with its true total, newest first,
//! searchable, approves ticked rows in one all-or-nothing POST and returns to where the
//! reviewer was; the progress table's drill-down shows hours, pending items, records
//! and results; check-in is not offered twice; a doctor's record list is paged;
//! answers restored on a reload carry their "已保存" marks. (Layout and script
//! behaviour are checked in Chromium by `tests/browser/`.)

use cunyi::auth::Role;
use reqwest::StatusCode;
use reqwest::multipart::Form;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, id_number, spawn};

both_backends!(
    the_self_study_form_comes_back_with_the_typed_values_and_a_focused_alert,
    the_drill_down_shows_hours_pending_records_and_results,
    check_in_is_not_offered_again_and_the_record_list_is_paged,
    answers_restored_on_a_reload_are_marked_saved,
);

pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) async fn get(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

pub(crate) async fn ok(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (status, text) = get(app, client, path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    text
}

pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub(crate) async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let form = ok(app, &client, "/login").await;
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

/// A doctor with its own name and account; returns its id and token.
pub(crate) async fn named_doctor(
    app: &TestApp,
    admin: &str,
    program: i64,
    name: &str,
    first17: &str,
    region: &str,
    username: &str,
) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/doctors",
            admin,
            json!({"name": name, "id_number": id_number(first17), "phone": "13800138000",
                   "education": "secondary", "qualification": "village_doctor_cert",
                   "region_code": region, "program_id": program, "cohort_year": 2026}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    let a = app
        .post(
            &format!("/api/v1/doctors/{id}/account"),
            admin,
            json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    (id, app.login(username).await)
}

/// `n` self-reports of 30 minutes, a day apart from 2026-08-01; their ids in order.
pub(crate) async fn reports(app: &TestApp, token: &str, doctor: i64, n: usize) -> Vec<i64> {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let day = start + chrono::Duration::days(i as i64);
        let r = app
            .post(
                "/api/v1/study-records",
                token,
                json!({"doctor_id": doctor, "kind": "online", "minutes": 30, "occurred_on": day.to_string()}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    ids
}

pub(crate) fn status_of(app: &TestApp, id: i64) -> String {
    app.with_conn(|c| {
        cunyi::study::store::records::get(c, id)
            .unwrap()
            .unwrap()
            .status
            .as_str()
            .to_owned()
    })
}

/// The record ids of the queue page's rows, top to bottom.
pub(crate) fn row_ids(html: &str) -> Vec<i64> {
    html.split("<tr id=\"r-")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect()
}

pub(crate) fn count_audit(app: &TestApp, action: &str) -> usize {
    app.audit_actions().iter().filter(|a| *a == action).count()
}

pub(crate) async fn county(app: &TestApp) -> (String, i64) {
    let program = app.program("zaozhuang-2024");
    let admin = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    (admin, program)
}

async fn the_self_study_form_comes_back_with_the_typed_values_and_a_focused_alert(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
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
    let page = ok(&app, &phone, "/study").await;
    assert!(page.contains("/static/focus-alert.js"), "the focus script");
    assert!(
        !page.contains("data-focus-alert"),
        "no alert before an error"
    );

    let bad = Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("kind", "online")
        .text("occurred_on", "2001-03-05")
        .text("minutes", "45")
        .text("note", "乡镇卫生院集中授课");
    let refused = phone
        .post(app.url("/study"))
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(
            "id=\"log-error\" class=\"alert error\" role=\"alert\" tabindex=\"-1\" data-focus-alert"
        ),
        "one alert, focusable, for the script to focus"
    );
    let form = html.split("<form id=\"log\"").nth(1).unwrap();
    let alert_at = form.find("data-focus-alert").unwrap();
    assert!(
        alert_at < form.find("name=\"kind\"").unwrap(),
        "the alert heads the form"
    );
    assert!(
        form.contains("name=\"minutes\" value=\"45\""),
        "minutes kept"
    );
    assert!(
        form.contains("name=\"occurred_on\" value=\"2001-03-05\""),
        "date kept"
    );
    assert!(form.contains("value=\"乡镇卫生院集中授课\""), "note kept");
    assert!(
        form.contains("<option value=\"online\" selected>"),
        "kind kept"
    );
    assert!(
        html.contains("action=\"/study#log-error\""),
        "without the script too, the page opens at the alert (focused)"
    );
    let listed = app
        .get(&format!("/api/v1/study-records?doctor_id={doctor}"), &admin)
        .await;
    assert_eq!(listed.json()["total"], 0, "nothing written");
}

async fn the_drill_down_shows_hours_pending_records_and_results(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let (wang, token) = named_doctor(
        &app,
        &admin,
        program,
        "王秀英",
        "37040219800101123",
        "370402",
        "doc.wang",
    )
    .await;
    let ids = reports(&app, &token, wang, 25).await;
    let r = app
        .post(
            &format!("/api/v1/study-records/{}/approve", ids[0]),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let entered = app
        .post(
            "/api/v1/study-records",
            &admin,
            json!({"doctor_id": wang, "kind": "centralized", "minutes": 120, "occurred_on": "2026-10-10"}),
        )
        .await;
    assert_eq!(entered.status, 201, "{}", entered.text);

    let desk = browser_for(&app, "shizhong").await;
    let table = ok(&app, &desk, "/progress").await;
    assert!(
        table.contains(&format!("href=\"/progress/{wang}\"")),
        "the table leads to the drill-down"
    );
    let page = ok(&app, &desk, &format!("/progress/{wang}")).await;
    assert!(page.contains("王秀英"));
    assert!(
        page.contains("线上自学") && page.contains("0.5 / 158 小时"),
        "online hours against the requirement"
    );
    assert!(
        page.contains("集中培训") && page.contains("2 / 60 小时"),
        "centralized hours against the requirement"
    );
    assert!(
        page.contains("待审核（24 条，720 分钟）"),
        "the pending items"
    );
    assert!(page.contains("考试成绩") && page.contains("考核结果") && page.contains("结业"));
    assert!(page.contains("共 26 条"), "all the records, counted");
    assert_eq!(
        page.matches("<li><span class=\"when\">").count(),
        24 + 20,
        "the pending list and one page of 20 records"
    );
    let second = ok(&app, &desk, &format!("/progress/{wang}?page=2")).await;
    assert_eq!(second.matches("<li><span class=\"when\">").count(), 24 + 6);
    assert!(
        !page.contains("370402198001011"),
        "no ID number on the drill-down"
    );

    let (status, _) = get(
        &app,
        &browser_for(&app, "xuecheng").await,
        &format!("/progress/{wang}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another county's doctor");
    let _ = other;
    let (status, _) = get(
        &app,
        &browser_for(&app, "doc.wang").await,
        &format!("/progress/{wang}"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a doctor");
}

async fn check_in_is_not_offered_again_and_the_record_list_is_paged(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
    let (wang, token) = named_doctor(
        &app,
        &admin,
        program,
        "王秀英",
        "37040219800101123",
        "370402",
        "doc.wang",
    )
    .await;
    let teacher = app
        .post("/api/v1/instructors", &admin, json!({"name": "李老师", "region_code": "370402", "username": "li.teacher", "password": PASSWORD}))
        .await
        .json();
    let session = app
        .running_session(&admin, "370402", &[teacher["id"].as_i64().unwrap()], 5)
        .await;
    let phone = browser_for(&app, "doc.wang").await;
    let before = ok(&app, &phone, "/study").await;
    assert!(before.contains(&format!("href=\"/checkin/{session}\"")));

    let code = app.code_at(session, chrono::Utc::now().naive_utc());
    let form = ok(&app, &phone, &format!("/checkin/{session}")).await;
    assert!(
        form.contains("name=\"code\""),
        "the form before checking in"
    );
    let done = phone
        .post(app.url(&format!("/checkin/{session}")))
        .form(&[("csrf", hidden(&form, "csrf")), ("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    let after = ok(&app, &phone, "/study").await;
    assert!(
        !after.contains(&format!("href=\"/checkin/{session}\"")),
        "no second check-in offered"
    );
    assert!(after.contains("已签到"));
    let again = ok(&app, &phone, &format!("/checkin/{session}")).await;
    assert!(again.contains("您已签到") && !again.contains("name=\"code\""));

    // Twelve more records: the list shows ten, compact, with a pager.
    reports(&app, &token, wang, 12).await;
    let list = ok(&app, &phone, "/study").await;
    assert_eq!(list.matches("<li><span class=\"when\">").count(), 10);
    assert!(list.contains("共 13 条") && list.contains("page=2"));
    let rest = ok(&app, &phone, "/study?page=2").await;
    assert_eq!(rest.matches("<li><span class=\"when\">").count(), 3);
}

const GIFT: &str = "::p1::陈述一 {T}\n\n::p2::陈述二 {F}\n\n::p3::单选三 {=甲 ~乙 ~丙}\n";

async fn answers_restored_on_a_reload_are_marked_saved(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
    app.doctor(
        &admin,
        program,
        "37040219800101123",
        "370402",
        Some("doc.wang"),
    )
    .await;
    app.import_gift(&admin, "phone-test", GIFT).await;
    let now = chrono::Utc::now();
    let exam = app
        .post(
            "/api/v1/exams",
            &admin,
            json!({"title": "高血压规范管理与随访（第二单元）单元测试", "kind": "unit", "program_id": program,
                   "opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                   "closes_at": (now + chrono::Duration::hours(2)).to_rfc3339(),
                   "duration_minutes": 30, "pass_score": 3,
                   "blueprint": {"items": [
                       {"area": "public_health", "type": "TF", "collection": "phone-test", "count": 2, "points": 1},
                       {"area": "public_health", "type": "A1", "collection": "phone-test", "count": 1, "points": 2}]}}),
        )
        .await;
    assert_eq!(exam.status, 201, "{}", exam.text);
    let id = exam.json()["id"].as_i64().unwrap();
    let phone = browser_for(&app, "doc.wang").await;
    let list = ok(&app, &phone, "/exams").await;
    let started = phone
        .post(app.url(&format!("/exams/{id}/start")))
        .form(&[("csrf", hidden(&list, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    let attempt: i64 = location.trim_start_matches("/attempts/").parse().unwrap();
    let page = ok(&app, &phone, &location).await;
    assert!(page.contains("data-exam-bar"), "the one-line bar");
    assert!(
        !page.contains("data-q-state>已保存"),
        "nothing saved yet, nothing marked"
    );
    let paper = app.with_conn(|c| {
        cunyi::exams::store::get_attempt(c, attempt)
            .unwrap()
            .unwrap()
            .paper
            .into_items()
    });
    let first = &paper[0];
    let saved = phone
        .put(app.url(&format!(
            "/api/v1/attempts/{attempt}/answers/{}",
            first.question_id
        )))
        .header("X-CSRF-Token", hidden(&page, "csrf"))
        .json(&json!({"answer": first.answer}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::NO_CONTENT);
    let reloaded = ok(&app, &phone, &location).await;
    assert_eq!(
        reloaded.matches("data-q-state>已保存</p>").count(),
        1,
        "the saved answer is marked after a reload, the others are not"
    );
    let block = reloaded
        .split(&format!("data-qid=\"{}\"", first.question_id))
        .nth(1)
        .unwrap()
        .split("</fieldset>")
        .next()
        .unwrap();
    assert!(block.contains(" checked>") && block.contains("已保存"));
}
