//! Login, throttling, logout, token checks, password change.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cunyi::auth::Role;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::both_backends;
use crate::support::{Backend, JWT_SECRET, PASSWORD, spawn};

both_backends!(
    login_answers_token_expiry_and_user,
    wrong_password_and_unknown_user_get_the_same_401,
    repeated_failures_are_throttled_even_with_the_right_password,
    logout_revokes_the_token_at_once,
    a_disabled_users_token_stops_working,
    forged_and_expired_tokens_are_refused_and_audited,
    login_with_missing_fields_is_422_and_writes_nothing,
    a_password_change_revokes_old_tokens,
    requests_without_a_token_are_401_problems,
);

async fn login_answers_token_expiry_and_user(backend: Backend) {
    let app = spawn(backend).await;
    let id = app
        .user("zhang.san")
        .role(Role::Doctor)
        .region("370402")
        .create();

    let reply = app.login_reply("Zhang.San", PASSWORD).await;

    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert!(body["token"].as_str().unwrap().split('.').count() == 3);
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["user"]["id"], id);
    assert_eq!(body["user"]["username"], "zhang.san");
    assert_eq!(body["user"]["role"], "doctor");
    assert_eq!(body["user"]["region_code"], "370402");
    assert_eq!(body["user"]["display_name"], "测试zhang.san");
    let me = app.get("/api/v1/me", body["token"].as_str().unwrap()).await;
    assert_eq!(me.json()["id"], id);
    assert_eq!(app.audit_actions().last().unwrap(), "auth.login");
}

async fn wrong_password_and_unknown_user_get_the_same_401(backend: Backend) {
    let app = spawn(backend).await;
    app.user("li.si").create();

    let wrong = app.login_reply("li.si", "not-the-password-1").await;
    let unknown = app.login_reply("nobody", "not-the-password-1").await;

    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.json()["detail"],
        unknown.json()["detail"],
        "no user enumeration"
    );
    assert_eq!(wrong.header("content-type"), "application/problem+json");
    let audits = app.audit_actions();
    assert_eq!(
        audits.iter().filter(|a| *a == "auth.login_failed").count(),
        2
    );
    assert_eq!(
        app.last_audit("auth.login_failed")["reason"],
        "unknown_user"
    );
    assert_eq!(app.last_audit("auth.login_failed")["username"], "nobody");
}

async fn repeated_failures_are_throttled_even_with_the_right_password(backend: Backend) {
    let app = spawn(backend).await;
    app.user("wang.wu").create();
    for attempt in 1..=5 {
        let r = app.login_reply("wang.wu", "wrong-password-9").await;
        assert_eq!(r.status, 401, "attempt {attempt}");
    }

    let throttled = app.login_reply("wang.wu", PASSWORD).await;

    assert_eq!(throttled.status, 429, "{}", throttled.text);
    let retry: u64 = throttled.header("retry-after").parse().unwrap();
    assert!((1..=900).contains(&retry), "retry-after {retry}");
    assert_eq!(
        app.last_audit("auth.login_throttled")["username"],
        "wang.wu"
    );
    // Another account from the same client is not locked by this username's failures.
    app.user("zhao.liu").create();
    assert_eq!(app.login_reply("zhao.liu", PASSWORD).await.status, 200);
}

