//! The study ledger at province scale: 100,000 doctors with 100 study records each
//! (10 million), generated inside the database. Measures
//! 1. one doctor's progress over HTTP (p50/p99), against the best hand-written indexed
//!    SQL for the same answer (one aggregate query) on the same backend;
//! 2. the county progress table for 10,000 doctors over HTTP, against the same;
//! 3. a platform-export import of 1,000,000 rows, in rows/s.
//!
//! `cargo bench --bench ledger` (SQLite), or `CUNYI_BENCH_POSTGRES_URL=postgres://…/postgres`.
//! `CUNYI_BENCH_DOCTORS`, `CUNYI_BENCH_IMPORT_ROWS` scale it down for a quick look.
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
use diesel::sql_types::{BigInt, Double, Nullable, Text};

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const PER_DOCTOR: i64 = 100;
const COUNTY_DOCTORS: i64 = 10_000;
const PASSWORD: &str = "bench-2026";

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

/// Everything under 370000: the county 370402 gets 10,000 doctors in 500 villages, the
/// other 17 districts of Zaozhuang and Weifang share the rest.
fn generate(state: &AppState, doctors: i64) {
    let mut conn = state.pool.get().unwrap();
    let pg = conn.backend() == Backend::Postgres;
    let mut csv = String::from("code,name\n");
    for t in 1..=20 {
        csv.push_str(&format!("370402{t:03},压测{t}镇\n"));
        for v in 1..=25 {
            csv.push_str(&format!("370402{t:03}1{v:02},压测{t}镇{v}村\n"));
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
    let zz = cunyi::program::store::insert(
        &mut conn,
        &cunyi::program::rules::preset("zaozhuang-2024").unwrap(),
        &Actor::cli(),
        cunyi::time::now(),
    )
    .unwrap()
    .row
    .id;
    let wf = cunyi::program::store::insert(
        &mut conn,
        &cunyi::program::rules::preset("weifang-2024").unwrap(),
        &Actor::cli(),
        cunyi::time::now(),
    )
    .unwrap()
    .row
    .id;
    let others = [
        "370403", "370404", "370405", "370406", "370481", "370702", "370703", "370704", "370705",
        "370724", "370725", "370781", "370782", "370783", "370784", "370785", "370786",
    ];
    let others_case: String = others
        .iter()
        .enumerate()
        .map(|(i, c)| format!("WHEN {i} THEN '{c}' "))
        .collect();
    let (series, pad3, pad2) = if pg {
        (
            format!("generate_series(0, {}) AS n(i)", doctors - 1),
            "lpad(((i / 25) % 20 + 1)::text, 3, '0')",
            "lpad((i % 25 + 1)::text, 2, '0')",
        )
    } else {
        (
            "n".to_owned(),
            "printf('%03d', (i / 25) % 20 + 1)",
            "printf('%02d', i % 25 + 1)",
        )
    };
    let with = if pg {
        String::new()
    } else {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
            doctors - 1
        )
    };
    let county = format!(
        "CASE WHEN i < {COUNTY_DOCTORS} THEN '370402' ELSE CASE (i % 17) {others_case} END END"
    );
    let region = format!(
        "CASE WHEN i < {COUNTY_DOCTORS} THEN '370402' || {pad3} || '1' || {pad2} ELSE {county} END"
    );
    let program = format!("CASE WHEN ({county}) LIKE '3707%' THEN {wf} ELSE {zz} END");
    exec(
        &mut conn,
        &format!(
            "{with}INSERT INTO doctors (name, id_number_enc, id_number_index, id_number_masked, phone, gender, birth_date, \
         education, qualification, region_code, county_code, program_id, cohort_year, status, created_at, updated_at) \
         SELECT '压测某' || i, 'v1:x', 'gen' || i, '370402********0000', '13800000000', 'male', '1980-01-01', \
         'secondary', 'village_doctor_cert', {region}, {county}, {program}, 2025, 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00' \
         FROM {series}"
        ),
    );
    let (kseries, date, kwith) = if pg {
        (
            format!("generate_series(0, {}) AS k(j)", PER_DOCTOR - 1),
            "DATE '2024-01-01' + (j * 9 + d.id % 9)::int".to_owned(),
            String::new(),
        )
    } else {
        (
            "k".to_owned(),
            "date('2024-01-01', '+' || (j * 9 + d.id % 9) || ' days')".to_owned(),
            format!(
                "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < {}) ",
                PER_DOCTOR - 1
            ),
        )
    };
    exec(
        &mut conn,
        &format!(
            "{kwith}INSERT INTO study_records (doctor_id, program_id, kind, minutes, occurred_on, source, source_ref, status, \
         unit_score, created_at, updated_at) \
         SELECT d.id, d.program_id, CASE WHEN j < 70 THEN 'online' WHEN j < 90 THEN 'centralized' ELSE 'shadowing' END, \
         30 + (j * 37 + d.id) % 180, {date}, 'platform', 'gen:' || j, \
         CASE WHEN (j + d.id) % 17 = 0 THEN 'pending' ELSE 'approved' END, \
         CASE WHEN j < 70 THEN 600 + (j * 13 + d.id) % 400 ELSE NULL END, '2026-01-01 00:00:00', '2026-01-01 00:00:00' \
         FROM doctors d CROSS JOIN {kseries} WHERE d.id_number_index LIKE 'gen%'"
        ),
    );
    // The totals progress reads, as the ledger's write path keeps them.
    let ids: Vec<i64> = {
        use cunyi::db::schema::doctors::dsl::*;
        use diesel::prelude::*;
        doctors.select(id).load(&mut conn).unwrap()
    };
    cunyi::db::write(&mut conn, |c| cunyi::study::store::totals::refresh(c, &ids)).unwrap();
    exec(&mut conn, "ANALYZE");
}

#[derive(diesel::QueryableByName)]
#[allow(dead_code)]
struct Agg {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    year: String,
    #[diesel(sql_type = BigInt)]
    minutes: i64,
    #[diesel(sql_type = BigInt)]
    days: i64,
    #[diesel(sql_type = Nullable<Double>)]
    score: Option<f64>,
}

#[derive(diesel::QueryableByName)]
#[allow(dead_code)]
struct CountyAgg {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    minutes: i64,
}

/// The hand-written answer for one doctor: minutes by kind, status and year, online
/// days and the mean unit score — one indexed aggregate.
fn hand_progress(conn: &mut AnyConnection, doctor: i64) -> Vec<Agg> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT kind, status, EXTRACT(YEAR FROM occurred_on)::text AS year, SUM(minutes)::bigint AS minutes, \
             COUNT(DISTINCT occurred_on)::bigint AS days, AVG(unit_score)::float8 AS score FROM study_records \
             WHERE doctor_id = $1 GROUP BY kind, status, year"
        }
        Backend::Sqlite => {
            "SELECT kind, status, substr(occurred_on, 1, 4) AS year, SUM(minutes) AS minutes, \
             COUNT(DISTINCT occurred_on) AS days, AVG(unit_score) AS score FROM study_records \
             WHERE doctor_id = ? GROUP BY kind, status, year"
        }
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(doctor)
        .load(conn)
        .unwrap()
}

