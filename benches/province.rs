//! The province exam (issue 14 §5–6): 20,000 candidates start a 50-question paper at
//! uniformly random moments within the first 60 s, then each saves one answer (a random
//! question of its paper, a valid answer) every uniformly random 10–30 s for 10 minutes
//! from its own start, then submits. Open loop: every request has its due moment from
//! the schedule, not from the previous response, and its latency is counted from that
//! moment (or from the candidate's previous response when that came later), so a stalled
//! server or a lagging client shows in the numbers instead of slowing the arrivals.
//!
//! Goals: errors 0 (any non-2xx or transport error), start p99 < 2 s, save p99 < 200 ms;
//! the bench prints PASS/FAIL against them and the `/healthz` rate of the same server(s)
//! in the same run (saves per second as a ratio to it, as the other benches do).
//!
//! SQLite (default): one in-process server, as the other benches. PostgreSQL
//! (`CUNYI_BENCH_POSTGRES_URL=postgres://…/postgres`): a fresh database and TWO real
//! `cunyi serve` child processes on it (the built binary; each its own pool and answer
//! writer), the candidates spread over both.
//!
//! Tokens: the candidates logged in before the exam. Instead of 20,000 argon2
//! verifications (which would be what any box measures in the first minute), each token
//! is minted with the server's own token keys (`AppState::tokens.issue`, what
//! `POST /auth/login` returns) and the same secret the servers run with; the servers
//! check every token as usual (signature, expiry, the user's token version and status).
//!
//! The client keeps at most `CUNYI_BENCH_CONNECTIONS` (1000) requests — and so
//! connections — open at once, like a proxy's upstream pool: one process cannot hold
//! 20,000 sockets under the default descriptor limit (in-process, each connection costs
//! two). The wait for a free connection counts in the latency.
//!
//! Knobs: `CUNYI_BENCH_CANDIDATES` (20000), `CUNYI_BENCH_MINUTES` (10),
//! `CUNYI_BENCH_START_SECS` (60), `CUNYI_BENCH_CONNECTIONS` (1000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;
#[path = "common/exam.rs"]
mod exam;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cunyi::db::Backend;
use exam::{env, ms, percentile};
use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// The `cunyi serve` children; killed when the bench ends, even by a panic.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `n` `cunyi serve` processes on `url`, each on a free local port; their base URLs.
fn spawn_servers(url: &str, n: usize) -> (Vec<String>, Children) {
    let mut addrs = Vec::new();
    let mut children = Children(Vec::new());
    for _ in 0..n {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bind = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_cunyi"))
            .args(["serve", "--bind", &bind])
            .envs(exam::server_vars(url, 16))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        children.0.push(child);
        addrs.push(format!("http://{bind}"));
    }
    (addrs, children)
}

/// A PostgreSQL with `autovacuum = off` (this development machine's, for one) never
/// refreshes the statistics of the fresh database's tables as the attempts pour in, so
/// the plans the servers cache while `attempts` is empty (a sequential scan) stay for the
/// whole run — unlike any deployment, where autovacuum analyzes a table once a minute at
/// most (`autovacuum_naptime`) after 50 rows + 10% have changed. Then this does the same
/// here: `ANALYZE` once a minute, announced.
fn stand_in_for_autovacuum(state: &cunyi::state::AppState) {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        autovacuum: String,
    }
    let mut conn = state.pool.get().unwrap();
    let on = diesel::sql_query("SHOW autovacuum")
        .get_result::<Setting>(&mut *conn)
        .map(|s| s.autovacuum == "on")
        .unwrap_or(true);
    if on {
        return;
    }
    println!(
        "PostgreSQL runs with autovacuum off: the bench runs ANALYZE once a minute in its place"
    );
    let pool = state.pool.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(60));
            if let Ok(mut conn) = pool.get() {
                let _ = diesel::sql_query("ANALYZE").execute(&mut *conn);
            }
        }
    });
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Sleep until `due`; the moment the request counts from (`due`, or now when late).
async fn wait_until(due: Instant) -> Instant {
    let now = Instant::now();
    if due > now {
        actix_web::rt::time::sleep(due - now).await;
        due
    } else {
        now
    }
}

#[derive(Default)]
struct Tally {
    starts: Vec<Duration>,
    /// (due since t0, latency) of each save.
    saves: Vec<(Duration, Duration)>,
    submits: Vec<Duration>,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn error(&mut self, what: String) {
        *self.errors.entry(what).or_default() += 1;
    }
}

