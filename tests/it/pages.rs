//! The pages through a browser-like client: login with CSRF, the landing page of each
//! role (every link answers), forms that show errors in Chinese, logout.

use cunyi::auth::Role;
use reqwest::StatusCode;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    each_role_lands_on_a_page_whose_links_all_work,
    login_without_the_forms_csrf_token_is_refused,
    pages_without_a_session_redirect_to_login_and_back,
    a_wrong_password_shows_the_form_again_in_chinese,
    the_create_user_form_reports_errors_and_creates,
    logout_ends_the_session,
    cookie_sessions_cannot_call_the_api_without_the_csrf_header,
    the_home_page_shows_the_previous_login_not_this_one,
);

/// A browser: keeps cookies, does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Every `href="/…"` of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/'))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// GET a page and read its HTML.
async fn fetch(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {html}");
    html
}

async fn log_in(app: &TestApp, client: &reqwest::Client, username: &str) -> reqwest::Response {
    let form = fetch(app, client, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &hidden(&form, "csrf")),
            ("next", "/home"),
        ])
        .send()
        .await
        .unwrap()
}

async fn each_role_lands_on_a_page_whose_links_all_work(backend: Backend) {
    let app = spawn(backend).await;
    let accounts = [
        ("root", Role::Sysadmin, "370000"),
        ("zaozhuang", Role::CityAdmin, "370400"),
        ("shizhong", Role::CountyAdmin, "370402"),
        ("teacher", Role::Instructor, "370402"),
        ("doctor", Role::Doctor, "370402"),
    ];
    for (name, role, region) in accounts {
        app.user(name).role(role).region(region).create();
        let client = browser();
        let logged_in = log_in(&app, &client, name).await;
        assert_eq!(logged_in.status(), StatusCode::SEE_OTHER, "{name}");
        assert_eq!(logged_in.headers()["location"], "/home");

        let home = client.get(app.url("/home")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let html = home.text().await.unwrap();
        assert!(
            html.contains(&format!("测试{name}")),
            "{name}: the user is shown"
        );
        assert!(html.contains(role.label()), "{name}: the role is shown");
        assert!(html.contains("山东省"), "{name}: the region is shown");
        let hrefs = links(&html);
        assert!(hrefs.contains(&"/account".to_owned()));
        assert_eq!(
            hrefs.contains(&"/users".to_owned()),
            role.is_admin(),
            "{name}"
        );
        assert_eq!(
            hrefs.contains(&"/audit".to_owned()),
            role == Role::Sysadmin,
            "{name}"
        );
        for href in hrefs {
            let r = client.get(app.url(&href)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{name}: {href} is a dead end");
        }
    }
}

async fn login_without_the_forms_csrf_token_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    app.user("doctor").create();
    let client = browser();
    client.get(app.url("/login")).send().await.unwrap();

    let forged = client
        .post(app.url("/login"))
        .form(&[
            ("username", "doctor"),
            ("password", PASSWORD),
            ("csrf", "0000"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(forged.status(), 403);
    assert!(
        forged
            .headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("cunyi_session=e"))
    );
    assert_eq!(
        client.get(app.url("/home")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

async fn pages_without_a_session_redirect_to_login_and_back(backend: Backend) {
    let app = spawn(backend).await;
    app.user("shizhong")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();
    let client = browser();

    let bounced = client.get(app.url("/users?page=2")).send().await.unwrap();
    assert_eq!(bounced.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        bounced.headers()["location"],
        "/login?next=/users%3Fpage%3D2"
    );

    let form = fetch(&app, &client, "/login?next=/users%3Fpage%3D2").await;
    assert_eq!(hidden(&form, "next"), "/users?page=2");
    let evil = fetch(&app, &client, "/login?next=//evil.example").await;
    assert_eq!(hidden(&evil, "next"), "/home", "no open redirect");
}

async fn a_wrong_password_shows_the_form_again_in_chinese(backend: Backend) {
    let app = spawn(backend).await;
    app.user("doctor").create();
    let client = browser();
    let form = fetch(&app, &client, "/login").await;

    let reply = client
        .post(app.url("/login"))
        .form(&[
            ("username", "doctor"),
            ("password", "wrong-pass-1"),
            ("csrf", &hidden(&form, "csrf")),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(reply.status(), 401);
    let html = reply.text().await.unwrap();
    assert!(html.contains("用户名或密码错误"));
    assert!(html.contains("value=\"doctor\""), "the username is kept");
}

async fn the_create_user_form_reports_errors_and_creates(backend: Backend) {
    let app = spawn(backend).await;
    app.user("shizhong")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();
    let client = browser();
    log_in(&app, &client, "shizhong").await;
    let form = fetch(&app, &client, "/users/new").await;
    let csrf = hidden(&form, "csrf");
    assert!(
        !form.contains("value=\"city_admin\""),
        "only creatable roles are offered"
    );
    let users = app.user_count();

    let bad = client
        .post(app.url("/users/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "x"),
            ("password", "1"),
            ("display_name", "王"),
            ("role", "doctor"),
            ("region_code", "370402"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("用户名应为 3–32 个字符") && html.contains("密码至少 8 个字符"));
    assert!(html.contains("value=\"王\""), "values are kept");
    assert_eq!(app.user_count(), users);

    let no_csrf = client
        .post(app.url("/users/new"))
        .form(&[
            ("username", "doc.li"),
            ("password", "pass-2026"),
            ("display_name", "李"),
            ("role", "doctor"),
            ("region_code", "370402"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);

    let good = client
        .post(app.url("/users/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "doc.li"),
            ("password", "pass-2026"),
            ("display_name", "李医生"),
            ("role", "doctor"),
            ("region_code", "370402"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    let location = good.headers()["location"].to_str().unwrap().to_owned();
    let detail = fetch(&app, &client, &location).await;
    assert!(detail.contains("李医生") && detail.contains("停用账号"));
}

async fn logout_ends_the_session(backend: Backend) {
    let app = spawn(backend).await;
    app.user("doctor").create();
    let client = browser();
    log_in(&app, &client, "doctor").await;
    let home = fetch(&app, &client, "/home").await;

    let out = client
        .post(app.url("/logout"))
        .form(&[("csrf", hidden(&home, "csrf"))])
        .send()
        .await
        .unwrap();

    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client.get(app.url("/home")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

async fn cookie_sessions_cannot_call_the_api_without_the_csrf_header(backend: Backend) {
    let app = spawn(backend).await;
    app.user("doctor").create();
    let client = browser();
    log_in(&app, &client, "doctor").await;
    let home = fetch(&app, &client, "/home").await;
    let csrf = hidden(&home, "csrf");

    let read = client.get(app.url("/api/v1/me")).send().await.unwrap();
    let write = client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    let write_with_header = client
        .post(app.url("/api/v1/auth/logout"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();

    assert_eq!(read.status(), 200);
    assert_eq!(write.status(), 403);
    assert_eq!(write_with_header.status(), 204);
}

async fn the_home_page_shows_the_previous_login_not_this_one(backend: Backend) {
    let app = spawn(backend).await;
    app.user("doctor").create();
    let first = browser();
    log_in(&app, &first, "doctor").await;
    let html = fetch(&app, &first, "/home").await;
    assert!(html.contains("首次登录"), "first login");

    let second = browser();
    log_in(&app, &second, "doctor").await;
    let html = fetch(&app, &second, "/home").await;
    assert!(!html.contains("首次登录"));
    assert!(html.contains(&cunyi::time::today_cst().format("%Y-%m-%d").to_string()));
}
