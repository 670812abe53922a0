//! Progress at city scale (issue 14 items 3–4): one city of 100,000 doctors in five
//! districts, 13 study records each (1.3 million, half the doctors on pace), generated
//! inside the database (bulk SQL, not HTTP), the maintained totals rebuilt from them.
//! Measures over HTTP, p50/p99 and the ratio to `/healthz` in the same run
//! (`/healthz` p50 ÷ request p50: the share of the floor's rate one connection keeps):
//! the city table's first page, its "behind" filter (first page and a deep page), a name
//! search, one district's first page, and one doctor's progress; and in SQL alone (the
//! ≤ 20 ms goal) the table's first page with its count — of the city, with the chart,
//! behind, of a district, of a name search (with the chart; a one-character search).
//!
//! `cargo bench --bench progress` (SQLite), or `CUNYI_BENCH_POSTGRES_URL=postgres://…/postgres`;
//! `CUNYI_BENCH_DOCTORS` scales it down for a quick look.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use cunyi::audit::Actor;
use cunyi::auth::{Role, password};
use cunyi::config::Config;
use cunyi::db::{AnyConnection, Backend};
use cunyi::state::AppState;
use diesel::RunQueryDsl;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const PASSWORD: &str = "bench-2026";
const PER_DOCTOR: i64 = 13;
const COUNTIES: [&str; 5] = ["370402", "370403", "370404", "370405", "370406"];

