//! The hot paths of issue 14 as ratios to the same server's `/healthz`: the token check
//! (`GET /api/v1/me`), a doctor's own progress (`GET /api/v1/doctors/{id}/progress`), the
//! county's progress table (`GET /api/v1/progress?per_page=50`, the bench's county of
//! `CUNYI_BENCH_CANDIDATES` doctors) and the answer save
//! (`PUT /api/v1/attempts/{id}/answers/{q}`), each driven by N concurrent clients (closed loop) for a bounded time against a real
//! server in this process, on SQLite and, with `CUNYI_TEST_POSTGRES_URL` set, on a fresh
//! PostgreSQL database of that server.
//!
//! `cargo bench --bench hot_paths`; `CUNYI_BENCH_CLIENTS` (default 64),
//! `CUNYI_BENCH_SECS` per path (default 5), `CUNYI_BENCH_CANDIDATES` (default 256).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;
// The exam benches' set-up: bulk doctors, `env`, `exec` (this bench uses a few).
#[allow(dead_code)]
#[path = "common/exam.rs"]
mod exam;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cunyi::audit::Actor;
use cunyi::auth::{Role, password};
use cunyi::config::Config;
use cunyi::state::AppState;
use futures_util::StreamExt;
use serde_json::{Value, json};

use exam::{KEY, PASSWORD, env, exec, generate};

/// A valid answer for a question as the candidate sees it (the `n`th choice, cycling).
fn choice(q: &Value, n: usize) -> String {
    let keys: Vec<&str> = q["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    match q["type"].as_str().unwrap() {
        "X" => format!("{}{}", keys[n % keys.len()], keys[(n + 1) % keys.len()])
            .chars()
            .collect::<std::collections::BTreeSet<char>>()
            .into_iter()
            .collect(),
        _ => keys[n % keys.len()].to_owned(),
    }
}

struct Candidate {
    token: String,
    attempt: i64,
    /// (question id, two valid answers)
    questions: Vec<(String, [String; 2])>,
}