async fn logout_revokes_the_token_at_once(backend: Backend) {
    let app = spawn(backend).await;
    app.user("sun.qi").create();
    let token = app.login("sun.qi").await;
    let other_device = app.login("sun.qi").await;

    let out = app
        .send(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;

    assert_eq!(out.status, 204);
    assert_eq!(app.get("/api/v1/me", &token).await.status, 401);
    assert_eq!(
        app.get("/api/v1/me", &other_device).await.status,
        401,
        "every session ends"
    );
    assert!(app.audit_actions().contains(&"auth.logout".to_owned()));
    assert_eq!(app.last_audit("auth.token_rejected")["reason"], "revoked");
    assert_eq!(
        app.get("/api/v1/me", &app.login("sun.qi").await)
            .await
            .status,
        200
    );
}

async fn a_disabled_users_token_stops_working(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("county.admin", Role::CountyAdmin, "370402"),
            ("doc.a", Role::Doctor, "370402"),
        ])
        .await;
    let doctor_id = app.get("/api/v1/me", &tokens[1]).await.expect(200).json()["id"]
        .as_i64()
        .unwrap();

    let disabled = app
        .post(
            &format!("/api/v1/users/{doctor_id}/disable"),
            &tokens[0],
            json!({}),
        )
        .await;

    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert_eq!(disabled.json()["disabled"], true);
    assert_eq!(app.get("/api/v1/me", &tokens[1]).await.status, 401);
    assert_eq!(app.last_audit("auth.token_rejected")["reason"], "disabled");
    let relogin = app.login_reply("doc.a", PASSWORD).await;
    assert_eq!(relogin.status, 401);
    assert_eq!(app.last_audit("auth.login_failed")["reason"], "disabled");
    let enabled = app
        .post(
            &format!("/api/v1/users/{doctor_id}/enable"),
            &tokens[0],
            json!({}),
        )
        .await;
    assert_eq!(enabled.status, 200);
    assert_eq!(app.login_reply("doc.a", PASSWORD).await.status, 200);
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn sign(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let signing_input = format!("{}.{}", b64(header), b64(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

async fn forged_and_expired_tokens_are_refused_and_audited(backend: Backend) {
    let app = spawn(backend).await;
    let id = app.user("zhou.ba").create();
    let victim = app.user("zheng.shi").role(Role::CountyAdmin).create();
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": id.to_string(), "ver": 0, "jti": "x", "iat": now, "exp": now + 600,
                        "iss": "cunyi", "aud": "cunyi"});
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let secret = JWT_SECRET.as_bytes();
    let valid = sign(&hs256, &claims, secret);
    assert_eq!(
        app.get("/api/v1/me", &valid).await.status,
        200,
        "the forger works"
    );

    let with = |key: &str, value: Value| {
        let mut c = claims.clone();
        c[key] = value;
        sign(&hs256, &c, secret)
    };
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims)
    );
    let tampered = {
        let parts: Vec<&str> = valid.split('.').collect();
        let mut c = claims.clone();
        c["sub"] = victim.to_string().into();
        format!("{}.{}.{}", parts[0], b64(&c), parts[2])
    };
    let forged: Vec<(&str, String)> = vec![
        ("alg none", alg_none),
        ("tampered payload", tampered),
        ("wrong aud", with("aud", "someone-else".into())),
        ("wrong iss", with("iss", "evil".into())),
        ("expired beyond leeway", with("exp", (now - 60).into())),
        (
            "exp as a string",
            with("exp", (now + 600).to_string().into()),
        ),
        (
            "wrong key",
            sign(&hs256, &claims, b"another-secret-another-secret-0000"),
        ),
        ("issued in the future", with("iat", (now + 3600).into())),
        ("not a jwt", "garbage".into()),
    ];
    let before = app.audit_count();
    for (what, token) in &forged {
        let reply = app.get("/api/v1/me", token).await;
        assert_eq!(reply.status, 401, "{what} was accepted: {}", reply.text);
    }
    assert_eq!(
        app.audit_count() - before,
        forged.len() as i64,
        "each refusal is audited"
    );
    assert!(
        app.audit_actions()
            .iter()
            .rev()
            .take(forged.len())
            .all(|a| a == "auth.token_rejected")
    );
}

async fn login_with_missing_fields_is_422_and_writes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let before = app.audit_count();

    let reply = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(json!({})))
        .await;
    let wrong_type = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": 5, "password": "x"})),
        )
        .await;

    assert_eq!(reply.error_fields(), ["username", "password"]);
    assert_eq!(wrong_type.error_fields(), ["username"]);
    assert_eq!(app.audit_count(), before);
    let not_json = app
        .api
        .post(app.url("/api/v1/auth/login"))
        .body("username=a")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
}

async fn a_password_change_revokes_old_tokens(backend: Backend) {
    let app = spawn(backend).await;
    app.user("wu.jiu").create();
    let old = app.login("wu.jiu").await;

    let weak = app
        .post(
            "/api/v1/me/password",
            &old,
            json!({"current_password": PASSWORD, "new_password": "123"}),
        )
        .await;
    let wrong_current = app
        .post(
            "/api/v1/me/password",
            &old,
            json!({"current_password": "nope-nope-1", "new_password": "new-pass-2026"}),
        )
        .await;
    let changed = app
        .post(
            "/api/v1/me/password",
            &old,
            json!({"current_password": PASSWORD, "new_password": "new-pass-2026"}),
        )
        .await;

    assert_eq!(weak.error_fields(), ["new_password"]);
    assert_eq!(wrong_current.error_fields(), ["current_password"]);
    assert_eq!(changed.status, 200, "{}", changed.text);
    let fresh = changed.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/me", &old).await.status, 401);
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, 200);
    assert_eq!(app.login_reply("wu.jiu", PASSWORD).await.status, 401);
    assert_eq!(app.login_reply("wu.jiu", "new-pass-2026").await.status, 200);
    assert!(
        app.audit_actions()
            .contains(&"auth.password_changed".to_owned())
    );
}

async fn requests_without_a_token_are_401_problems(backend: Backend) {
    let app = spawn(backend).await;
    for path in ["/api/v1/me", "/api/v1/users", "/api/v1/regions"] {
        let reply = app.send(Method::GET, path, None, None).await;
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.json()["status"], 401);
    }
    let basic = app
        .api
        .get(app.url("/api/v1/me"))
        .basic_auth("a", Some("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
}