fn env(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn exec(conn: &mut AnyConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// 枣庄: five districts of 20 townships × 25 villages; `doctors` doctors spread over
/// their 2,500 villages; every even doctor on pace (every hour credited), the others
/// with a little of each kind; one in a thousand named 李晓梅 (the search's target).
fn generate(state: &AppState, doctors: i64) -> i64 {
    let mut conn = state.pool.get().unwrap();
    let pg = conn.backend() == Backend::Postgres;
    let mut csv = String::from("code,name\n");
    for county in COUNTIES {
        for t in 1..=20 {
            csv.push_str(&format!("{county}{t:03},压测{county}-{t}镇\n"));
            for v in 1..=25 {
                csv.push_str(&format!("{county}{t:03}1{v:02},压测{t}镇{v}村\n"));
            }
        }
    }
    let rows = cunyi::regions::csv::parse(csv.as_bytes(), 100_000).unwrap();
    cunyi::regions::import::run(
        &mut conn,
        &rows,
        &cunyi::regions::Scope::new("", "/"),
        false,
        false,
        cunyi::time::now(),
    )
    .unwrap();
    let program = cunyi::program::store::insert(
        &mut conn,
        &cunyi::program::rules::preset("zaozhuang-2024").unwrap(),
        &Actor::cli(),
        cunyi::time::now(),
    )
    .unwrap()
    .row
    .id;
    let county_case: String = COUNTIES
        .iter()
        .enumerate()
        .map(|(i, c)| format!("WHEN {i} THEN '{c}' "))
        .collect();
    let county = format!("CASE (i % 5) {county_case} END");
    let (series, with, pad3, pad2) = if pg {
        (
            format!("generate_series(0, {}) AS n(i)", doctors - 1),
            String::new(),
            "lpad(((i / 5) % 20 + 1)::text, 3, '0')",
            "lpad(((i / 100) % 25 + 1)::text, 2, '0')",
        )
    } else {
        (
            "n".to_owned(),
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
                doctors - 1
            ),
            "printf('%03d', (i / 5) % 20 + 1)",
            "printf('%02d', (i / 100) % 25 + 1)",
        )
    };
    let region = format!("{county} || {pad3} || '1' || {pad2}");
    exec(
        &mut conn,
        &format!(
            "{with}INSERT INTO doctors (name, id_number_enc, id_number_index, id_number_masked, phone, gender, birth_date, \
             education, qualification, region_code, county_code, program_id, cohort_year, status, created_at, updated_at) \
             SELECT CASE WHEN i % 1000 = 7 THEN '李晓梅' ELSE '压测某' || i END, 'v1:x', 'gen' || i, \
             '370402********0000', '13800000000', 'male', '1980-01-01', 'secondary', 'village_doctor_cert', \
             {region}, {county}, {program}, 2024, 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM {series}"
        ),
    );
    let (kseries, kwith, date) = if pg {
        (
            format!("generate_series(0, {}) AS k(j)", PER_DOCTOR - 1),
            String::new(),
            "DATE '2025-01-01' + (j * 3)::int".to_owned(),
        )
    } else {
        (
            "k".to_owned(),
            format!(
                "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < {}) ",
                PER_DOCTOR - 1
            ),
            "date('2025-01-01', '+' || (j * 3) || ' days')".to_owned(),
        )
    };
    // Even doctors: 7 × 1440 online, 3 × 1200 centralized, 3 × 1200 shadowing — every
    // requirement met; odd ones 30–209 minutes a record.
    exec(
        &mut conn,
        &format!(
            "{kwith}INSERT INTO study_records (doctor_id, program_id, kind, minutes, occurred_on, source, source_ref, status, \
             unit_score, created_at, updated_at) \
             SELECT d.id, d.program_id, CASE WHEN j < 7 THEN 'online' WHEN j < 10 THEN 'centralized' ELSE 'shadowing' END, \
             CASE WHEN d.id % 2 = 0 THEN (CASE WHEN j < 7 THEN 1440 ELSE 1200 END) ELSE 30 + (j * 37 + d.id) % 180 END, \
             {date}, 'manual', 'gen:' || j, \
             CASE WHEN d.id % 2 = 1 AND (j + d.id) % 17 = 0 THEN 'pending' ELSE 'approved' END, \
             CASE WHEN j < 7 THEN 600 + (j * 13 + d.id) % 400 ELSE NULL END, '2026-01-01 00:00:00', '2026-01-01 00:00:00' \
             FROM doctors d CROSS JOIN {kseries} WHERE d.id_number_index LIKE 'gen%'"
        ),
    );
    // The totals, as the ledger's write path keeps them.
    let ids: Vec<i64> = {
        use cunyi::db::schema::doctors::dsl::*;
        use diesel::prelude::*;
        doctors.select(id).load(&mut conn).unwrap()
    };
    cunyi::db::write(&mut conn, |c| cunyi::study::store::totals::refresh(c, &ids)).unwrap();
    exec(&mut conn, "ANALYZE");
    program
}

fn account(state: &AppState, username: &str, role: Role, region: &str) {
    let mut conn = state.pool.get().unwrap();
    let new = cunyi::users::NewUser {
        username: cunyi::auth::rules::Username::parse(username).unwrap(),
        password: cunyi::auth::rules::NewPassword::parse(PASSWORD, None).unwrap(),
        display_name: username.into(),
        role,
        region_code: cunyi::regions::RegionCode::parse(region).unwrap(),
    };
    let hash = password::hash_blocking(PASSWORD).unwrap();
    cunyi::users::store::insert(&mut conn, &new, &hash, &Actor::cli(), cunyi::time::now()).unwrap();
}

struct Timing {
    p50: Duration,
    p99: Duration,
}

async fn measure(
    client: &reqwest::Client,
    url: impl Fn(i64) -> String,
    token: Option<&str>,
    n: i64,
    check: impl Fn(&serde_json::Value),
) -> Timing {
    let get = |u: String| {
        let r = client.get(u);
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    };
    for i in 0..n.min(20) {
        get(url(i)).send().await.unwrap().bytes().await.unwrap();
    }
    let mut times = Vec::with_capacity(n as usize);
    for i in 0..n {
        let t = Instant::now();
        let r = get(url(i)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        times.push(t.elapsed());
        if i == 0 && token.is_some() {
            check(&serde_json::from_slice(&body).unwrap());
        }
    }
    Timing {
        p50: percentile(times.clone(), 0.5),
        p99: percentile(times, 0.99),
    }
}

fn report(name: &str, t: &Timing, floor: &Timing) {
    println!(
        "{name:<44} p50 {:>7.2} ms  p99 {:>7.2} ms  ratio to /healthz {:.3}",
        ms(t.p50),
        ms(t.p99),
        ms(floor.p50) / ms(t.p50)
    );
}

fn main() {
    let doctors = env("CUNYI_BENCH_DOCTORS", 100_000);
    let n = env("CUNYI_BENCH_REQUESTS", 500);
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("CUNYI_BENCH_POSTGRES_URL") {
        Ok(admin) => {
            let mut conn = cunyi::db::connect(&admin).unwrap();
            let db = format!("cunyi_bench_progress_{}", std::process::id());
            exec(&mut conn, &format!("CREATE DATABASE {db}"));
            format!("{}/{db}", admin.rsplit_once('/').unwrap().0)
        }
        Err(_) => dir
            .path()
            .join("progress.db")
            .to_string_lossy()
            .into_owned(),
    };
    let vars = [
        ("CUNYI_DATABASE_URL".to_owned(), url),
        (
            "CUNYI_JWT_SECRET".to_owned(),
            "bench-secret-bench-secret-bench-secret".to_owned(),
        ),
        ("CUNYI_ID_KEY".to_owned(), KEY.to_owned()),
        ("CUNYI_DB_POOL_SIZE".to_owned(), "8".to_owned()),
    ];
    let state = AppState::init(
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap(),
    )
    .unwrap();
    let backend = state.pool.get().unwrap().backend();
    let t = Instant::now();
    let program = generate(&state, doctors);
    println!(
        "backend {backend:?}: generated {doctors} doctors × {PER_DOCTOR} records and their totals in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    account(&state, "bench.city", Role::CityAdmin, "370400");

    // The first page in SQL alone: the store's page and count, as the API runs them (and
    // once with the chart's counts, as the page adds them).
    {
        let mut conn = state.pool.get().unwrap();
        let city = cunyi::regions::resolve(&mut conn, "370400")
            .unwrap()
            .unwrap()
            .scope();
        let district = cunyi::regions::resolve(&mut conn, "370403")
            .unwrap()
            .unwrap()
            .scope();
        let programs = [program];
        let today = cunyi::time::today_cst();
        let cases: [(&str, &cunyi::regions::Scope, Option<&str>, bool, bool); 7] = [
            ("first page + count", &city, None, false, false),
            ("first page + count + chart", &city, None, false, true),
            ("behind, first page + count", &city, None, true, false),
            (
                "one district, first page + count",
                &district,
                None,
                false,
                false,
            ),
            (
                "name search (晓梅) + count",
                &city,
                Some("晓梅"),
                false,
                false,
            ),
            (
                "name search (晓梅) + count + chart",
                &city,
                Some("晓梅"),
                false,
                true,
            ),
            (
                "name search (李, one character) + count",
                &city,
                Some("李"),
                false,
                false,
            ),
        ];
        for (label, scope, name, behind_only, chart) in cases {
            let filter = cunyi::study::store::table::Filter {
                scope: Some(scope),
                status: Some("active"),
                name,
                behind_only,
                today,
            };
            let mut times = Vec::new();
            for _ in 0..n.min(200) {
                let t = Instant::now();
                let lines =
                    cunyi::study::store::table::lines(&mut conn, &programs, &filter, 0, Some(50))
                        .unwrap();
                let total =
                    cunyi::study::store::table::count(&mut conn, &programs, &filter).unwrap();
                if chart {
                    let s =
                        cunyi::study::store::table::summary(&mut conn, &programs, &filter).unwrap();
                    assert_eq!(s.total, total);
                }
                assert!(!lines.is_empty());
                assert!(total >= lines.len() as i64);
                times.push(t.elapsed());
            }
            println!(
                "SQL: {label:<40} p50 {:>7.2} ms  p99 {:>7.2} ms",
                ms(percentile(times.clone(), 0.5)),
                ms(percentile(times, 0.99))
            );
        }
    }

    let addr = common::serve(state.clone());
    let rt = actix_web::rt::System::new();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login: serde_json::Value = client
            .post(format!("{addr}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": "bench.city", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap().to_owned();
        let (first, last): (i64, i64) = {
            use cunyi::db::schema::doctors::dsl::*;
            use diesel::prelude::*;
            let mut c = state.pool.get().unwrap();
            (
                doctors
                    .select(diesel::dsl::min(id))
                    .first::<Option<i64>>(&mut c)
                    .unwrap()
                    .unwrap(),
                doctors
                    .select(diesel::dsl::max(id))
                    .first::<Option<i64>>(&mut c)
                    .unwrap()
                    .unwrap(),
            )
        };
        let deep = (doctors / 2 / 50).clamp(1, 100);
        let floor = measure(&client, |_| format!("{addr}/healthz"), None, n * 4, |_| {}).await;
        report("/healthz", &floor, &floor);
        let total = |want: i64| {
            move |b: &serde_json::Value| {
                assert!(b["total"].as_i64().unwrap() >= want, "{}", b["total"]);
                assert!(!b["items"].as_array().unwrap().is_empty());
            }
        };
        let t = measure(
            &client,
            |_| format!("{addr}/api/v1/progress?per_page=50"),
            Some(&token),
            n,
            total(doctors),
        )
        .await;
        report("table, first page (50 of the city)", &t, &floor);
        let t = measure(
            &client,
            |_| format!("{addr}/api/v1/progress?behind=true&per_page=50"),
            Some(&token),
            n,
            total(doctors / 2),
        )
        .await;
        report("table, behind, first page", &t, &floor);
        let t = measure(
            &client,
            // Page 100, or the last page when scaled down.
            |_| format!("{addr}/api/v1/progress?behind=true&per_page=50&page={deep}"),
            Some(&token),
            n,
            total(doctors / 2),
        )
        .await;
        report(&format!("table, behind, page {deep}"), &t, &floor);
        let t = measure(
            &client,
            |_| format!("{addr}/api/v1/progress?q=%E6%99%93%E6%A2%85&per_page=50"),
            Some(&token),
            n,
            total(doctors / 1000),
        )
        .await;
        report("table, name search (晓梅)", &t, &floor);
        let t = measure(
            &client,
            |_| format!("{addr}/api/v1/progress?region=370403&per_page=50"),
            Some(&token),
            n,
            total(doctors / 5),
        )
        .await;
        report("table, one district (370403), first page", &t, &floor);
        let pick = |i: i64| first + (i * 7919) % (last - first + 1);
        let t = measure(
            &client,
            |i| format!("{addr}/api/v1/doctors/{}/progress", pick(i)),
            Some(&token),
            n * 4,
            |b| {
                assert!(b["online"]["credited_minutes"].as_i64().is_some());
            },
        )
        .await;
        report("one doctor's progress", &t, &floor);
    });
}
