//! The progress table's maintained tally and name grams (issue 14 §4, kept by triggers on
//! `doctors`): after every kind of doctor write the count and the chart equal what a full
//! scan of the doctors says; a name search returns exactly the doctors `LIKE '%…%'` does;
//! another county's doctors are not counted; `cunyi check ledger` catches a tampered tally
//! row or a lost posting and `--fix` repairs them.

use std::process::Command;

use chrono::{Days, NaiveDate};
use cunyi::auth::Role;
use cunyi::regions::Scope;
use cunyi::study::store::{table, tally};
use cunyi::study::{Credit, NewRecord, RecordStatus, Source, StudyKind};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::json;

use crate::both_backends;
use crate::support::{Backend, TestApp, id_number, spawn};

both_backends!(
    the_count_and_the_chart_follow_every_kind_of_write,
    a_name_search_finds_exactly_what_like_finds,
    check_ledger_catches_a_tampered_tally_and_lost_grams,
);

const REGIONS: &str = "代码,名称\n370402001,中心街街道\n370402001101,东村\n370402001102,西村\n";

#[derive(QueryableByName, Debug)]
struct ScanRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    behind_from: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    progress_bin: i32,
}

fn scope(app: &TestApp, code: &str) -> Scope {
    app.with_conn(|c| cunyi::regions::resolve(c, code).unwrap().unwrap().scope())
}

/// The doctors a full scan keeps, in (region code, id) order: no tally, no grams.
fn scan(app: &TestApp, filter: &table::Filter<'_>) -> Vec<ScanRow> {
    app.with_conn(|conn| {
        let mut conds = vec!["1 = 1".to_owned()];
        let mut binds = Vec::new();
        if let Some(s) = filter.scope {
            conds.push(format!("r.path LIKE '{}%'", s.lower()));
        }
        if let Some(st) = filter.status {
            conds.push(format!("d.status = '{st}'"));
        }
        if let Some(name) = filter.name {
            let escaped = name
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            binds.push(format!("%{escaped}%"));
            conds.push(match conn.backend() {
                cunyi::db::Backend::Postgres => "d.name LIKE $1 ESCAPE '\\'".to_owned(),
                cunyi::db::Backend::Sqlite => "d.name LIKE ? ESCAPE '\\'".to_owned(),
            });
        }
        let sql = format!(
            "SELECT d.id AS id, d.behind_from AS behind_from, d.progress_bin AS progress_bin \
             FROM doctors d JOIN regions r ON r.code = d.region_code WHERE {} \
             ORDER BY d.region_code, d.id",
            conds.join(" AND ")
        );
        cunyi::per_backend!(conn, |c| {
            let mut q = diesel::sql_query(sql).into_boxed();
            for b in binds {
                q = q.bind::<Text, _>(b);
            }
            q.load::<ScanRow>(c).unwrap()
        })
    })
}

/// The store's count, chart and lines (all programs) equal the scan's, behind or not.
fn agrees(app: &TestApp, scope: Option<&Scope>, status: Option<&str>, name: Option<&str>) {
    let programs = app.with_conn(|c| table::program_ids(c).unwrap());
    for today in [
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        cunyi::time::today_cst(),
        NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
    ] {
        for behind_only in [false, true] {
            let filter = table::Filter {
                scope,
                status,
                name,
                behind_only,
                today,
            };
            let all = scan(app, &filter);
            let behind = |r: &ScanRow| r.behind_from.is_some_and(|d| d <= today);
            let kept: Vec<i64> = all
                .iter()
                .filter(|r| !behind_only || behind(r))
                .map(|r| r.id)
                .collect();
            let mut chart = table::Summary::default();
            for r in &all {
                chart.total += 1;
                chart.behind += i64::from(behind(r));
                chart.bins[usize::try_from(r.progress_bin).unwrap_or(0).min(5)] += 1;
            }
            let what = format!("{filter:?}");
            app.with_conn(|c| {
                assert_eq!(
                    table::count(c, &programs, &filter).unwrap(),
                    kept.len() as i64,
                    "count {what}"
                );
                assert_eq!(
                    table::summary(c, &programs, &filter).unwrap(),
                    chart,
                    "chart {what}"
                );
                let lines: Vec<i64> = table::lines(c, &programs, &filter, 0, None)
                    .unwrap()
                    .into_iter()
                    .map(|l| l.id)
                    .collect();
                assert_eq!(lines, kept, "lines {what}");
            });
        }
    }
}

