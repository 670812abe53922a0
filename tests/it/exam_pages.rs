//! The exam and question-bank pages through a browser-like client.

use cunyi::auth::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    a_doctor_sits_an_exam_on_the_page_and_sees_the_result,
    a_bureau_sets_an_exam_on_the_page_and_reads_results_and_analysis,
    the_bank_page_imports_a_file_and_names_a_fault,
    the_manager_withdraws_or_closes_an_exam_from_its_page,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// A page that must answer 200.
async fn ok_page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (status, text) = fetch(app, client, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    text
}

fn attr(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn browser_for(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let form = ok_page(app, &client, "/login").await;
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

struct Scene {
    app: TestApp,
    program: i64,
    county: String,
    doctor: i64,
}

const GIFT: &str = "::p1::陈述一 {T####陈述一的解析文字。}\n\n::p2::陈述二 {F####陈述二的解析文字。}\n\n::p3::单选三 {=甲 ~乙 ~丙####单选三的解析文字。}\n";

async fn scene(backend: Backend) -> Scene {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let county = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let (doctor, _) = app
        .doctor(
            &county,
            program,
            "37040219800101123",
            "370402",
            Some("doc.wang"),
        )
        .await;
    app.import_gift(&county, "page-test", GIFT).await;
    Scene {
        app,
        program,
        county,
        doctor,
    }
}

async fn exam(s: &Scene, title: &str) -> i64 {
    let now = chrono::Utc::now();
    let r = s
        .app
        .post(
            "/api/v1/exams",
            &s.county,
            json!({"title": title, "kind": "unit", "program_id": s.program,
                   "opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                   "closes_at": (now + chrono::Duration::hours(2)).to_rfc3339(),
                   "duration_minutes": 30, "pass_score": 3,
                   "blueprint": {"items": [
                       {"area": "public_health", "type": "TF", "collection": "page-test", "count": 2, "points": 1},
                       {"area": "public_health", "type": "A1", "collection": "page-test", "count": 1, "points": 2}]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn a_doctor_sits_an_exam_on_the_page_and_sees_the_result(backend: Backend) {
    let s = scene(backend).await;
    let id = exam(&s, "高血压单元测试").await;
    let doctor = browser_for(&s.app, "doc.wang").await;
    let (status, list) = fetch(&s.app, &doctor, "/exams").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("高血压单元测试") && list.contains("开始答题"),
        "{list}"
    );
    let csrf = attr(&list, "name=\"csrf\" value=\"");
    let started = doctor
        .post(s.app.url(&format!("/exams/{id}/start")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    let attempt: i64 = location.trim_start_matches("/attempts/").parse().unwrap();

    let (status, page) = fetch(&s.app, &doctor, &location).await;
    assert_eq!(status, 200);
    assert!(page.contains("/static/attempt.js") && page.contains("data-remaining=\""));
    let remaining: i64 = attr(&page, "data-remaining=\"").parse().unwrap();
    assert!((1700..=1800).contains(&remaining), "{remaining}");
    for hidden in ["解析文字", "correct", "explanation"] {
        assert!(!page.contains(hidden), "the paper shows {hidden}");
    }
    assert!(page.contains("陈述一") && page.contains("单选三"));
    let (status, script) = fetch(&s.app, &doctor, "/static/attempt.js").await;
    assert_eq!(status, 200);
    assert!(script.contains("X-CSRF-Token") && script.contains("localStorage"));

    // The script's save: cookie plus the page's CSRF token; without the token, refused.
    let paper = s.app.with_conn(|c| {
        cunyi::exams::store::get_attempt(c, attempt)
            .unwrap()
            .unwrap()
            .paper
            .into_items()
    });
    let token = attr(&page, "data-csrf=\"");
    let first = &paper[0];
    let url = s.app.url(&format!(
        "/api/v1/attempts/{attempt}/answers/{}",
        first.question_id
    ));
    let saved = doctor
        .put(&url)
        .header("X-CSRF-Token", &token)
        .json(&json!({"answer": first.answer}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::NO_CONTENT);
    let forged = doctor
        .put(&url)
        .json(&json!({"answer": first.answer}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // A reload shows the saved choice checked.
    let reloaded = ok_page(&s.app, &doctor, &location).await;
    assert!(reloaded.contains(" checked>"));

    // The form sends the rest (one wrong) and submits.
    let mut form: Vec<(String, String)> =
        vec![("csrf".into(), attr(&page, "name=\"csrf\" value=\""))];
    for item in &paper[1..] {
        let answer = if item.qtype == cunyi::bank::QType::A1 {
            item.options
                .iter()
                .find(|o| o.key != item.answer)
                .unwrap()
                .key
                .clone()
        } else {
            item.answer.clone()
        };
        form.push((format!("q:{}", item.question_id), answer));
    }
    let done = doctor
        .post(s.app.url(&format!("/attempts/{attempt}/submit")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let result = ok_page(&s.app, &doctor, &location).await;
    let expected: cunyi::points::Points = paper
        .iter()
        .filter(|i| i.qtype != cunyi::bank::QType::A1)
        .map(|i| i.points)
        .sum();
    assert!(
        result.contains(&format!("{expected} <span")),
        "score {expected}: {result}"
    );
    assert!(result.contains("不合格"), "2 < 3");
    assert!(
        result.contains("解析文字"),
        "no attempt left: the review explains"
    );
    let list = ok_page(&s.app, &doctor, "/exams").await;
    assert!(list.contains("查看成绩"));
    // The county sees the attempt; the doctor may not see another's.
    let county = browser_for(&s.app, "shizhong").await;
    let (status, results) = fetch(&s.app, &county, &format!("/exams/{id}/results")).await;
    assert_eq!(status, 200);
    assert!(results.contains(&format!("/roster/{}", s.doctor)));
}

async fn a_bureau_sets_an_exam_on_the_page_and_reads_results_and_analysis(backend: Backend) {
    let s = scene(backend).await;
    let county = browser_for(&s.app, "shizhong").await;
    let (status, form) = fetch(&s.app, &county, "/exams/new").await;
    assert_eq!(status, 200);
    let csrf = attr(&form, "name=\"csrf\" value=\"");
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    let at = |h: i64| {
        (now + chrono::Duration::hours(h))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("title".into(), "页面建的考试".into()),
        ("kind".into(), "unit".into()),
        ("program_id".into(), s.program.to_string()),
        ("opens_at".into(), at(-1)),
        ("closes_at".into(), at(2)),
        ("duration_minutes".into(), "20".into()),
        ("pass_score".into(), "1".into()),
        ("attempts_allowed".into(), "1".into()),
        ("x_scoring".into(), "all_or_nothing".into()),
        ("area_0".into(), "public_health".into()),
        ("type_0".into(), "TF".into()),
        ("count_0".into(), "900".into()),
        ("points_0".into(), "1".into()),
    ];
    let bad = county
        .post(s.app.url("/exams/new"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = bad.text().await.unwrap();
    assert!(text.contains("组卷规则第 1 条"), "{text}");
    assert!(
        text.contains("页面建的考试"),
        "the form keeps what was typed"
    );
    fields[12].1 = "2".into();
    let ok = county
        .post(s.app.url("/exams/new"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let list = ok_page(&s.app, &county, "/exams").await;
    assert!(list.contains("页面建的考试"));
    let id: i64 = s.app.with_conn(|c| {
        use diesel::prelude::*;
        cunyi::db::schema::exams::table
            .select(cunyi::db::schema::exams::id)
            .first(c)
            .unwrap()
    });

    let (status, analysis) = fetch(&s.app, &county, &format!("/exams/{id}/analysis")).await;
    assert_eq!(status, 200);
    assert!(analysis.contains("还没有交卷的作答"));
    // One doctor sits it through the API; the page then charts its items.
    let token = s.app.login("doc.wang").await;
    let a = s
        .app
        .post(&format!("/api/v1/exams/{id}/attempts"), &token, json!({}))
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let attempt = a.json()["id"].as_i64().unwrap();
    let submitted = s
        .app
        .post(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    let analysis = ok_page(&s.app, &county, &format!("/exams/{id}/analysis")).await;
    assert!(
        analysis.contains("<svg") && analysis.matches("<circle").count() == 2,
        "{analysis}"
    );
    // Each analysed item links to the question in full, with its key.
    let link = attr(&analysis, "<a href=\"/bank/questions/");
    let (status, question) = fetch(&s.app, &county, &format!("/bank/questions/{link}")).await;
    assert_eq!(status, 200);
    assert!(
        question.contains("标准答案") && question.contains("解析："),
        "{question}"
    );
    let (status, _) = fetch(&s.app, &county, "/bank/questions/no-such-question").await;
    assert_eq!(status, 404);
    // The results as a spreadsheet.
    let sheet = county
        .get(s.app.url(&format!("/api/v1/exams/{id}/results.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), StatusCode::OK);
    let bytes = sheet.bytes().await.unwrap();
    let read = cunyi::sheet::read(&bytes, &cunyi::sheet::Limits::default()).unwrap();
    assert_eq!(read.rows.len(), 1);
    assert_eq!(read.headers[0], "学员");
    let doctor = browser_for(&s.app, "doc.wang").await;
    let (status, _) = fetch(&s.app, &doctor, &format!("/exams/{id}/analysis")).await;
    assert_eq!(status, 403);
    let (status, _) = fetch(&s.app, &doctor, "/exams/new").await;
    assert_eq!(status, 403);
    let (status, _) = fetch(&s.app, &doctor, &format!("/bank/questions/{link}")).await;
    assert_eq!(status, 403);
}

async fn the_bank_page_imports_a_file_and_names_a_fault(backend: Backend) {
    let s = scene(backend).await;
    let county = browser_for(&s.app, "shizhong").await;
    let (status, page) = fetch(&s.app, &county, "/bank").await;
    assert_eq!(status, 200);
    assert!(page.contains("题库（"));
    let csrf = attr(&page, "name=\"csrf\" value=\"");
    let send = |bytes: &'static str| {
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("format", "aiken")
            .text("area", "emergency")
            .text("collection", "page-aiken")
            .part(
                "file",
                Part::bytes(bytes.as_bytes().to_vec()).file_name("a.txt"),
            );
        county.post(s.app.url("/bank")).multipart(form).send()
    };
    let ok = send("心搏骤停时胸外按压的频率是\nA. 60–80 次/分\nB. 100–120 次/分\nC. 140–160 次/分\nANSWER: B\n").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("新增 1 题"));
    let bad = send("题目\nA. 甲\nB. 乙\n").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("第 1 行"));
    let doctor = browser_for(&s.app, "doc.wang").await;
    assert_eq!(fetch(&s.app, &doctor, "/bank").await.0, 403);
}

/// Issue 13 on the manager's exam page: an exam nobody started offers 撤回考试, one
/// with attempts 提前结束; each button posts with the page's CSRF token and comes back.
async fn the_manager_withdraws_or_closes_an_exam_from_its_page(backend: Backend) {
    let s = scene(backend).await;
    let mistake = exam(&s, "误建的考试").await;
    let running = exam(&s, "进行中的考试").await;
    let token = s.app.login("doc.wang").await;
    let a = s
        .app
        .post(
            &format!("/api/v1/exams/{running}/attempts"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let county = browser_for(&s.app, "shizhong").await;

    let (status, page) = fetch(&s.app, &county, &format!("/exams/{mistake}/results")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("action=\"/exams/{mistake}/withdraw\"")),
        "{page}"
    );
    let csrf = attr(&page, "name=\"csrf\" value=\"");
    let r = county
        .post(s.app.url(&format!("/exams/{mistake}/withdraw")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, page) = fetch(&s.app, &county, &format!("/exams/{mistake}/results")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("本考试已撤回") && !page.contains("撤回考试"),
        "{page}"
    );
    let (status, list) = fetch(&s.app, &county, "/exams").await;
    assert_eq!(status, 200);
    assert!(list.contains("已撤回"), "{list}");
    let doctor = browser_for(&s.app, "doc.wang").await;
    let (status, list) = fetch(&s.app, &doctor, "/exams").await;
    assert_eq!(status, 200);
    assert!(
        !list.contains("误建的考试") && list.contains("进行中的考试"),
        "{list}"
    );

    let (status, page) = fetch(&s.app, &county, &format!("/exams/{running}/results")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("action=\"/exams/{running}/close\""))
            && !page.contains(&format!("action=\"/exams/{running}/withdraw\"")),
        "someone has started: close, not withdraw: {page}"
    );
    let without_csrf = county
        .post(s.app.url(&format!("/exams/{running}/close")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_ne!(without_csrf.status(), StatusCode::SEE_OTHER);
    let r = county
        .post(s.app.url(&format!("/exams/{running}/close")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, page) = fetch(&s.app, &county, &format!("/exams/{running}/results")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("提前结束"), "closed: {page}");
    assert_eq!(s.app.last_audit("exam.closed")["open_attempts_cut"], 1);
}