/// The hand-written county table: per doctor in post, minutes by kind and status.
fn hand_county(conn: &mut AnyConnection) -> Vec<CountyAgg> {
    let cast = if conn.backend() == Backend::Postgres {
        "::bigint"
    } else {
        ""
    };
    diesel::sql_query(format!(
        "SELECT d.id, d.name, r.kind, r.status, SUM(r.minutes){cast} AS minutes FROM doctors d \
         JOIN study_records r ON r.doctor_id = d.id WHERE d.county_code = '370402' AND d.status = 'active' \
         GROUP BY d.id, d.name, r.kind, r.status"
    ))
    .load(conn)
    .unwrap()
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

/// A 1,000,000-row platform export for 10,000 fresh doctors of 峄城区 (real ID numbers).
fn import_bench(state: &AppState, rows: i64) -> (f64, usize) {
    let mut conn = state.pool.get().unwrap();
    let doctors = (rows / PER_DOCTOR).max(1);
    let program: i64 = {
        use cunyi::db::schema::programs::dsl::*;
        use diesel::prelude::*;
        programs
            .filter(preset.eq("zaozhuang-2024"))
            .select(id)
            .first(&mut conn)
            .unwrap()
    };
    let mut ids = Vec::new();
    let mut batch = Vec::new();
    for i in 0..doctors {
        let first17 = format!(
            "370404{}{:02}{:02}{:03}",
            1960 + i % 38,
            1 + (i / 38) % 12,
            1 + (i / 456) % 28,
            i / 12768
        );
        let id = format!(
            "{first17}{}",
            cunyi::roster::rules::check_char(first17.as_bytes())
        );
        batch.push(cunyi::roster::store::DoctorRow {
            name: format!("导入某{i}")
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .collect(),
            id_number_enc: state.pii.encrypt(&id),
            id_number_index: state.pii.blind_index(&id),
            id_number_masked: cunyi::pii::mask_id_number(&id),
            phone: "13800000000".into(),
            gender: cunyi::roster::Gender::Male,
            birth_date: chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
            education: cunyi::roster::Education::Secondary,
            qualification: cunyi::roster::Qualification::VillageDoctorCert,
            region_code: "370404".into(),
            county_code: "370404".into(),
            clinic_id: None,
            program_id: program,
            cohort_year: 2025,
            status: cunyi::roster::DoctorStatus::Active,
        });
        ids.push(id);
    }
    cunyi::db::write(&mut conn, |c| {
        cunyi::roster::store::insert_many(c, &batch, None, cunyi::time::now())
    })
    .unwrap();
    let codes = ["ZZ-PL", "ZZ-PH", "ZZ-GP", "ZZ-TCM", "ZZ-EM"];
    let mut csv = String::with_capacity(rows as usize * 60);
    csv.push_str("身份证号,课程编号,分钟,完成日期,单元成绩\n");
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for r in 0..rows {
        let (d, k) = (r / PER_DOCTOR, r % PER_DOCTOR);
        let day = start + chrono::Duration::days(k * 9);
        csv.push_str(&format!(
            "{},{},30,{day},88\n",
            ids[d as usize],
            codes[(k % 5) as usize]
        ));
    }
    drop(conn);
    let county = cunyi::regions::store::find(&mut state.pool.get().unwrap(), "370404")
        .unwrap()
        .unwrap();
    let started = Instant::now();
    let limits = cunyi::sheet::Limits {
        max_bytes: usize::MAX,
        max_rows: 5_000_000,
        ..Default::default()
    };
    let sheet = cunyi::sheet::read(csv.as_bytes(), &limits).unwrap();
    let target = cunyi::study::ImportTarget {
        county,
        platform: "ncme".into(),
        dry_run: false,
    };
    let report = cunyi::study::import_platform_export(
        &mut state.pool.get().unwrap(),
        &state.pii,
        &sheet,
        &target,
        &Actor::cli(),
        cunyi::time::today_cst(),
        cunyi::time::now(),
    )
    .unwrap();
    assert!(
        report.errors.is_empty(),
        "{:?}",
        &report.errors[..report.errors.len().min(3)]
    );
    (started.elapsed().as_secs_f64(), report.created)
}

fn main() {
    let doctors = env("CUNYI_BENCH_DOCTORS", 100_000);
    let import_rows = env("CUNYI_BENCH_IMPORT_ROWS", 1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("CUNYI_BENCH_POSTGRES_URL") {
        Ok(admin) => {
            let mut conn = cunyi::db::connect(&admin).unwrap();
            let db = format!("cunyi_bench_ledger_{}", std::process::id());
            exec(&mut conn, &format!("CREATE DATABASE {db}"));
            format!("{}/{db}", admin.rsplit_once('/').unwrap().0)
        }
        Err(_) => dir.path().join("ledger.db").to_string_lossy().into_owned(),
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
    generate(&state, doctors);
    println!(
        "backend {backend:?}: generated {doctors} doctors × {PER_DOCTOR} records in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    account(&state, "bench.root", Role::Sysadmin, "370000");
    account(&state, "bench.county", Role::CountyAdmin, "370402");

    let addr = common::serve(state.clone());
    let rt = actix_web::rt::System::new();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login = |u: &'static str| {
            let client = client.clone();
            let addr = addr.clone();
            async move {
                let r: serde_json::Value = client.post(format!("{addr}/api/v1/auth/login"))
                    .json(&serde_json::json!({"username": u, "password": PASSWORD})).send().await.unwrap().json().await.unwrap();
                r["token"].as_str().unwrap().to_owned()
            }
        };
        let root = login("bench.root").await;
        let county = login("bench.county").await;
        let (first, last): (i64, i64) = {
            use cunyi::db::schema::doctors::dsl::*;
            use diesel::prelude::*;
            let mut c = state.pool.get().unwrap();
            (doctors.select(diesel::dsl::min(id)).first::<Option<i64>>(&mut c).unwrap().unwrap(),
             doctors.select(diesel::dsl::max(id)).first::<Option<i64>>(&mut c).unwrap().unwrap())
        };
        // 0. The floor: an HTTP round trip that does nothing.
        let mut floor = Vec::new();
        for _ in 0..2_000 {
            let t = Instant::now();
            client.get(format!("{addr}/healthz")).send().await.unwrap().bytes().await.unwrap();
            floor.push(t.elapsed());
        }
        let mut me = Vec::new();
        for _ in 0..2_000 {
            let t = Instant::now();
            client.get(format!("{addr}/api/v1/me")).bearer_auth(&root).send().await.unwrap().bytes().await.unwrap();
            me.push(t.elapsed());
        }
        println!(
            "HTTP floor: /healthz p50 {:.2} ms; authenticated /api/v1/me p50 {:.2} ms (token check + account read)",
            ms(percentile(floor, 0.5)),
            ms(percentile(me, 0.5))
        );
        // 1. One doctor's progress.
        let n = 2_000;
        let pick = |i: i64| first + (i * 7919) % (last - first + 1);
        for i in 0..50 {
            client.get(format!("{addr}/api/v1/doctors/{}/progress", pick(i))).bearer_auth(&root).send().await.unwrap();
        }
        let mut http = Vec::with_capacity(n);
        for i in 0..n as i64 {
            let t = Instant::now();
            let r = client.get(format!("{addr}/api/v1/doctors/{}/progress", pick(i))).bearer_auth(&root).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
            http.push(t.elapsed());
        }
        let mut conn = state.pool.get().unwrap();
        let mut sql = Vec::with_capacity(n);
        for i in 0..n as i64 {
            let t = Instant::now();
            let rows = hand_progress(&mut conn, pick(i));
            assert!(!rows.is_empty());
            sql.push(t.elapsed());
        }
        let (hp50, hp99, sp50, sp99) = (percentile(http.clone(), 0.5), percentile(http, 0.99), percentile(sql.clone(), 0.5), percentile(sql, 0.99));
        println!("progress of one doctor: HTTP p50 {:.2} ms p99 {:.2} ms; hand SQL p50 {:.2} ms p99 {:.2} ms; ratio p50 {:.2}× p99 {:.2}×",
            ms(hp50), ms(hp99), ms(sp50), ms(sp99), ms(hp50) / ms(sp50), ms(hp99) / ms(sp99));

        // 2. The county table (10,000 doctors), the whole table computed per request.
        let runs = 10;
        let mut http = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = client.get(format!("{addr}/api/v1/progress?per_page=500")).bearer_auth(&county).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["total"].as_i64(), Some(COUNTY_DOCTORS.min(doctors)));
            http.push(t.elapsed());
        }
        let mut sql = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let rows = hand_county(&mut conn);
            assert!(!rows.is_empty());
            sql.push(t.elapsed());
        }
        let (h, s) = (percentile(http, 0.5), percentile(sql, 0.5));
        println!("county table ({} doctors): HTTP p50 {:.0} ms; hand SQL p50 {:.0} ms; ratio {:.2}×", COUNTY_DOCTORS.min(doctors), ms(h), ms(s), ms(h) / ms(s));
    });
    // 3. The platform import.
    let (seconds, created) = import_bench(&state, import_rows);
    println!(
        "platform import: {created} rows in {seconds:.1} s = {:.0} rows/s",
        created as f64 / seconds
    );
}
