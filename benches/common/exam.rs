//! What the exam benches (`exam`, `province`) share: the state over a fresh database,
//! candidates generated in bulk, their tokens minted with the server's own keys, the
//! county admin and the exam, a valid answer, and the percentile arithmetic.

use std::time::Duration;

use cunyi::audit::Actor;
use cunyi::auth::{Role, password};
use cunyi::config::Config;
use cunyi::db::{AnyConnection, Backend};
use cunyi::state::AppState;
use diesel::RunQueryDsl;
use serde_json::{Value, json};

pub const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
pub const SECRET: &str = "bench-secret-bench-secret-bench-secret";
pub const PASSWORD: &str = "bench-2026";

pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn exec(conn: &mut AnyConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// A fresh database: a new PostgreSQL database next to `CUNYI_BENCH_POSTGRES_URL` when it
/// is set (named `cunyi_bench_{name}_{pid}`), else a SQLite file in `dir`.
pub fn fresh_database_url(name: &str, dir: &std::path::Path) -> String {
    match std::env::var("CUNYI_BENCH_POSTGRES_URL") {
        Ok(admin) => {
            let mut conn = cunyi::db::connect(&admin).unwrap();
            let db = format!("cunyi_bench_{name}_{}", std::process::id());
            exec(&mut conn, &format!("CREATE DATABASE {db}"));
            // Keep the URL's parameters (`?sslmode=disable`, say) for the new database.
            let (base, params) = match admin.split_once('?') {
                Some((base, params)) => (base, format!("?{params}")),
                None => (admin.as_str(), String::new()),
            };
            format!("{}/{db}{params}", base.rsplit_once('/').unwrap().0)
        }
        Err(_) => dir
            .join(format!("{name}.db"))
            .to_string_lossy()
            .into_owned(),
    }
}

/// The environment a bench server runs with (the same for an in-process state and a
/// `cunyi serve` child, so tokens minted by one are accepted by the other).
pub fn server_vars(url: &str, pool_size: u32) -> Vec<(String, String)> {
    vec![
        ("CUNYI_DATABASE_URL".to_owned(), url.to_owned()),
        ("CUNYI_JWT_SECRET".to_owned(), SECRET.to_owned()),
        ("CUNYI_ID_KEY".to_owned(), KEY.to_owned()),
        ("CUNYI_DB_POOL_SIZE".to_owned(), pool_size.to_string()),
        ("CUNYI_LOG".to_owned(), "warn".to_owned()),
    ]
}

/// The state over `url` (migrated by `AppState::init`).
pub fn state(url: &str, pool_size: u32) -> AppState {
    let vars = server_vars(url, pool_size);
    AppState::init(
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap(),
    )
    .unwrap()
}

/// The shipped zaozhuang-2024 program, which the candidates follow.
pub fn program(state: &AppState) -> i64 {
    cunyi::program::store::insert(
        &mut state.pool.get().unwrap(),
        &cunyi::program::rules::preset("zaozhuang-2024").unwrap(),
        &Actor::cli(),
        cunyi::time::now(),
    )
    .unwrap()
    .row
    .id
}

/// `n` doctors of 市中区 with accounts (one shared password hash), inserted in bulk.
pub fn generate(state: &AppState, n: u64, program: i64) {
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

/// The county admin who sets the exam (`bench.county`, password [`PASSWORD`]).
pub fn county_admin(state: &AppState) {
    let mut conn = state.pool.get().unwrap();
    let new = cunyi::users::NewUser {
        username: cunyi::auth::rules::Username::parse("bench.county").unwrap(),
        password: cunyi::auth::rules::NewPassword::parse(PASSWORD, None).unwrap(),
        display_name: "县卫健局".into(),
        role: Role::CountyAdmin,
        region_code: cunyi::regions::RegionCode::parse("370402").unwrap(),
    };
    let hash = password::hash_blocking(PASSWORD).unwrap();
    cunyi::users::store::insert(&mut conn, &new, &hash, &Actor::cli(), cunyi::time::now()).unwrap();
}

/// Every candidate's token, minted with the server's own token keys (`state.tokens`,
/// the function `POST /auth/login` issues with) at the user's token version 0 — what
/// each doctor's login before the exam would have returned, without 20,000 argon2
/// verifications. The server checks each one as usual (signature, expiry, version).
pub fn tokens(state: &AppState) -> Vec<String> {
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
    ids.iter()
        .map(|id| {
            state
                .tokens
                .issue(*id, 0, chrono::Utc::now())
                .unwrap()
                .token
        })
        .collect()
}

/// The county admin logs in (one argon2 verification) and sets a 50-question paper
/// (52 points) open from five minutes ago for three hours; returns the exam's id.
pub async fn create_exam(client: &reqwest::Client, addr: &str, program: i64) -> i64 {
    let r: Value = client
        .post(format!("{addr}/api/v1/auth/login"))
        .json(&json!({"username": "bench.county", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let county = r["token"].as_str().unwrap().to_owned();
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
    exam["id"].as_i64().unwrap()
}

/// A valid answer for a question as the candidate sees it.
pub fn choice(q: &Value) -> String {
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

/// How many answers and graded items the database holds at the end.
pub fn stored(state: &AppState) -> (i64, i64) {
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
}