/// Every scope and status the table asks, equal to the scan; the tally equal to the
/// doctors' recount.
fn all_agree(app: &TestApp) {
    let (city, county, other, township) = (
        scope(app, "370400"),
        scope(app, "370402"),
        scope(app, "370403"),
        scope(app, "370402001"),
    );
    for s in [
        None,
        Some(&city),
        Some(&county),
        Some(&other),
        Some(&township),
    ] {
        for status in [Some("active"), Some("left_post"), None] {
            agrees(app, s, status, None);
        }
    }
    app.with_conn(|c| {
        assert_eq!(
            tally::tally_stored(c).unwrap(),
            tally::tally_expected(c).unwrap()
        );
        assert!(tally::gram_differences(c).unwrap().is_empty());
    });
}

async fn total(app: &TestApp, admin: &str, query: &str) -> i64 {
    app.get(&format!("/api/v1/progress?{query}"), admin)
        .await
        .expect(200)
        .json()["total"]
        .as_i64()
        .unwrap()
}

fn body(name: &str, first17: &str, region: &str, program: i64) -> serde_json::Value {
    json!({"name": name, "id_number": id_number(first17), "phone": "13800138000",
           "education": "secondary", "qualification": "village_doctor_cert",
           "region_code": region, "program_id": program, "cohort_year": 2026})
}

