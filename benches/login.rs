//! Login throughput: how many logins per second one instance sustains. Argon2id
//! (19 MiB, t = 2, p = 1) is meant to bound it; `/healthz` on the same server gives the
//! ceiling for comparison.
//!
//! `cargo bench --bench login` (SQLite), or with `CUNYI_BENCH_DATABASE_URL=postgres://…`
//! pointing at an empty scratch database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::{Duration, Instant};

use cunyi::audit::Actor;
use cunyi::auth::{Role, password};
use cunyi::config::Config;
use cunyi::state::AppState;

const USERS: usize = 64;
const LOGINS: usize = 640;
const CONCURRENCY: usize = 16;
const PASSWORD: &str = "bench-2026";

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("CUNYI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let vars = [
        ("CUNYI_DATABASE_URL".to_owned(), url),
        (
            "CUNYI_JWT_SECRET".to_owned(),
            "bench-secret-bench-secret-bench-secret".to_owned(),
        ),
        ("CUNYI_ID_KEY".to_owned(), cunyi::pii::Pii::generate_key()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap();
    let state = AppState::init(config).unwrap();
    let hash = password::hash_blocking(PASSWORD).unwrap();
    {
        let mut conn = state.pool.get().unwrap();
        for i in 0..USERS {
            let new = cunyi::users::NewUser {
                username: cunyi::auth::rules::Username::parse(&format!("bench{i}")).unwrap(),
                password: cunyi::auth::rules::NewPassword::parse(PASSWORD, None).unwrap(),
                display_name: format!("压测{i}"),
                role: Role::Doctor,
                region_code: cunyi::regions::RegionCode::parse("370402").unwrap(),
            };
            cunyi::users::store::insert(&mut conn, &new, &hash, &Actor::cli(), cunyi::time::now())
                .unwrap();
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    actix_web::rt::System::new().block_on(async move {
        let server = cunyi::app::server(state, listener, None).unwrap();
        actix_web::rt::spawn(server);
        let client = reqwest::Client::new();

        let (health_rate, _) = run(&client, LOGINS * 10, |c, _| {
            let url = format!("{addr}/healthz");
            async move { c.get(url).send().await.unwrap().status().as_u16() }
        })
        .await;
        let (login_rate, latencies) = run(&client, LOGINS, |c, i| {
            let url = format!("{addr}/api/v1/auth/login");
            let body = serde_json::json!({"username": format!("bench{}", i % USERS), "password": PASSWORD});
            async move { c.post(url).json(&body).send().await.unwrap().status().as_u16() }
        })
        .await;
        println!("cores: {}", std::thread::available_parallelism().map_or(1, |n| n.get()));
        println!("healthz: {health_rate:.0} req/s");
        println!(
            "login:   {login_rate:.1} logins/s over {LOGINS} logins, {CONCURRENCY} concurrent; p50 {:?}, p99 {:?}",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99)
        );
        println!("login / healthz: {:.4}", login_rate / health_rate);
    });
}

/// Send `n` requests, `CONCURRENCY` at a time; every one must answer 200.
async fn run<F, Fut>(client: &reqwest::Client, n: usize, request: F) -> (f64, Vec<Duration>)
where
    F: Fn(reqwest::Client, usize) -> Fut,
    Fut: std::future::Future<Output = u16> + 'static,
{
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(n);
    let mut next = 0;
    while next < n {
        let batch: Vec<_> = (next..(next + CONCURRENCY).min(n))
            .map(|i| {
                let fut = request(client.clone(), i);
                async move {
                    let t = Instant::now();
                    let status = fut.await;
                    (status, t.elapsed())
                }
            })
            .collect();
        next += batch.len();
        for (status, latency) in futures_util::future::join_all(batch).await {
            assert_eq!(status, 200);
            latencies.push(latency);
        }
    }
    (n as f64 / start.elapsed().as_secs_f64(), latencies)
}

fn percentile(latencies: &[Duration], p: f64) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