/// Drive `request(i, n)` from `clients` closed-loop clients for `secs`: ok answers per s.
async fn drive<F, Fut>(clients: usize, secs: f64, request: F) -> (f64, u64)
where
    F: Fn(usize, usize) -> Fut + Clone + 'static,
    Fut: std::future::Future<Output = bool>,
{
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let t = Instant::now();
    futures_util::stream::iter(0..clients)
        .map(|i| {
            let (ok, bad, request) = (ok.clone(), bad.clone(), request.clone());
            async move {
                let mut n = 0;
                while Instant::now() < until {
                    if request(i, n).await {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                    n += 1;
                }
            }
        })
        .buffer_unordered(clients)
        .collect::<Vec<()>>()
        .await;
    (
        ok.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64(),
        bad.load(Ordering::Relaxed),
    )
}

fn run(url: String, label: &str) {
    let clients = env("CUNYI_BENCH_CLIENTS", 64) as usize;
    let secs = env("CUNYI_BENCH_SECS", 5) as f64;
    let candidates = env("CUNYI_BENCH_CANDIDATES", 256);
    let vars = [
        ("CUNYI_DATABASE_URL".to_owned(), url),
        (
            "CUNYI_JWT_SECRET".to_owned(),
            "bench-secret-bench-secret-bench-secret".to_owned(),
        ),
        ("CUNYI_ID_KEY".to_owned(), KEY.to_owned()),
        ("CUNYI_DB_POOL_SIZE".to_owned(), "16".to_owned()),
        ("CUNYI_LOG".to_owned(), "warn".to_owned()),
    ];
    let state = AppState::init(
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap(),
    )
    .unwrap();
    let program = cunyi::program::store::insert(
        &mut state.pool.get().unwrap(),
        &cunyi::program::rules::preset("zaozhuang-2024").unwrap(),
        &Actor::cli(),
        cunyi::time::now(),
    )
    .unwrap()
    .row
    .id;
    generate(&state, candidates, program);
    {
        let mut conn = state.pool.get().unwrap();
        let new = cunyi::users::NewUser {
            username: cunyi::auth::rules::Username::parse("bench.county").unwrap(),
            password: cunyi::auth::rules::NewPassword::parse(PASSWORD, None).unwrap(),
            display_name: "县卫健局".into(),
            role: Role::CountyAdmin,
            region_code: cunyi::regions::RegionCode::parse("370402").unwrap(),
        };
        let hash = password::hash_blocking(PASSWORD).unwrap();
        cunyi::users::store::insert(&mut conn, &new, &hash, &Actor::cli(), cunyi::time::now())
            .unwrap();
    }
    let ids: Vec<i64> = {
        use cunyi::db::schema::users::dsl::*;
        use diesel::prelude::*;
        users
            .filter(username.like("bench.doc%"))
            .order(id)
            .select(id)
            .load(&mut state.pool.get().unwrap())
            .unwrap()
    };
    // Each account's doctor, for its own progress.
    let doctor_of: std::collections::HashMap<i64, i64> = {
        use cunyi::db::schema::doctors::dsl::*;
        use diesel::prelude::*;
        doctors
            .filter(user_id.is_not_null())
            .select((user_id.assume_not_null(), id))
            .load::<(i64, i64)>(&mut state.pool.get().unwrap())
            .unwrap()
            .into_iter()
            .collect()
    };
    let own_progress: Vec<(String, i64)> = ids
        .iter()
        .map(|uid| {
            let token = state
                .tokens
                .issue(*uid, 0, chrono::Utc::now())
                .unwrap()
                .token;
            (token, doctor_of[uid])
        })
        .collect();
    let tokens: Vec<String> = ids
        .iter()
        .map(|id| {
            state
                .tokens
                .issue(*id, 0, chrono::Utc::now())
                .unwrap()
                .token
        })
        .collect();

    let addr = common::serve(state.clone());

    actix_web::rt::System::new().block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .build()
            .unwrap();
        let county: Value = client
            .post(format!("{addr}/api/v1/auth/login"))
            .json(&json!({"username": "bench.county", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let county = county["token"].as_str().unwrap().to_owned();
        let now = chrono::Utc::now();
        let exam = client
            .post(format!("{addr}/api/v1/exams"))
            .bearer_auth(&county)
            .json(&json!({
                "title": "压测：热路径", "kind": "annual", "program_id": program,
                "opens_at": (now - chrono::Duration::minutes(5)).to_rfc3339(),
                "closes_at": (now + chrono::Duration::hours(3)).to_rfc3339(),
                "duration_minutes": 90, "pass_score": 10,
                "blueprint": {"items": [
                    {"area": "public_health", "type": "A1", "count": 20, "points": 1},
                    {"area": "public_health", "type": "TF", "count": 3, "points": 1},
                    {"area": "emergency", "type": "X", "count": 2, "points": 2}]}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(exam.status(), 201);
        let exam_id = exam.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let sitting: Vec<Candidate> = futures_util::stream::iter(tokens.clone())
            .map(|token| {
                let (client, addr) = (client.clone(), addr.clone());
                async move {
                    let r = client
                        .post(format!("{addr}/api/v1/exams/{exam_id}/attempts"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 201);
                    let body: Value = r.json().await.unwrap();
                    let questions = body["questions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|q| {
                            (
                                q["id"].as_str().unwrap().to_owned(),
                                [choice(q, 0), choice(q, 1)],
                            )
                        })
                        .collect();
                    Candidate {
                        token,
                        attempt: body["id"].as_i64().unwrap(),
                        questions,
                    }
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let sitting = Arc::new(sitting);
        let tokens = Arc::new(tokens);

        let get = |path: &'static str| {
            let (client, addr, tokens) = (client.clone(), addr.clone(), tokens.clone());
            move |i: usize, n: usize| {
                let (client, addr, tokens) = (client.clone(), addr.clone(), tokens.clone());
                async move {
                    let token = &tokens[(i + n * 7) % tokens.len()];
                    client
                        .get(format!("{addr}{path}"))
                        .bearer_auth(token)
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200)
                }
            }
        };
        let (health, health_bad) = drive(clients, secs, get("/healthz")).await;
        let (me, me_bad) = drive(clients, secs, get("/api/v1/me")).await;
        let save = {
            let (client, addr, sitting) = (client.clone(), addr.clone(), sitting.clone());
            move |i: usize, n: usize| {
                let (client, addr, sitting) = (client.clone(), addr.clone(), sitting.clone());
                async move {
                    // Each client its own candidates, so two clients never race one answer.
                    let c = &sitting[(i + clients * (n / 25)) % sitting.len()];
                    let (qid, answers) = &c.questions[n % c.questions.len()];
                    client
                        .put(format!("{addr}/api/v1/attempts/{}/answers/{qid}", c.attempt))
                        .bearer_auth(&c.token)
                        .json(&json!({ "answer": answers[(n / 25) % 2] }))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 204)
                }
            }
        };
        let progress = {
            let (client, addr) = (client.clone(), addr.clone());
            let own_progress = Arc::new(own_progress);
            move |i: usize, n: usize| {
                let (client, addr, own) = (client.clone(), addr.clone(), own_progress.clone());
                async move {
                    let (token, doctor) = &own[(i + n * 7) % own.len()];
                    client
                        .get(format!("{addr}/api/v1/doctors/{doctor}/progress"))
                        .bearer_auth(token)
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200)
                }
            }
        };
        let (own, own_bad) = drive(clients, secs, progress).await;
        let table = {
            let (client, addr, county) = (client.clone(), addr.clone(), county.clone());
            move |_: usize, _: usize| {
                let (client, addr, county) = (client.clone(), addr.clone(), county.clone());
                async move {
                    client
                        .get(format!("{addr}/api/v1/progress?per_page=50"))
                        .bearer_auth(&county)
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200)
                }
            }
        };
        let (table, table_bad) = drive(clients, secs, table).await;
        let (saves, saves_bad) = drive(clients, secs, save).await;
        println!("{label}, {clients} clients, {secs} s each:");
        println!("  GET /healthz                          {health:>8.0} req/s  (errors {health_bad})");
        println!(
            "  GET /api/v1/me                        {me:>8.0} req/s  {:.2}× /healthz  (errors {me_bad})",
            me / health
        );
        println!(
            "  GET /api/v1/doctors/{{own}}/progress    {own:>8.0} req/s  {:.2}× /healthz  (errors {own_bad})",
            own / health
        );
        println!(
            "  GET /api/v1/progress?per_page=50       {table:>8.0} req/s  {:.2}× /healthz  (errors {table_bad})",
            table / health
        );
        println!(
            "  PUT /api/v1/attempts/{{id}}/answers/{{q}} {saves:>8.0} req/s  {:.2}× /healthz  (errors {saves_bad})",
            saves / health
        );
    });
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path().join("hot.db").to_string_lossy().into_owned(),
        "SQLite",
    );
    if let Ok(base) = std::env::var("CUNYI_TEST_POSTGRES_URL")
        && !base.is_empty()
    {
        let mut conn = cunyi::db::connect(&base).unwrap();
        let db = format!("cunyi_bench_hot_{}", std::process::id());
        exec(&mut conn, &format!("CREATE DATABASE {db}"));
        let url = format!("{}/{db}", base.rsplit_once('/').unwrap().0);
        run(url, "PostgreSQL");
        exec(&mut conn, &format!("DROP DATABASE {db} WITH (FORCE)"));
    }
}
