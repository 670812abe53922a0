//! Roster import (`.xlsx`/`.csv`), the template and the export.

use cunyi::auth::Role;
use rust_xlsxwriter::{Formula, Workbook};

use crate::both_backends;
use crate::support::{Backend, TestApp, id_number, spawn};

both_backends!(
    a_good_file_imports_and_reimporting_it_changes_nothing,
    three_bad_rows_are_all_reported_and_nothing_is_written,
    a_file_of_bad_rows_gets_a_short_answer,
    a_dry_run_counts_without_writing,
    oversized_and_non_spreadsheet_uploads_are_refused,
    formulas_empty_rows_and_numeric_cells_are_handled,
    nobody_imports_into_another_county,
    the_template_and_the_export_round_trip,
);

const HEADERS: [&str; 12] = [
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

/// A roster `.xlsx`; `None` rows are left empty.
fn xlsx(rows: &[Option<Vec<String>>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        if let Some(row) = row {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn row(name: &str, first17: &str, village: &str, clinic: &str) -> Vec<String> {
    [
        name,
        &id_number(first17),
        "13800138000",
        "",
        "",
        "中专",
        "乡村医生执业证书",
        "中心街街道",
        village,
        clinic,
        "2024",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

async fn setup(app: &TestApp) -> String {
    app.program("zaozhuang-2024");
    app.regions("代码,名称\n370402001,中心街街道\n370402001101,东村\n370402001102,西村\n");
    app.accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await
        .remove(0)
}

fn good_rows() -> Vec<Option<Vec<String>>> {
    vec![
        Some(row("王某华", "37040219800101123", "东村", "东村卫生室")),
        Some(row("李某芳", "37040219850202124", "西村", "")),
        Some(row(
            "张某强",
            "37040219700303125",
            "370402001101",
            "东村卫生室",
        )),
    ]
}

async fn a_good_file_imports_and_reimporting_it_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;

    let first = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            xlsx(&good_rows()),
            "花名册.xlsx",
        )
        .await;
    let again = app
        .upload(
            "/api/v1/doctors/import?dry_run=false",
            &admin,
            xlsx(&good_rows()),
            "花名册.xlsx",
        )
        .await;
    let mut changed = good_rows();
    if let Some(Some(r)) = changed.get_mut(1) {
        r[2] = "13900139000".into();
    }
    let update = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            xlsx(&changed),
            "花名册.xlsx",
        )
        .await;

    assert_eq!(first.status, 200, "{}", first.text);
    let f = first.json();
    assert_eq!(
        (
            f["created"].as_u64(),
            f["updated"].as_u64(),
            f["clinics_created"].as_u64()
        ),
        (Some(3), Some(0), Some(1))
    );
    assert_eq!(again.status, 200, "{}", again.text);
    let a = again.json();
    assert_eq!(
        (
            a["created"].as_u64(),
            a["updated"].as_u64(),
            a["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(update.status, 200, "{}", update.text);
    assert_eq!(update.json()["updated"], 1);
    assert_eq!(app.doctor_count(), 3, "no duplicates");
    let list = app
        .get("/api/v1/doctors?q=%E6%9D%8E%E6%9F%90%E8%8A%B3", &admin)
        .await
        .expect(200)
        .json();
    assert_eq!(list["items"][0]["phone"], "13900139000");
    assert_eq!(list["items"][0]["village_code"], "370402001102");
    assert_eq!(
        list["items"][0]["gender"], "female",
        "derived from the ID number"
    );
    let zhang = app
        .get("/api/v1/doctors?q=%E5%BC%A0%E6%9F%90%E5%BC%BA", &admin)
        .await
        .expect(200)
        .json();
    assert_eq!(zhang["items"][0]["clinic_name"], "东村卫生室");
    assert_eq!(app.last_audit("roster.imported")["updated"], 1);
}

async fn three_bad_rows_are_all_reported_and_nothing_is_written(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;
    let mut rows = good_rows();
    rows.push(Some(row("", "37040219900101126", "东村", "")));
    let mut bad_id = row("赵某军", "37040219900101127", "东村", "");
    let last = if bad_id[1].ends_with('0') { '1' } else { '0' };
    bad_id[1] = format!("{}{last}", &bad_id[1][..17]);
    rows.push(Some(bad_id));
    rows.push(Some(row("孙某丽", "37040219900101128", "北村", "")));
    let before = (app.doctor_count(), app.audit_count());

    let reply = app
        .upload("/api/v1/doctors/import", &admin, xlsx(&rows), "花名册.xlsx")
        .await;

    assert_eq!(reply.status, 422, "{}", reply.text);
    let errors = reply.json()["errors"].as_array().unwrap().clone();
    let got: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(5, "name"), (6, "id_number"), (7, "village")]);
    assert_eq!(errors[1]["column"], "身份证号（B列）");
    assert!(errors[2]["message"].as_str().unwrap().contains("北村"));
    assert_eq!(
        (app.doctor_count(), app.audit_count()),
        before,
        "nothing written"
    );
}

async fn a_file_of_bad_rows_gets_a_short_answer(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;
    let rows: Vec<Option<Vec<String>>> = (0..1500)
        .map(|i| {
            let id = format!("37040219800{}{:03}", 101 + i / 1000, i % 1000);
            Some(row("", &id, "东村", ""))
        })
        .collect();

    let reply = app
        .upload(
            "/api/v1/doctors/import?dry_run=true",
            &admin,
            xlsx(&rows),
            "花名册.xlsx",
        )
        .await;

    assert_eq!(
        reply.status,
        422,
        "{}",
        &reply.text[..reply.text.len().min(300)]
    );
    let body = reply.json();
    let listed = body["errors"].as_array().unwrap();
    assert_eq!(listed.len(), cunyi::roster::ERRORS_SHOWN);
    assert_eq!(listed[0]["row"], 2, "the first rows are the ones listed");
    assert_eq!(
        body["errors_more"].as_u64().unwrap() as usize + listed.len(),
        1500,
        "every bad row is counted: {}",
        body["errors_more"]
    );
    assert!(reply.text.len() < 64 * 1024, "{} bytes", reply.text.len());
    assert_eq!(app.doctor_count(), 0);
}

async fn a_dry_run_counts_without_writing(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;

    let reply = app
        .upload(
            "/api/v1/doctors/import?dry_run=true",
            &admin,
            xlsx(&good_rows()),
            "x.xlsx",
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["created"], 3);
    assert_eq!(reply.json()["clinics_created"], 1);
    assert_eq!(app.doctor_count(), 0);
    let clinics: i64 = app.with_conn(|c| {
        use cunyi::db::schema::organizations::dsl::*;
        use diesel::prelude::*;
        organizations.count().get_result(c).unwrap()
    });
    assert_eq!(clinics, 0, "the dry run created no clinic either");
}

async fn oversized_and_non_spreadsheet_uploads_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;

    let huge = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            vec![b'a'; 21 * 1024 * 1024],
            "big.csv",
        )
        .await;
    let png = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "photo.png",
        )
        .await;
    let xls = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1],
            "old.xls",
        )
        .await;
    let broken = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            b"PK\x03\x04not really a zip".to_vec(),
            "x.xlsx",
        )
        .await;
    let no_headers = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            "a,b\n1,2\n".as_bytes().to_vec(),
            "x.csv",
        )
        .await;

    assert_eq!(huge.status, 413);
    for r in [&png, &xls, &broken, &no_headers] {
        assert_eq!(r.error_fields(), ["file"], "{}", r.text);
    }
    assert!(
        no_headers.text.contains("姓名"),
        "names the missing columns"
    );
    assert_eq!(app.doctor_count(), 0);
}

