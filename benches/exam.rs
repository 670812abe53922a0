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

#[path = "common/exam.rs"]
mod exam;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exam::{choice, env, ms, percentile};
use futures_util::StreamExt;
use serde_json::{Value, json};

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

fn main() {
    let candidates = env("CUNYI_BENCH_CANDIDATES", 5_000);
    let window = Duration::from_secs(env("CUNYI_BENCH_WINDOW_SECS", 60));
    let in_flight = env("CUNYI_BENCH_IN_FLIGHT", 500) as usize;
    let dir = tempfile::tempdir().unwrap();
    let url = exam::fresh_database_url("exam", dir.path());
    let state = exam::state(&url, 16);
    let backend = state.pool.get().unwrap().backend();
    let program = exam::program(&state);
    let t = Instant::now();
    exam::generate(&state, candidates, program);
    println!(
        "backend {backend:?}: {candidates} candidates generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The county admin who sets the exam; each candidate's token minted directly (logins
    // are measured by the login bench, not here).
    exam::county_admin(&state);
    let tokens = exam::tokens(&state);

    let addr = common::serve(state.clone());

    actix_web::rt::System::new().block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(in_flight)
            // Clients close idle connections before the server does (it keeps them 75 s).
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let exam_id = exam::create_exam(&client, &addr, program).await;

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
    let (answers, graded) = exam::stored(&state);
    println!("stored: {answers} answers, {graded} graded items");
}
