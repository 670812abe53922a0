//! Findings of the outside probe (issue 9), each reproduced and shown fixed: no request
//! can starve the server of memory, the login throttle cannot be raced, forwarded
//! addresses cannot be chosen by the client, and personal data is not cached.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestDb, config_for, spawn, spawn_on};

both_backends!(
    simultaneous_logins_cannot_race_past_the_throttle,
    a_client_cannot_choose_its_forwarded_address,
    personal_data_is_never_cached_and_https_is_pinned,
    a_form_cannot_carry_unbounded_fields,
    metrics_count_requests_by_route_pattern,
    attendance_lists_do_not_name_doctors_out_of_reach,
    login_never_redirects_off_site,
);

/// `/login?next=/%09/evil.example` sent a logged-in user to another site (browsers drop
/// the tab); CR/LF in `next` answered 500.
async fn login_never_redirects_off_site(backend: Backend) {
    let app = spawn(backend).await;
    app.user("doc").create();
    let token = app.login("doc").await;
    for next in [
        "/%09/evil.example",
        "/%0d%0aSet-Cookie:%20x=1",
        "//evil.example",
        "/exams",
    ] {
        let r = app
            .api
            .get(app.url(&format!("/login?next={next}")))
            .header("cookie", format!("cunyi_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let expected = if next == "/exams" { "/exams" } else { "/home" };
        assert_eq!(location, expected, "{next}");
    }
}

/// `POST /sessions/{own}/attendance {"doctor_ids":[X]}` named doctor X anywhere in the
/// province while `GET /doctors/X` was 404. Now X is refused exactly like an id that
/// does not exist.
async fn attendance_lists_do_not_name_doctors_out_of_reach(backend: Backend) {
    use cunyi::auth::Role;
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let foreign = app
        .post(
            "/api/v1/doctors",
            &tokens[1],
            json!({"name": "欧阳秘密", "id_number": crate::support::id_number("37040319800101123"),
                   "phone": "13800138001", "education": "secondary",
                   "qualification": "village_doctor_cert", "region_code": "370403",
                   "program_id": program, "cohort_year": 2026}),
        )
        .await;
    assert_eq!(foreign.status, 201, "{}", foreign.text);
    let foreign = foreign.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/doctors/{foreign}"), &tokens[0])
            .await
            .status,
        404
    );
    let session = app.running_session(&tokens[0], "370402", &[], 10).await;
    let path = format!("/api/v1/sessions/{session}/attendance");
    let seen = app
        .post(&path, &tokens[0], json!({"doctor_ids": [foreign]}))
        .await;
    let missing = app
        .post(&path, &tokens[0], json!({"doctor_ids": [999_999]}))
        .await;
    assert_eq!(seen.status, 422, "{}", seen.text);
    assert!(!seen.text.contains("欧阳秘密"), "{}", seen.text);
    let message = |r: &crate::support::Reply| {
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .replace(&foreign.to_string(), "N")
            .replace("999999", "N")
    };
    assert_eq!(
        message(&seen),
        message(&missing),
        "indistinguishable from a missing id"
    );
}

/// `/metrics`: Prometheus text, routes by pattern (no ids), the pool; a token when set.
async fn metrics_count_requests_by_route_pattern(backend: Backend) {
    let db = TestDb::new(backend);
    let app = spawn_on(db, |db| {
        let mut c = config_for(&db.url);
        c.metrics_token = Some(cunyi::config::Secret::new("scrape-me".into()));
        c
    })
    .await;
    app.user("admin")
        .role(cunyi::auth::Role::CountyAdmin)
        .create();
    let token = app.login("admin").await;
    for id in [1, 2, 3] {
        let r = app.get(&format!("/api/v1/doctors/{id}"), &token).await;
        assert_eq!(r.status, 404);
    }
    let anonymous = app.api.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let text = app
        .api
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "cunyi_http_requests_total{method=\"GET\",route=\"/api/v1/doctors/{id}\",status=\"404\"} 3"
        ),
        "{text}"
    );
    assert!(text.contains("cunyi_http_request_duration_seconds_bucket"));
    assert!(text.contains("cunyi_db_pool_size 4"));
    assert!(
        !text.contains("/api/v1/doctors/1\""),
        "no concrete ids in series"
    );
}