async fn formulas_empty_rows_and_numeric_cells_are_handled(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: the phone is a formula with its cached result; the year a number.
    for (c, v) in row("王某华", "37040219800101123", "东村", "")
        .iter()
        .enumerate()
    {
        if !v.is_empty() && c != 2 && c != 10 {
            sheet.write_string(1, c as u16, v).unwrap();
        }
    }
    sheet
        .write_formula(
            1,
            2,
            Formula::new("=\"1380013\"&\"8001\"").set_result("13800138001"),
        )
        .unwrap();
    sheet.write_number(1, 10, 2024).unwrap();
    // Row 3 is empty; row 4 has its ID number typed as a number (digits lost).
    for (c, v) in row("李某芳", "37040219850202124", "西村", "")
        .iter()
        .enumerate()
    {
        if !v.is_empty() && c != 1 {
            sheet.write_string(3, c as u16, v).unwrap();
        }
    }
    sheet.write_number(3, 1, 370402198502021240.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let reply = app
        .upload("/api/v1/doctors/import", &admin, bytes, "formula.xlsx")
        .await;

    assert_eq!(reply.status, 422, "{}", reply.text);
    let errors = reply.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "only the numeric ID is wrong: {errors:?}");
    assert_eq!(
        errors[0]["row"], 4,
        "the empty row 3 is skipped but counted"
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("文本"));

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in row("王某华", "37040219800101123", "东村", "")
        .iter()
        .enumerate()
    {
        if !v.is_empty() && c != 2 {
            sheet.write_string(2, c as u16, v).unwrap();
        }
    }
    sheet
        .write_formula(
            2,
            2,
            Formula::new("=\"1380013\"&\"8001\"").set_result("13800138001"),
        )
        .unwrap();
    let ok = app
        .upload(
            "/api/v1/doctors/import",
            &admin,
            book.save_to_buffer().unwrap(),
            "ok.xlsx",
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let list = app.get("/api/v1/doctors", &admin).await.expect(200).json();
    assert_eq!(
        list["items"][0]["phone"], "13800138001",
        "the formula's value is imported"
    );
}

async fn nobody_imports_into_another_county(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;
    let tokens = app
        .accounts(&[
            ("zaozhuang", Role::CityAdmin, "370400"),
            ("doctor", Role::Doctor, "370402"),
        ])
        .await;
    let before = app.doctor_count();

    let elsewhere = app
        .upload(
            "/api/v1/doctors/import?county=370403",
            &admin,
            xlsx(&good_rows()),
            "x.xlsx",
        )
        .await;
    let by_doctor = app
        .upload(
            "/api/v1/doctors/import",
            &tokens[1],
            xlsx(&good_rows()),
            "x.xlsx",
        )
        .await;
    let city_without_county = app
        .upload(
            "/api/v1/doctors/import",
            &tokens[0],
            xlsx(&good_rows()),
            "x.xlsx",
        )
        .await;
    let city_into_weifang = app
        .upload(
            "/api/v1/doctors/import?county=370702",
            &tokens[0],
            xlsx(&good_rows()),
            "x.xlsx",
        )
        .await;

    assert_eq!(elsewhere.status, 403);
    assert_eq!(by_doctor.status, 403);
    assert_eq!(city_without_county.error_fields(), ["county"]);
    assert_eq!(city_into_weifang.status, 403);
    assert_eq!(app.doctor_count(), before);
    assert_eq!(app.last_audit("access.denied")["attempt"], "roster.import");

    // A doctor registered in Shizhong cannot be imported again into Xuecheng.
    app.upload(
        "/api/v1/doctors/import",
        &admin,
        xlsx(&good_rows()),
        "x.xlsx",
    )
    .await
    .expect(200);
    app.regions("代码,名称\n370403001,临城街道\n370403001101,北村\n");
    let mut moved = row("王某华", "37040219800101123", "北村", "");
    moved[7] = "临城街道".into();
    let into_xuecheng = app
        .upload(
            "/api/v1/doctors/import?county=370403",
            &tokens[0],
            xlsx(&[Some(moved)]),
            "x.xlsx",
        )
        .await;
    assert_eq!(into_xuecheng.status, 422);
    assert!(into_xuecheng.text.contains("其他区县"));
}

async fn the_template_and_the_export_round_trip(backend: Backend) {
    let app = spawn(backend).await;
    let admin = setup(&app).await;
    let tokens = app
        .accounts(&[
            ("root", Role::Sysadmin, "370000"),
            ("doctor", Role::Doctor, "370402"),
        ])
        .await;
    app.upload(
        "/api/v1/doctors/import",
        &admin,
        xlsx(&good_rows()),
        "x.xlsx",
    )
    .await
    .expect(200);

    let template = app
        .api
        .get(app.url("/api/v1/doctors/import-template.xlsx"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), 200);
    assert!(
        template.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let sheet = cunyi::sheet::read(
        &template.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();
    assert_eq!(sheet.headers, HEADERS);

    let export = |query: &'static str, token: String| {
        let app = &app;
        async move {
            app.api
                .get(app.url(&format!("/api/v1/doctors/export.xlsx{query}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let masked = export("", admin.clone()).await;
    assert_eq!(masked.status(), 200);
    let sheet = cunyi::sheet::read(
        &masked.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();
    assert_eq!(sheet.rows.len(), 3);
    assert!(
        sheet
            .rows
            .iter()
            .all(|(_, cells)| cells[1].text().contains("********"))
    );

    let full = export("?full_id=true", admin.clone()).await;
    let bytes = full.bytes().await.unwrap().to_vec();
    let sheet = cunyi::sheet::read(&bytes, &cunyi::sheet::Limits::default()).unwrap();
    assert!(
        sheet
            .rows
            .iter()
            .any(|(_, cells)| cells[1].text() == id_number("37040219800101123"))
    );
    assert_eq!(
        app.last_audit("pii.roster_exported")["full_id_numbers"],
        true
    );
    // The full export imports again without changes.
    let again = app
        .upload("/api/v1/doctors/import", &admin, bytes, "export.xlsx")
        .await;
    assert_eq!(again.json()["unchanged"], 3, "{}", again.text);

    assert_eq!(
        export("?full_id=true", tokens[0].clone()).await.status(),
        403,
        "sysadmin: masked only"
    );
    assert_eq!(
        export("", tokens[1].clone()).await.status(),
        403,
        "doctors export nothing"
    );
}
