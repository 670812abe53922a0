//! The question-bank pages speak Chinese, not codes: area and type names, 内置题库 for
//! `core`, 正确 / 错误 for true/false keys; and they list every fault of a refused file
//! and every warning of an imported one.

use cunyi::auth::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    the_bank_page_shows_names_not_codes,
    a_question_page_shows_names_not_codes,
    the_bank_page_lists_every_fault_and_every_warning,
);

async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn attr(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// A county admin's browser, logged in.
async fn county_browser(app: &TestApp) -> reqwest::Client {
    app.accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, form) = fetch(app, &client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "shizhong"),
            ("password", PASSWORD),
            ("csrf", &attr(&form, "name=\"csrf\" value=\"")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

/// The page's text without its markup's attribute values (codes may live in `value=`).
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

async fn the_bank_page_shows_names_not_codes(backend: Backend) {
    let app = spawn(backend).await;
    let county = county_browser(&app).await;
    let (status, page) = fetch(&app, &county, "/bank").await;
    assert_eq!(status, 200);
    let text = visible(&page);
    for name in [
        "内置题库",
        "A1 型题（单句型最佳选择题）",
        "B1 型题（标准配伍题）",
        "X 型题（多项选择题）",
        "判断题",
        "基本公共卫生服务（含传染病防控与处置）",
    ] {
        assert!(text.contains(name), "{name} missing");
    }
    for code in ["core", " TF ", "public_health", "policy_law"] {
        assert!(!text.contains(code), "{code} shown: {text}");
    }
}

async fn a_question_page_shows_names_not_codes(backend: Backend) {
    let app = spawn(backend).await;
    let county = county_browser(&app).await;
    let (shipped, _) = cunyi::bank::files::shipped();
    let tf = shipped
        .iter()
        .find(|q| q.qtype == cunyi::bank::QType::TF && q.area == "public_health")
        .unwrap();
    let (status, page) = fetch(&app, &county, &format!("/bank/questions/{}", tf.qid)).await;
    assert_eq!(status, 200);
    let text = visible(&page);
    let key = if tf.answer == "T" { "正确" } else { "错误" };
    assert!(text.contains(&format!("标准答案： {key}")), "{text}");
    for name in ["判断题", "内置题库", "公共卫生", "基本公共卫生服务"] {
        assert!(text.contains(name), "{name} missing: {text}");
    }
    for code in ["core", "public_health", "TF"] {
        assert!(!text.contains(code), "{code} shown: {text}");
    }
}

async fn the_bank_page_lists_every_fault_and_every_warning(backend: Backend) {
    let app = spawn(backend).await;
    let county = county_browser(&app).await;
    let (_, page) = fetch(&app, &county, "/bank").await;
    let csrf = attr(&page, "name=\"csrf\" value=\"");
    let send = |format: &'static str, bytes: String| {
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("format", format)
            .text("area", "diagnostics")
            .text("collection", "page-faults")
            .part("file", Part::bytes(bytes.into_bytes()).file_name("f"));
        county.post(app.url("/bank")).multipart(form).send()
    };
    let bad = send(
        "aiken",
        "题一\nA. 甲\nB. 乙\nANSWER: Q\n\n题二\nA. 甲\nC. 乙\nANSWER: A\n".into(),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = visible(&bad.text().await.unwrap());
    assert!(text.contains("文件有 2 处错误"), "{text}");
    assert!(
        text.contains("第 4 行") && text.contains("第 8 行"),
        "{text}"
    );
    let xml = "<quiz><question type=\"multichoice\"><name><text>图</text></name>\
               <questiontext format=\"html\"><text>&lt;p&gt;看图&lt;img src=\"@@PLUGINFILE@@/a.png\"&gt;判断&lt;/p&gt;</text></questiontext>\
               <answer fraction=\"100\"><text>甲</text></answer><answer fraction=\"0\"><text>乙</text></answer></question></quiz>";
    let ok = send("moodle_xml", xml.into()).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let text = visible(&ok.text().await.unwrap());
    assert!(text.contains("新增 1 题"), "{text}");
    assert!(
        text.contains("内容有改动") && text.contains("图片已删除"),
        "{text}"
    );
}
