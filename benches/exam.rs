//! An exam sitting at county scale: 5,000 doctors start a 50-question paper within
//! 60 seconds and each saves 50 answers, then submits — all over HTTP against a real
//! server. Measures errors (goal 0), p50/p99 latency of start, save and submit, and
//! saves per second as a ratio to the same server's `/healthz` throughput, measured with
//! the same client and the same number of requests in flight.
//!
//! `cargo bench --bench exam` (SQLite), or `CUNYI_BENCH_POSTGRES_URL=postgres://…/postgres`.
//! `CUNYI_BENCH_CANDIDATES`, `CUNYI_BENCH_WINDOW_SECS` and `CUNYI_BENCH_IN_FLIGHT` scale
//! it (defaults 5000, 60, 500).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cunyi::audit::Actor;
use cunyi::auth::{Role, password};
use cunyi::config::Config;
use cunyi::db::{AnyConnection, Backend};
use cunyi::state::AppState;
use diesel::RunQueryDsl;
use futures_util::StreamExt;
use serde_json::{Value, json};

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const PASSWORD: &str = "bench-2026";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn exec(conn: &mut AnyConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// `n` doctors of 市中区 with accounts (one shared password hash), inserted in bulk.
fn generate(state: &AppState, n: u64, program: i64) {
    let mut conn = state.pool.get().unwrap();
    let pg = conn.backend() == Backend::Postgres;
    let hash = password::hash_blocking(PASSWORD).unwrap();
    let (with, series) = if pg {
        (
            String::new(),
            format!("generate_series(0, {}) AS n(i)", n - 1),
        )
    } else {
        (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
                n - 1
            ),
            "n".to_owned(),
        )
    };
    exec(
        &mut conn,
        &format!(
            "{with}INSERT INTO users (username, password_hash, display_name, role, region_code, disabled, token_version, \
             created_at, updated_at) SELECT 'bench.doc' || i, '{hash}', '考生' || i, 'doctor', '370402', false, 0, \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM {series}"
        ),
    );
    exec(
        &mut conn,
        &format!(
            "INSERT INTO doctors (name, id_number_enc, id_number_index, id_number_masked, phone, gender, birth_date, \
             education, qualification, region_code, county_code, program_id, cohort_year, status, user_id, created_at, updated_at) \
             SELECT '考生' || u.id, 'v1:x', 'gen' || u.id, '370402********0000', '13800000000', 'male', '1980-01-01', \
             'secondary', 'village_doctor_cert', '370402', '370402', {program}, 2025, 'active', u.id, \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM users u WHERE u.username LIKE 'bench.doc%'"
        ),
    );
    exec(&mut conn, "ANALYZE");
}

#[derive(Default)]
struct Tally {
    starts: Vec<Duration>,
    saves: Vec<Duration>,
    submits: Vec<Duration>,
    errors: Vec<String>,
    started_at: Vec<Duration>,
    first_save: Option<Instant>,
    last_save: Option<Instant>,
}

/// A valid answer for a question as the candidate sees it.
fn choice(q: &Value) -> String {
    let keys: Vec<&str> = q["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    match q["type"].as_str().unwrap() {
        "X" => format!("{}{}", keys[0], keys[1]),
        _ => keys[keys.len() / 2].to_owned(),
    }
}

