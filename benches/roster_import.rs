//! Roster import at province scale: a 100,000-row `.xlsx` imported into one county,
//! against a raw single-transaction insert of the same rows on the same backend.
//! Reports rows/s, the ratio (goal ≤ 2×) and each step's peak memory (each runs in
//! its own child process, so the peaks are its own).
//!
//! `cargo bench --bench roster_import` (SQLite), or with
//! `CUNYI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres` (an admin connection
//! that may create scratch databases) for PostgreSQL. `CUNYI_BENCH_ROWS` changes the size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use cunyi::audit::Actor;
use cunyi::config::Config;
use cunyi::roster::import::{Target, run};
use cunyi::roster::rules::{TEMPLATE_HEADERS, check_char};
use cunyi::state::AppState;
use diesel::RunQueryDsl;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const TOWNSHIPS: usize = 20;
const VILLAGES: usize = 25;

fn rows() -> usize {
    std::env::var("CUNYI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("import") => child(&args[2], &args[3], true),
        Some("raw") => child(&args[2], &args[3], false),
        _ => orchestrate(),
    }
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn state(url: &str) -> AppState {
    let vars = [
        ("CUNYI_DATABASE_URL".to_owned(), url.to_owned()),
        (
            "CUNYI_JWT_SECRET".to_owned(),
            "bench-secret-bench-secret-bench-secret".to_owned(),
        ),
        ("CUNYI_ID_KEY".to_owned(), KEY.to_owned()),
        ("CUNYI_DB_POOL_SIZE".to_owned(), "2".to_owned()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap();
    AppState::init(config).unwrap()
}

/// Untimed: the county's townships and villages, and the program.
fn setup(state: &AppState) {
    let mut csv = String::from("code,name\n");
    for t in 1..=TOWNSHIPS {
        csv.push_str(&format!("370402{t:03},压测{t}镇\n"));
        for v in 1..=VILLAGES {
            csv.push_str(&format!("370402{t:03}1{v:02},压测{t}镇{v}村\n"));
        }
    }
    let rows = cunyi::regions::csv::parse(csv.as_bytes(), 100_000).unwrap();
    let mut conn = state.pool.get().unwrap();
    let everything = cunyi::regions::Scope::new("", "/");
    cunyi::regions::import::run(
        &mut conn,
        &rows,
        &everything,
        false,
        false,
        cunyi::time::now(),
    )
    .unwrap();
    let def = cunyi::program::rules::preset("zaozhuang-2024").unwrap();
    cunyi::program::store::insert(&mut conn, &def, &Actor::cli(), cunyi::time::now()).unwrap();
}

fn child(url: &str, file: &str, import: bool) {
    let state = state(url);
    setup(&state);
    let bytes = std::fs::read(file).unwrap();
    let mut conn = state.pool.get().unwrap();
    let county = cunyi::regions::store::find(&mut conn, "370402")
        .unwrap()
        .unwrap();
    let limits = cunyi::sheet::Limits {
        max_bytes: usize::MAX,
        max_rows: 2_000_000,
        ..Default::default()
    };
    let (seconds, n) = if import {
        let start = Instant::now();
        let sheet = cunyi::sheet::read(&bytes, &limits).unwrap();
        let target = Target {
            county,
            program_id: None,
            dry_run: false,
        };
        let today = cunyi::time::today_cst();
        let report = run(
            &mut conn,
            &state.pii,
            &sheet,
            &target,
            &Actor::cli(),
            today,
            cunyi::time::now(),
            &|_| {},
        )
        .unwrap();
        assert!(
            report.errors.is_empty(),
            "{:?}",
            &report.errors[..report.errors.len().min(3)]
        );
        (start.elapsed().as_secs_f64(), report.created)
    } else {
        // The same rows, fully prepared outside the clock, inserted in one transaction.
        let sheet = cunyi::sheet::read(&bytes, &limits).unwrap();
        let program: i64 = {
            use cunyi::db::schema::programs::dsl::*;
            use diesel::prelude::*;
            programs.select(id).first(&mut conn).unwrap()
        };
        let prepared: Vec<cunyi::roster::store::DoctorRow> = sheet
            .rows
            .iter()
            .map(|(_, c)| {
                let id_number = c[1].text();
                cunyi::roster::store::DoctorRow {
                    name: c[0].text(),
                    id_number_enc: state.pii.encrypt(&id_number),
                    id_number_index: state.pii.blind_index(&id_number),
                    id_number_masked: cunyi::pii::mask_id_number(&id_number),
                    phone: c[2].text(),
                    gender: cunyi::roster::Gender::Male,
                    birth_date: chrono::NaiveDate::parse_from_str(&id_number[6..14], "%Y%m%d")
                        .unwrap(),
                    education: cunyi::roster::Education::Secondary,
                    qualification: cunyi::roster::Qualification::VillageDoctorCert,
                    region_code: c[8].text(),
                    county_code: "370402".into(),
                    clinic_id: None,
                    program_id: program,
                    cohort_year: c[10].text().parse().unwrap(),
                    status: cunyi::roster::DoctorStatus::Active,
                }
            })
            .collect();
        let start = Instant::now();
        let n = cunyi::db::write(&mut conn, |c| {
            cunyi::roster::store::insert_many(c, &prepared, None, cunyi::time::now())
        })
        .unwrap();
        (start.elapsed().as_secs_f64(), n)
    };
    println!("{seconds} {n} {:.0}", peak_mib());
}

/// A synthetic roster with unique valid ID numbers.
fn write_roster(path: &Path, n: usize) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in TEMPLATE_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..n {
        let r = i as u32 + 1;
        let born = 1960 + (i % 38);
        let day = 1 + (i / 38) % 28;
        let month = 1 + (i / (38 * 28)) % 12;
        let seq = i / (38 * 28 * 12);
        let first17 = format!("370402{born}{month:02}{day:02}{seq:03}");
        let id = format!("{first17}{}", check_char(first17.as_bytes()));
        let gender = if (seq % 10) % 2 == 1 { "男" } else { "女" };
        let t = 1 + i % TOWNSHIPS;
        let v = 1 + (i / TOWNSHIPS) % VILLAGES;
        let values = [
            format!("压测某{}", ["甲", "乙", "丙", "丁"][i % 4]),
            id,
            format!("138{:08}", i),
            gender.to_owned(),
            String::new(),
            "中专".to_owned(),
            "乡村医生执业证书".to_owned(),
            String::new(),
            format!("370402{t:03}1{v:02}"),
            String::new(),
            (2024 + i % 3).to_string(),
            String::new(),
        ];
        for (c, value) in values.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r, c as u16, value).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

fn fresh_database(dir: &Path, name: &str) -> String {
    match std::env::var("CUNYI_BENCH_POSTGRES_URL") {
        Ok(admin) => {
            let mut conn = cunyi::db::connect(&admin).unwrap();
            let db = format!("cunyi_bench_{name}_{}", std::process::id());
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {db}"))
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE {db}"))
                .execute(&mut conn)
                .unwrap();
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(b, _)| b)
                .to_owned();
            format!("{base}/{db}")
        }
        Err(_) => dir
            .join(format!("{name}.db"))
            .to_string_lossy()
            .into_owned(),
    }
}

fn orchestrate() {
    let n = rows();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("roster.xlsx");
    let t = Instant::now();
    write_roster(&file, n);
    let size = std::fs::metadata(&file).unwrap().len();
    println!(
        "generated {n} rows, {:.1} MB, in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let backend = if std::env::var("CUNYI_BENCH_POSTGRES_URL").is_ok() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let exe = std::env::current_exe().unwrap();
    let mut results = Vec::new();
    for mode in ["import", "raw"] {
        let url = fresh_database(dir.path(), mode);
        let out = Command::new(&exe)
            .args([mode, &url, file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).unwrap();
        let parts: Vec<f64> = line
            .split_whitespace()
            .map(|p| p.parse().unwrap())
            .collect();
        results.push((mode, parts[0], parts[1] as usize, parts[2]));
    }
    let (_, import_s, imported, import_peak) = results[0];
    let (_, raw_s, inserted, raw_peak) = results[1];
    assert_eq!(imported, n);
    assert_eq!(inserted, n);
    println!(
        "backend: {backend}, cores: {}",
        std::thread::available_parallelism().map_or(1, |c| c.get())
    );
    println!(
        "import:  {import_s:.2} s, {:.0} rows/s, peak memory {import_peak:.0} MiB (read + check + encrypt + write)",
        n as f64 / import_s
    );
    println!(
        "raw:     {raw_s:.2} s, {:.0} rows/s, peak memory {raw_peak:.0} MiB (prepared rows, one transaction)",
        n as f64 / raw_s
    );
    println!(
        "ratio import / raw insert: {:.2}× (goal ≤ 2×)",
        import_s / raw_s
    );
}