/// A request's outcome as an error kind: `None` for a 2xx.
async fn outcome(
    what: &str,
    r: Result<reqwest::Response, reqwest::Error>,
) -> Result<reqwest::Response, String> {
    match r {
        Ok(r) if r.status().is_success() => Ok(r),
        Ok(r) => Err(format!("{what} {}", r.status())),
        Err(e) => Err(format!(
            "{what} {}",
            if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else {
                "transport"
            }
        )),
    }
}

fn main() {
    let candidates = env("CUNYI_BENCH_CANDIDATES", 20_000);
    let minutes = env("CUNYI_BENCH_MINUTES", 10);
    let start_secs = env("CUNYI_BENCH_START_SECS", 60) as f64;
    let connections = env("CUNYI_BENCH_CONNECTIONS", 1_000) as usize;
    let dir = tempfile::tempdir().unwrap();
    let url = exam::fresh_database_url("province", dir.path());
    let state = exam::state(&url, 16);
    let backend = state.pool.get().unwrap().backend();
    let program = exam::program(&state);
    let t = Instant::now();
    exam::generate(&state, candidates, program);
    exam::county_admin(&state);
    let tokens = exam::tokens(&state);
    println!(
        "backend {backend:?}: {candidates} candidates generated and their tokens minted in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (addrs, children) = if backend == Backend::Postgres {
        spawn_servers(&url, 2)
    } else {
        (vec![common::serve(state.clone())], Children(Vec::new()))
    };
    if backend == Backend::Postgres {
        stand_in_for_autovacuum(&state);
    }
    println!(
        "servers: {} ({}); load average before: {}",
        addrs.len(),
        if children.0.is_empty() {
            "in-process"
        } else {
            "`cunyi serve` child processes"
        },
        loadavg()
    );

    actix_web::rt::System::new().block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            // Clients close idle connections before the server does (it keeps them 75 s).
            .pool_idle_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        for addr in &addrs {
            let ready = Instant::now();
            loop {
                match client.get(format!("{addr}/healthz")).send().await {
                    Ok(r) if r.status() == 200 => break,
                    _ if ready.elapsed() > Duration::from_secs(60) => panic!("{addr} never came up"),
                    _ => actix_web::rt::time::sleep(Duration::from_millis(100)).await,
                }
            }
        }
        let exam_id = exam::create_exam(&client, &addrs[0], program).await;

        // The floor: /healthz with the same client, 500 requests in flight, over all servers.
        let (n_health, in_flight) = (50_000usize, 500usize);
        let t = Instant::now();
        let ok = futures_util::stream::iter(0..n_health)
            .map(|i| {
                let client = client.clone();
                let addr = addrs[i % addrs.len()].clone();
                async move { client.get(format!("{addr}/healthz")).send().await.map(|r| r.status() == 200).unwrap_or(false) }
            })
            .buffer_unordered(in_flight)
            .filter(|ok| futures_util::future::ready(*ok))
            .count()
            .await;
        let health_rate = ok as f64 / t.elapsed().as_secs_f64();
        println!("/healthz: {ok}/{n_health} ok, {health_rate:.0} req/s with {in_flight} in flight");

        let tally = Arc::new(Mutex::new(Tally::default()));
        let gate = Arc::new(tokio::sync::Semaphore::new(connections));
        let t0 = Instant::now() + Duration::from_millis(200);
        let sitting = Duration::from_secs(minutes * 60);
        let pace = || 10.0..30.0;
        let run = futures_util::stream::iter(tokens.into_iter().enumerate()).for_each_concurrent(None, |(i, token)| {
            let client = client.clone();
            let addr = addrs[i % addrs.len()].clone();
            let tally = tally.clone();
            let gate = gate.clone();
            async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let start_due = t0 + Duration::from_secs_f64(rng.random_range(0.0..start_secs.max(1e-3)));
                let end = start_due + sitting;
                let from = wait_until(start_due).await;
                let permit = gate.acquire().await.unwrap();
                let r = client.post(format!("{addr}/api/v1/exams/{exam_id}/attempts")).bearer_auth(&token).send().await;
                let body: Value = match outcome("start", r).await {
                    Ok(r) => match r.json().await {
                        Ok(body) => body,
                        Err(_) => return tally.lock().unwrap().error("start body".into()),
                    },
                    Err(e) => return tally.lock().unwrap().error(e),
                };
                drop(permit);
                tally.lock().unwrap().starts.push(from.elapsed());
                let attempt = body["id"].as_i64().unwrap();
                let paper: Vec<(String, String)> = body["questions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|q| (q["id"].as_str().unwrap().to_owned(), exam::choice(q)))
                    .collect();
                drop(body);
                let mut due = start_due + Duration::from_secs_f64(rng.random_range(pace()));
                while due < end {
                    let (qid, answer) = &paper[rng.random_range(0..paper.len())];
                    let from = wait_until(due).await;
                    let permit = gate.acquire().await.unwrap();
                    let r = client
                        .put(format!("{addr}/api/v1/attempts/{attempt}/answers/{qid}"))
                        .bearer_auth(&token)
                        .json(&json!({ "answer": answer }))
                        .send()
                        .await;
                    let took = from.elapsed();
                    match outcome("save", r).await {
                        Ok(r) => {
                            // Read to the end, so the connection goes back to the pool.
                            let _ = r.bytes().await;
                            tally.lock().unwrap().saves.push((due - t0, took));
                        }
                        Err(e) => tally.lock().unwrap().error(e),
                    }
                    drop(permit);
                    due += Duration::from_secs_f64(rng.random_range(pace()));
                }
                let from = wait_until(end).await;
                let _permit = gate.acquire().await.unwrap();
                let r = client.post(format!("{addr}/api/v1/attempts/{attempt}/submit")).bearer_auth(&token).send().await;
                let took = from.elapsed();
                match outcome("submit", r).await {
                    Ok(r) => {
                        let _ = r.bytes().await;
                        tally.lock().unwrap().submits.push(took);
                    }
                    Err(e) => tally.lock().unwrap().error(e),
                }
            }
        });
        // A line a minute, so a long run shows how it goes.
        let ticker = {
            let tally = tally.clone();
            async move {
                loop {
                    actix_web::rt::time::sleep(Duration::from_secs(60)).await;
                    let t = tally.lock().unwrap();
                    println!(
                        "  {:>4.0} s: {} started, {} saves, {} submitted, {} errors {:?}; load {}",
                        t0.elapsed().as_secs_f64(),
                        t.starts.len(),
                        t.saves.len(),
                        t.submits.len(),
                        t.errors.values().sum::<u64>(),
                        t.errors.iter().take(3).collect::<Vec<_>>(),
                        loadavg()
                    );
                }
            }
        };
        futures_util::future::select(Box::pin(run), Box::pin(ticker)).await;
        let total = t0.elapsed();

        let t = tally.lock().unwrap();
        let saves: Vec<Duration> = t.saves.iter().map(|(_, d)| *d).collect();
        let during_starts: Vec<Duration> = t
            .saves
            .iter()
            .filter(|(at, _)| at.as_secs_f64() < start_secs)
            .map(|(_, d)| *d)
            .collect();
        let save_window = match (t.saves.iter().map(|(a, _)| *a).min(), t.saves.iter().map(|(a, _)| *a).max()) {
            (Some(f), Some(l)) => (l - f).as_secs_f64(),
            _ => 0.0,
        };
        let save_rate = t.saves.len() as f64 / save_window.max(1e-9);
        let errors: u64 = t.errors.values().sum();
        let (start_p99, save_p99) = (percentile(&t.starts, 0.99), percentile(&saves, 0.99));
        println!(
            "starts: {} ok of {candidates}, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            t.starts.len(),
            ms(percentile(&t.starts, 0.5)),
            ms(start_p99),
            ms(percentile(&t.starts, 1.0))
        );
        println!(
            "saves: {} ok, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} while starts were still due, p99 {:.1} ms); \
             {save_rate:.0} saves/s over {save_window:.0} s = {:.3}× the /healthz rate",
            saves.len(),
            ms(percentile(&saves, 0.5)),
            ms(save_p99),
            ms(percentile(&saves, 1.0)),
            during_starts.len(),
            ms(percentile(&during_starts, 0.99)),
            save_rate / health_rate
        );
        println!(
            "submits: {} ok, p50 {:.1} ms, p99 {:.1} ms; whole run {:.1} s",
            t.submits.len(),
            ms(percentile(&t.submits, 0.5)),
            ms(percentile(&t.submits, 0.99)),
            total.as_secs_f64()
        );
        println!("errors: {errors} {:?}", t.errors);
        let checks = [
            ("errors 0", errors == 0),
            ("start p99 < 2 s", start_p99 < Duration::from_secs(2)),
            ("save p99 < 200 ms", save_p99 < Duration::from_millis(200)),
        ];
        for (what, ok) in checks {
            println!("{} {what}", if ok { "PASS" } else { "FAIL" });
        }
        println!(
            "{}; load average after: {}",
            if checks.iter().all(|(_, ok)| *ok) { "PASS" } else { "FAIL" },
            loadavg()
        );
    });
    drop(children);
    let (answers, graded) = exam::stored(&state);
    println!("stored: {answers} answers, {graded} graded items");
}