fn main() {
    let candidates = env("CUNYI_BENCH_CANDIDATES", 5_000);
    let window = Duration::from_secs(env("CUNYI_BENCH_WINDOW_SECS", 60));
    let in_flight = env("CUNYI_BENCH_IN_FLIGHT", 500) as usize;
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("CUNYI_BENCH_POSTGRES_URL") {
        Ok(admin) => {
            let mut conn = cunyi::db::connect(&admin).unwrap();
            let db = format!("cunyi_bench_exam_{}", std::process::id());
            exec(&mut conn, &format!("CREATE DATABASE {db}"));
            format!("{}/{db}", admin.rsplit_once('/').unwrap().0)
        }
        Err(_) => dir.path().join("exam.db").to_string_lossy().into_owned(),
    };
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
    let backend = state.pool.get().unwrap().backend();
    let program = cunyi::program::store::insert(
        &mut state.pool.get().unwrap(),
        &cunyi::program::rules::preset("zaozhuang-2024").unwrap(),
        &Actor::cli(),
        cunyi::time::now(),
    )
    .unwrap()
    .row
    .id;
    let t = Instant::now();
    generate(&state, candidates, program);
    println!(
        "backend {backend:?}: {candidates} candidates generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The county admin who sets the exam; each candidate's token minted directly (logins
    // are measured by the login bench, not here).
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
            .pool_max_idle_per_host(in_flight)
            // Clients close idle connections before the server does (it keeps them 75 s).
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let county: String = {
            let r: Value = client
                .post(format!("{addr}/api/v1/auth/login"))
                .json(&json!({"username": "bench.county", "password": PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["token"].as_str().unwrap().to_owned()
        };
        let now = chrono::Utc::now();
        let exam = client
            .post(format!("{addr}/api/v1/exams"))
            .bearer_auth(&county)
            .json(&json!({
                "title": "压测：年度理论考核", "kind": "annual", "program_id": program,
                "opens_at": (now - chrono::Duration::minutes(5)).to_rfc3339(),
                "closes_at": (now + chrono::Duration::hours(3)).to_rfc3339(),
                "duration_minutes": 90, "pass_score": 36,
                "blueprint": {"items": [
                    {"area": "public_health", "type": "A1", "count": 20, "points": 1},
                    {"area": "general_practice", "type": "A1", "count": 10, "points": 1},
                    {"area": "general_practice", "type": "A2", "count": 8, "points": 1},
                    {"area": "public_health", "type": "A3", "count": 3, "points": 1},
                    {"area": "public_health", "type": "B1", "count": 4, "points": 1},
                    {"area": "public_health", "type": "TF", "count": 3, "points": 1},
                    {"area": "emergency", "type": "X", "count": 2, "points": 2}]}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(exam.status(), 201);
        let exam: Value = exam.json().await.unwrap();
        let exam_id = exam["id"].as_i64().unwrap();

        // The floor: /healthz with the same client and as many requests in flight.
        let n_health = 50_000usize;
        let t = Instant::now();
        let ok = futures_util::stream::iter(0..n_health)
            .map(|_| {
                let client = client.clone();
                let addr = addr.clone();
                async move { client.get(format!("{addr}/healthz")).send().await.map(|r| r.status() == 200).unwrap_or(false) }
            })
            .buffer_unordered(in_flight)
            .filter(|ok| futures_util::future::ready(*ok))
            .count()
            .await;
        let health_rate = ok as f64 / t.elapsed().as_secs_f64();
        println!("/healthz: {ok}/{n_health} ok, {health_rate:.0} req/s with {in_flight} in flight");

        let tally = Arc::new(Mutex::new(Tally::default()));
        let t0 = Instant::now();
        let spacing = window.as_secs_f64() / candidates as f64;
        futures_util::stream::iter(tokens.into_iter().enumerate())
            .map(|(i, token)| {
                let client = client.clone();
                let addr = addr.clone();
                let tally = tally.clone();
                async move {
                    let due = t0 + Duration::from_secs_f64(i as f64 * spacing);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        actix_web::rt::time::sleep(wait).await;
                    }
                    let t = Instant::now();
                    let r = client.post(format!("{addr}/api/v1/exams/{exam_id}/attempts")).bearer_auth(&token).send().await;
                    let started = t.elapsed();
                    let body: Value = match r {
                        Ok(r) if r.status() == 201 => r.json().await.unwrap(),
                        Ok(r) => {
                            tally.lock().unwrap().errors.push(format!("start {}", r.status()));
                            return;
                        }
                        Err(e) => {
                            tally.lock().unwrap().errors.push(format!("start {e}"));
                            return;
                        }
                    };
                    {
                        let mut t = tally.lock().unwrap();
                        t.starts.push(started);
                        t.started_at.push(t0.elapsed());
                    }
                    let attempt = body["id"].as_i64().unwrap();
                    let mut saves = Vec::with_capacity(50);
                    let mut errors = Vec::new();
                    let first = Instant::now();
                    for q in body["questions"].as_array().unwrap() {
                        let qid = q["id"].as_str().unwrap();
                        let t = Instant::now();
                        let r = client
                            .put(format!("{addr}/api/v1/attempts/{attempt}/answers/{qid}"))
                            .bearer_auth(&token)
                            .json(&json!({ "answer": choice(q) }))
                            .send()
                            .await;
                        match r {
                            Ok(r) if r.status() == 204 => saves.push(t.elapsed()),
                            Ok(r) => errors.push(format!("save {}", r.status())),
                            Err(e) => errors.push(format!("save {e}")),
                        }
                    }
                    let last = Instant::now();
                    let t = Instant::now();
                    let r = client.post(format!("{addr}/api/v1/attempts/{attempt}/submit")).bearer_auth(&token).send().await;
                    let submitted = t.elapsed();
                    let mut tally = tally.lock().unwrap();
                    match r {
                        Ok(r) if r.status() == 200 => tally.submits.push(submitted),
                        Ok(r) => tally.errors.push(format!("submit {}", r.status())),
                        Err(e) => tally.errors.push(format!("submit {e}")),
                    }
                    tally.saves.extend(saves);
                    tally.errors.extend(errors);
                    tally.first_save = Some(tally.first_save.map_or(first, |f| f.min(first)));
                    tally.last_save = Some(tally.last_save.map_or(last, |l| l.max(last)));
                }
            })
            .buffer_unordered(in_flight)
            .collect::<Vec<()>>()
            .await;
        let total = t0.elapsed();
        let t = tally.lock().unwrap();
        let spread = t.started_at.iter().max().copied().unwrap_or_default();
        let save_secs = match (t.first_save, t.last_save) {
            (Some(f), Some(l)) => (l - f).as_secs_f64(),
            _ => 0.0,
        };
        let save_rate = t.saves.len() as f64 / save_secs.max(1e-9);
        println!(
            "starts: {} ok within {:.1} s, p50 {:.1} ms, p99 {:.1} ms",
            t.starts.len(),
            spread.as_secs_f64(),
            ms(percentile(&t.starts, 0.5)),
            ms(percentile(&t.starts, 0.99))
        );
        println!(
            "saves: {} ok, p50 {:.1} ms, p99 {:.1} ms, {save_rate:.0} saves/s = {:.2}× the /healthz rate",
            t.saves.len(),
            ms(percentile(&t.saves, 0.5)),
            ms(percentile(&t.saves, 0.99)),
            save_rate / health_rate
        );
        println!(
            "submits: {} ok, p50 {:.1} ms, p99 {:.1} ms; whole sitting {:.1} s",
            t.submits.len(),
            ms(percentile(&t.submits, 0.5)),
            ms(percentile(&t.submits, 0.99)),
            total.as_secs_f64()
        );
        let mut kinds: Vec<&String> = t.errors.iter().collect();
        kinds.sort();
        kinds.dedup();
        println!("errors: {} {:?}", t.errors.len(), kinds.iter().take(5).collect::<Vec<_>>());
    });
    let (answers, graded): (i64, i64) = {
        use diesel::prelude::*;
        let mut c = state.pool.get().unwrap();
        (
            cunyi::db::schema::attempt_answers::table
                .count()
                .get_result(&mut c)
                .unwrap(),
            cunyi::db::schema::attempt_items::table
                .count()
                .get_result(&mut c)
                .unwrap(),
        )
    };
    println!("stored: {answers} answers, {graded} graded items");
}