/// 60 logins to one account at once, 59 wrong and the right one among them: before the
/// fix all were checked (59 × 401 and a way in). Now at most the limit (5) reach the
/// password check; the others are refused with 429 whatever they carry.
async fn simultaneous_logins_cannot_race_past_the_throttle(backend: Backend) {
    let app = spawn(backend).await;
    app.user("target").create();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (client, url) = (app.api.clone(), app.url("/api/v1/auth/login"));
        let password = if i == 30 {
            PASSWORD.to_owned()
        } else {
            format!("wrong-{i}-x")
        };
        tasks.push(actix_web::rt::spawn(async move {
            client
                .post(url)
                .json(&json!({ "username": "target", "password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut checked = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK | StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        checked <= 5,
        "{checked} attempts reached the password check"
    );
    assert_eq!(checked + throttled, 60);
    // And the account is locked now, even for the right password.
    assert_eq!(app.login_reply("target", PASSWORD).await.status, 429);
}

/// With `CUNYI_TRUST_FORWARDED`, the left-most `X-Forwarded-For` hop used to be taken:
/// rotating it defeated the per-client throttle and wrote invented addresses into the
/// audit log. Now the right-most hop not added by a trusted proxy is the client.
async fn a_client_cannot_choose_its_forwarded_address(backend: Backend) {
    let db = TestDb::new(backend);
    let app = spawn_on(db, |db| {
        let mut c = config_for(&db.url);
        c.trust_forwarded = true;
        c
    })
    .await;
    let mut last = StatusCode::OK;
    for i in 0..31 {
        // Each try claims another origin on the left; the proxy (our TCP peer) appended
        // the real one on the right.
        let reply = app
            .api
            .post(app.url("/api/v1/auth/login"))
            .header(
                "x-forwarded-for",
                format!("10.9.{}.{}, 203.0.113.7", i / 200, i % 200),
            )
            .json(&json!({ "username": format!("nobody{i}"), "password": "wrong-pass-1" }))
            .send()
            .await
            .unwrap();
        last = reply.status();
    }
    assert_eq!(
        last, 429,
        "30 failures from one client lock it, whatever it claims"
    );
    use cunyi::db::schema::audit_log::dsl::*;
    use diesel::prelude::*;
    let clients: Vec<Option<String>> = app.with_settled(|c| {
        audit_log
            .filter(action.eq("auth.login_failed"))
            .select(client)
            .load(c)
            .unwrap()
    });
    assert!(!clients.is_empty());
    assert!(
        clients.iter().all(|c| c.as_deref() == Some("203.0.113.7")),
        "{clients:?}"
    );
}

/// Personal-data JSON carried no `Cache-Control`; with `CUNYI_COOKIE_SECURE=true` there
/// was no HSTS.
async fn personal_data_is_never_cached_and_https_is_pinned(backend: Backend) {
    let db = TestDb::new(backend);
    let app = spawn_on(db, |db| {
        let mut c = config_for(&db.url);
        c.cookie_secure = true;
        c
    })
    .await;
    app.user("admin")
        .role(cunyi::auth::Role::CountyAdmin)
        .create();
    let token = app.login("admin").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("cache-control"), "no-store");
    assert!(
        me.header("strict-transport-security")
            .starts_with("max-age="),
        "{:?}",
        me.headers
    );
    let css = app
        .api
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    let cc = css.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cc.starts_with("public"), "assets stay cacheable: {cc}");
}

/// 180 MB of non-file multipart fields were read before any check. Now a form has at
/// most 32 parts and 64 KB of text.
async fn a_form_cannot_carry_unbounded_fields(backend: Backend) {
    let app = spawn(backend).await;
    app.user("admin")
        .role(cunyi::auth::Role::CountyAdmin)
        .create();
    let token = app.login("admin").await;
    let before = app.doctor_count();
    let mut form = reqwest::multipart::Form::new();
    for i in 0..100 {
        form = form.text(format!("f{i}"), "x".repeat(4000));
    }
    let reply = app
        .api
        .post(app.url("/api/v1/doctors/import?dry_run=false"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 413);
    assert_eq!(app.doctor_count(), before, "nothing written");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// 150 parallel logins for unknown users took the process to 1.3 GB: each argon2 hash
/// takes 19 MiB and nothing bounded them. Now hashing passes a gate sized to a memory
/// budget; with a budget of one hash and no queueing, a burst is refused with 503 and
/// `Retry-After` instead of being hashed all at once.
#[actix_web::test]
async fn password_hashing_is_bounded_by_a_memory_budget() {
    let db = TestDb::new(Backend::Sqlite);
    let port = free_port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_cunyi"))
            .arg("serve")
            .env("CUNYI_DATABASE_URL", &db.url)
            .env("CUNYI_BIND", format!("127.0.0.1:{port}"))
            .env("CUNYI_JWT_SECRET", crate::support::JWT_SECRET)
            .env("CUNYI_ID_KEY", crate::support::ID_KEY)
            .env("CUNYI_PASSWORD_MEMORY_MB", "19")
            .env("CUNYI_PASSWORD_QUEUE_SECS", "0")
            .env("CUNYI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not start");
    let mut tasks = Vec::new();
    // Fewer than the 30 failures that lock a client address.
    for i in 0..25 {
        let (client, url) = (client.clone(), format!("{base}/api/v1/auth/login"));
        tasks.push(actix_web::rt::spawn(async move {
            let r = client
                .post(url)
                .json(&json!({ "username": format!("ghost{i}"), "password": "wrong-pass-1" }))
                .send()
                .await
                .unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (r.status(), retry)
        }));
    }
    let mut busy = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            (StatusCode::SERVICE_UNAVAILABLE, retry) => {
                assert_eq!(retry.as_deref(), Some("1"));
                busy += 1;
            }
            (StatusCode::UNAUTHORIZED, _) => refused += 1,
            (other, _) => panic!("unexpected {other}"),
        }
    }
    assert!(refused >= 1, "some are hashed");
    assert!(
        busy >= 1,
        "a burst beyond the budget is refused, not hashed at once"
    );
}

fn serve(db_url: &str, port: u16) -> Server {
    Server(
        Command::new(env!("CARGO_BIN_EXE_cunyi"))
            .arg("serve")
            .env("CUNYI_DATABASE_URL", db_url)
            .env("CUNYI_BIND", format!("127.0.0.1:{port}"))
            .env("CUNYI_JWT_SECRET", crate::support::JWT_SECRET)
            .env("CUNYI_ID_KEY", crate::support::ID_KEY)
            .env("CUNYI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// Two `serve` processes started together on a fresh PostgreSQL database: the second
/// died (3 of 3) on a duplicate key while loading the shipped regions. Now the loading of
/// shipped data is serialised with the migrations: three start together and all serve.
#[actix_web::test]
async fn three_instances_start_together_on_a_fresh_database() {
    if !Backend::Postgres.available() {
        return;
    }
    let db = TestDb::new(Backend::Postgres);
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut servers: Vec<Server> = ports.iter().map(|p| serve(&db.url, *p)).collect();
    let client = reqwest::Client::new();
    for (server, port) in servers.iter_mut().zip(&ports) {
        let mut ready = false;
        for _ in 0..600 {
            if let Some(status) = server.0.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = server.0.stderr.take() {
                    use std::io::Read as _;
                    let _ = e.read_to_string(&mut err);
                }
                panic!("instance on {port} exited ({status}): {err}");
            }
            if let Ok(r) = client
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                && r.status() == 200
            {
                ready = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "instance on {port} never became ready");
    }
}

/// A request whose head arrives slowly (a phone on a weak mobile signal) is still
/// served: actix's default gave up after 5 s with 408.
#[actix_web::test]
async fn a_slow_request_head_is_still_served() {
    use std::io::{Read, Write};
    let app = spawn(Backend::Sqlite).await;
    let host = app.addr.trim_start_matches("http://").to_owned();
    // Blocking I/O off the runtime that serves the app.
    let reply = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
        std::thread::sleep(Duration::from_secs(6));
        stream
            .write_all(format!("Host: {host}\r\nConnection: close\r\n\r\n").as_bytes())
            .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    })
    .await
    .unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}