async fn create(
    app: &TestApp,
    admin: &str,
    name: &str,
    first17: &str,
    region: &str,
    program: i64,
) -> i64 {
    let r = app
        .post(
            "/api/v1/doctors",
            admin,
            body(name, first17, region, program),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

fn credit(app: &TestApp, doctor: i64, minutes: i32) {
    let mut lines = Vec::new();
    let mut left = minutes;
    let mut day = 0;
    while left > 0 {
        day += 1;
        let on = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(day);
        let m = left.min(1440);
        left -= m;
        lines.push(NewRecord {
            doctor_id: doctor,
            kind: StudyKind::Online,
            minutes: m,
            occurred_on: on,
            interval: None,
            course_id: None,
            session_id: None,
            rotation_id: None,
            source: Source::Manual,
            source_ref: format!("tally:{on}"),
            status: RecordStatus::Approved,
            evidence: None,
            unit_score: None,
            created_by: None,
        });
    }
    app.with_conn(|conn| {
        cunyi::study::credit(
            conn,
            &Credit::lines(lines),
            cunyi::time::today_cst(),
            cunyi::time::now(),
        )
        .unwrap_or_else(|e| panic!("credit refused: {e:?}"));
    });
}

fn exec(app: &TestApp, sql: &str) {
    app.with_conn(|c| {
        diesel::sql_query(sql)
            .execute(c)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    });
}

/// A copy of a doctor written by plain SQL (as a bulk load or a script would).
fn sql_copy(app: &TestApp, of: i64, name: &str, index: &str) -> i64 {
    exec(
        app,
        &format!(
            "INSERT INTO doctors (name, id_number_enc, id_number_index, id_number_masked, phone, gender, \
             birth_date, education, qualification, region_code, county_code, program_id, cohort_year, \
             status, created_at, updated_at) \
             SELECT '{name}', id_number_enc, '{index}', id_number_masked, phone, gender, birth_date, \
             education, qualification, region_code, county_code, program_id, cohort_year, status, \
             created_at, updated_at FROM doctors WHERE id = {of}"
        ),
    );
    use cunyi::db::schema::doctors;
    app.with_conn(|c| {
        doctors::table
            .filter(doctors::id_number_index.eq(index))
            .select(doctors::id)
            .first(c)
            .unwrap()
    })
}

fn roster(rows: &[[&str; 12]]) -> Vec<u8> {
    let headers = [
        "姓名",
        "身份证号",
        "手机号",
        "性别",
        "出生日期",
        "学历",
        "执业资格",
        "所在镇",
        "所在村",
        "村卫生室",
        "培训年度",
        "状态",
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn the_count_and_the_chart_follow_every_kind_of_write(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    app.regions(REGIONS);
    let admins = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
            ("zaozhuang", Role::CityAdmin, "370400"),
        ])
        .await;
    let (shizhong, xuecheng, city) = (&admins[0], &admins[1], &admins[2]);
    all_agree(&app);

    // Inserts: in the county, a township's villages, and another county.
    let a = create(
        &app,
        shizhong,
        "王一",
        "37040219800101101",
        "370402",
        program,
    )
    .await;
    let b = create(
        &app,
        shizhong,
        "王二",
        "37040219800101102",
        "370402001101",
        program,
    )
    .await;
    let c = create(
        &app,
        shizhong,
        "王三",
        "37040219800101103",
        "370402001102",
        program,
    )
    .await;
    let d = create(
        &app,
        shizhong,
        "王四",
        "37040219800101104",
        "370402001",
        program,
    )
    .await;
    create(
        &app,
        xuecheng,
        "赵一",
        "37040319800101105",
        "370403",
        program,
    )
    .await;
    all_agree(&app);
    assert_eq!(
        total(&app, shizhong, "").await,
        4,
        "the other county is not counted"
    );
    assert_eq!(total(&app, xuecheng, "").await, 1);
    assert_eq!(total(&app, city, "").await, 5);

    // A status change.
    let r = app
        .post(
            &format!("/api/v1/doctors/{a}/status"),
            shizhong,
            json!({"status": "left_post"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    all_agree(&app);
    assert_eq!(total(&app, shizhong, "").await, 3);
    assert_eq!(total(&app, shizhong, "status=left_post").await, 1);

    // A region change (village to village, and county to a village).
    for (id, name, first17, region) in [
        (b, "王二", "37040219800101102", "370402001102"),
        (d, "王四", "37040219800101104", "370402001101"),
    ] {
        app.send(
            Method::PUT,
            &format!("/api/v1/doctors/{id}"),
            Some(shizhong),
            Some(body(name, first17, region, program)),
        )
        .await
        .expect(200);
    }
    all_agree(&app);
    assert_eq!(total(&app, shizhong, "region=370402001").await, 3);

    // A standing change: credited hours move the doctor's fifth and first day behind.
    credit(&app, c, 4000);
    all_agree(&app);

    // A program change.
    let mut def = cunyi::program::rules::preset("zaozhuang-2024").unwrap();
    def.name = "加倍线上学时".into();
    def.preset = None;
    def.policy.requirements.online_minutes *= 2;
    let other = app.with_conn(|conn| {
        cunyi::program::store::insert(conn, &def, &cunyi::audit::Actor::cli(), cunyi::time::now())
            .unwrap()
            .row
            .id
    });
    app.send(
        Method::PUT,
        &format!("/api/v1/doctors/{c}"),
        Some(shizhong),
        Some(body("王三", "37040219800101103", "370402001102", other)),
    )
    .await
    .expect(200);
    all_agree(&app);

    // A roster import (new doctors in the township's villages).
    let first = id_number("37040219850202106");
    let second = id_number("37040219850202107");
    let r = app
        .upload(
            &format!("/api/v1/doctors/import?program_id={program}"),
            shizhong,
            roster(&[
                [
                    "钱一",
                    &first,
                    "13800138000",
                    "",
                    "",
                    "中专",
                    "乡村医生执业证书",
                    "中心街街道",
                    "东村",
                    "",
                    "2026",
                    "",
                ],
                [
                    "钱二",
                    &second,
                    "13800138000",
                    "",
                    "",
                    "中专",
                    "乡村医生执业证书",
                    "中心街街道",
                    "西村",
                    "",
                    "2026",
                    "",
                ],
            ]),
            "花名册.xlsx",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    all_agree(&app);
    assert_eq!(total(&app, shizhong, "").await, 5);

    // A delete (by SQL: the roster never deletes), and an insert by SQL.
    exec(&app, &format!("DELETE FROM doctors WHERE id = {d}"));
    sql_copy(&app, b, "王五", "sql-copy-1");
    all_agree(&app);
    assert_eq!(total(&app, shizhong, "").await, 5);
    assert_eq!(total(&app, city, "").await, 6);
}

async fn a_name_search_finds_exactly_what_like_finds(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    app.regions(REGIONS);
    let admins = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let (shizhong, xuecheng) = (&admins[0], &admins[1]);
    let mut ids = Vec::new();
    for (i, (name, region)) in [
        ("李晓梅", "370402001101"),
        ("王晓梅", "370402"),
        ("李明", "370402001102"),
        ("晓", "370402"),
        ("梅晓李", "370402"),
        ("李李", "370402001101"),
        ("阿依古丽·买买提", "370402"),
        ("Anna Li", "370402"),
    ]
    .iter()
    .enumerate()
    {
        let first17 = format!("370402198001012{i:02}");
        ids.push(create(&app, shizhong, name, &first17, region, program).await);
    }
    create(
        &app,
        xuecheng,
        "李晓梅",
        "37040319800101299",
        "370403",
        program,
    )
    .await;
    // Names no form accepts, written by SQL: the search's `%` and `_` are literals.
    sql_copy(&app, ids[0], "百分%比", "sql-percent");
    sql_copy(&app, ids[0], "下_划", "sql-underscore");
    sql_copy(&app, ids[0], "anna", "sql-lower");

    let county = scope(&app, "370402");
    let township = scope(&app, "370402001");
    let searches = [
        "李",
        "晓",
        "梅",
        "晓梅",
        "李晓",
        "李晓梅",
        "晓梅李",
        "李李",
        "买买提",
        "·",
        "%",
        "_",
        "百分%",
        "%比",
        "下_",
        "Li",
        "an",
        "a",
        "A",
        "无此人",
        "李明明",
    ];
    for q in searches {
        for s in [None, Some(&county), Some(&township)] {
            agrees(&app, s, Some("active"), Some(q));
        }
        // Through HTTP: exactly the scan's doctors, the other county's 李晓梅 not among them.
        let want: Vec<i64> = scan(
            &app,
            &table::Filter {
                scope: Some(&county),
                status: Some("active"),
                name: Some(q),
                behind_only: false,
                today: cunyi::time::today_cst(),
            },
        )
        .into_iter()
        .map(|r| r.id)
        .collect();
        let page = app
            .get(
                &format!("/api/v1/progress?per_page=100&q={}", urlencoding(q)),
                shizhong,
            )
            .await
            .expect(200)
            .json();
        let got: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                i["doctor_id"]
                    .as_i64()
                    .or_else(|| i["id"].as_i64())
                    .unwrap()
            })
            .collect();
        assert_eq!(got, want, "search {q}");
        assert_eq!(
            page["total"].as_i64().unwrap(),
            want.len() as i64,
            "search {q}"
        );
    }
    assert_eq!(total(&app, shizhong, "q=%E6%99%93%E6%A2%85").await, 2);
    assert_eq!(total(&app, xuecheng, "q=%E6%99%93%E6%A2%85").await, 1);

    // A name change moves the doctor's postings.
    app.send(
        Method::PUT,
        &format!("/api/v1/doctors/{}", ids[1]),
        Some(shizhong),
        Some(body("王小美", "37040219800101201", "370402", program)),
    )
    .await
    .expect(200);
    for q in ["晓梅", "小美", "王", "王小美"] {
        agrees(&app, Some(&county), None, Some(q));
    }
    assert_eq!(total(&app, shizhong, "q=%E6%99%93%E6%A2%85").await, 1);
    app.with_conn(|c| assert!(tally::gram_differences(c).unwrap().is_empty()));
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn cunyi_cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cunyi"))
        .args(args)
        .env("CUNYI_DATABASE_URL", &app.db.url)
        .env("CUNYI_LOG", "warn")
        .env("CUNYI_ID_KEY", crate::support::ID_KEY)
        .env_remove("CUNYI_JWT_SECRET")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn check_ledger_catches_a_tampered_tally_and_lost_grams(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let shizhong = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0);
    let doctor = create(
        &app,
        &shizhong,
        "李晓梅",
        "37040219800101301",
        "370402",
        program,
    )
    .await;
    create(
        &app,
        &shizhong,
        "王晓梅",
        "37040219800101302",
        "370402",
        program,
    )
    .await;
    let (clean, said) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(clean, "{said}");

    exec(
        &app,
        &format!(
            "INSERT INTO progress_tally (county_code, status, program_id, behind_from, progress_bin, n) \
             VALUES ('370402', 'active', {program}, '2030-01-01', 3, 1)"
        ),
    );
    exec(
        &app,
        &format!("DELETE FROM doctor_name_grams WHERE doctor_id = {doctor} AND gram = '李晓'"),
    );
    assert_eq!(
        total(&app, &shizhong, "").await,
        3,
        "the tampered tally is read"
    );
    let (found_ok, found) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(!found_ok, "a tampered tally exits non-zero: {found}");
    assert!(
        found.contains(&format!(
            "progress tally 370402 active {program} 2030-01-01 3"
        )),
        "{found}"
    );
    assert!(
        found.contains(&format!("doctor {doctor} name grams")),
        "{found}"
    );

    let (fixed_ok, fixed) = cunyi_cli(&app, &["check", "ledger", "--fix"]);
    assert!(fixed_ok, "{fixed}");
    let (after_ok, after) = cunyi_cli(&app, &["check", "ledger"]);
    assert!(after_ok, "{after}");
    assert_eq!(total(&app, &shizhong, "").await, 2);
    assert_eq!(total(&app, &shizhong, "q=%E6%9D%8E%E6%99%93").await, 1);
    all_agree_county(&app);
}

fn all_agree_county(app: &TestApp) {
    let county = scope(app, "370402");
    agrees(app, Some(&county), Some("active"), None);
    agrees(app, Some(&county), Some("active"), Some("李晓"));
}
