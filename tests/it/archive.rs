//! Archive documents on sessions and filings (type by magic bytes, size, scope, the
//! filing's lock, audited delete, the dossier's list and the pages), and the county-wide
//! dossier zip export with its progress.

use std::io::{Read, Write};

use cunyi::auth::Role;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::pdf::{compact, pdf_text};
use crate::support::{Backend, PASSWORD, Reply, TestApp, spawn};

both_backends!(
    documents_attach_list_download_and_delete_within_the_county,
    bad_files_are_refused_and_nothing_is_written,
    a_filing_keeps_its_documents_once_submitted,
    doctors_see_their_sessions_notices_in_the_dossier,
    the_archive_page_uploads_and_deletes,
    the_county_exports_every_dossier_as_a_zip,
    an_interrupted_export_is_closed_and_a_new_one_starts,
);

struct World {
    county: String,
    other: String,
    city: String,
    teacher: String,
    program: i64,
    session: i64,
    doctor: i64,
    doctor_token: String,
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

async fn world(app: &TestApp) -> World {
    let program = app.program("zaozhuang-2024");
    let mut t = app
        .accounts(&[
            ("city", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let (city, county, other) = (t.remove(0), t.remove(0), t.remove(0));
    let (doctor, token) = app
        .doctor(
            &county,
            program,
            "37040219800101123",
            "370402",
            Some("doc.wang"),
        )
        .await;
    let teacher = app
        .post("/api/v1/instructors", &county, json!({"name": "内科李老师", "region_code": "370402", "username": "li.teacher", "password": PASSWORD}))
        .await
        .expect(201)
        .json();
    let teacher_token = app.login("li.teacher").await;
    let session = app
        .running_session(&county, "370402", &[teacher["id"].as_i64().unwrap()], 10)
        .await;
    app.post(
        &format!("/api/v1/sessions/{session}/attendance"),
        &teacher_token,
        json!({"doctor_ids": [doctor]}),
    )
    .await
    .expect(200);
    World {
        county,
        other,
        city,
        teacher: teacher_token,
        program,
        session,
        doctor,
        doctor_token: token.unwrap(),
    }
}

async fn attach(
    app: &TestApp,
    path: &str,
    token: &str,
    kind: &str,
    bytes: Vec<u8>,
    name: &str,
) -> Reply {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    let response = reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

async fn raw(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let r = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn documents(app: &TestApp) -> i64 {
    use cunyi::db::schema::archive_documents::dsl::*;
    app.with_conn(|c| archive_documents.count().get_result(c).unwrap())
}

fn xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "讲课费").unwrap();
    book.save_to_buffer().unwrap()
}

fn docx() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for name in ["[Content_Types].xml", "word/document.xml"] {
            z.start_file(name, opts).unwrap();
            z.write_all(b"<w:document/>").unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

async fn documents_attach_list_download_and_delete_within_the_county(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let at = format!("/api/v1/sessions/{}/attachments", w.session);
    let notice = attach(
        &app,
        &at,
        &w.county,
        "notice",
        PDF.to_vec(),
        "../培训通知.PDF",
    )
    .await
    .expect(201)
    .json();
    assert_eq!(notice["filename"], "培训通知.pdf");
    assert_eq!(notice["content_type"], "application/pdf");
    assert_eq!(notice["kind"], "notice");
    assert_eq!(notice["size_bytes"], PDF.len());
    let sheet = attach(&app, &at, &w.county, "expense", xlsx(), "经费.xlsx")
        .await
        .expect(201)
        .json();
    assert_eq!(
        sheet["content_type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let word = attach(&app, &at, &w.county, "handbook", docx(), "手册")
        .await
        .expect(201)
        .json();
    assert_eq!(word["filename"], "手册.docx");
    let audit = app.last_audit("archive.attached");
    assert_eq!(audit["owner"], format!("sessions:{}", w.session));
    assert_eq!(audit["kind"], "handbook");

    let list = app.get(&at, &w.county).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert_eq!(list["editable"], true);
    app.get(&at, &w.city).await.expect(200);

    let (status, ct, bytes) = raw(
        &app,
        &format!("/api/v1/attachments/{}", notice["id"]),
        &w.county,
    )
    .await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/pdf"));
    assert_eq!(bytes, PDF);

    // Another county: 404 for everything, audited; an instructor: 403.
    let denied_before = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "access.denied")
        .count();
    app.get(&at, &w.other).await.expect(404);
    let (status, _, _) = raw(
        &app,
        &format!("/api/v1/attachments/{}", notice["id"]),
        &w.other,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    attach(&app, &at, &w.other, "notice", PDF.to_vec(), "x.pdf")
        .await
        .expect(404);
    app.send(
        Method::DELETE,
        &format!("/api/v1/attachments/{}", notice["id"]),
        Some(&w.other),
        None,
    )
    .await
    .expect(404);
    let denied_after = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "access.denied")
        .count();
    assert!(
        denied_after >= denied_before + 4,
        "{denied_before} → {denied_after}"
    );
    attach(&app, &at, &w.teacher, "notice", PDF.to_vec(), "x.pdf")
        .await
        .expect(403);
    app.get("/api/v1/attachments/999999", &w.county)
        .await
        .expect(404);
    assert_eq!(documents(&app), 3);

    // Delete: audited with what it was; gone afterwards.
    app.send(
        Method::DELETE,
        &format!("/api/v1/attachments/{}", sheet["id"]),
        Some(&w.county),
        None,
    )
    .await
    .expect(204);
    let gone = app.last_audit("archive.deleted");
    assert_eq!(gone["filename"], "经费.xlsx");
    assert_eq!(gone["kind"], "expense");
    let (status, _, _) = raw(
        &app,
        &format!("/api/v1/attachments/{}", sheet["id"]),
        &w.county,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(documents(&app), 2);
}

async fn bad_files_are_refused_and_nothing_is_written(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let at = format!("/api/v1/sessions/{}/attachments", w.session);
    let audit_before = app.audit_count();

    let both = attach(
        &app,
        &at,
        &w.county,
        "poster",
        b"MZ\x90\x00\x03".to_vec(),
        "签到表.pdf",
    )
    .await;
    assert_eq!(both.status, 422, "{}", both.text);
    let fields = both.error_fields();
    assert!(
        fields.contains(&"kind".to_owned()) && fields.contains(&"file".to_owned()),
        "{fields:?}"
    );
    // A script named .png, a zip that is no Office file, an empty file.
    for (bytes, name) in [
        (b"<html><script>alert(1)</script>".to_vec(), "scan.png"),
        (
            {
                let mut buf = std::io::Cursor::new(Vec::new());
                let mut z = zip::ZipWriter::new(&mut buf);
                z.start_file(
                    "payload.exe",
                    zip::write::SimpleFileOptions::default()
                        .compression_method(zip::CompressionMethod::Stored),
                )
                .unwrap();
                z.write_all(b"MZ").unwrap();
                z.finish().unwrap();
                buf.into_inner()
            },
            "经费.xlsx",
        ),
        (Vec::new(), "empty.pdf"),
    ] {
        let r = attach(&app, &at, &w.county, "sign_in", bytes, name).await;
        assert_eq!(r.status, 422, "{name}: {}", r.text);
        assert_eq!(r.error_fields(), ["file"], "{name}");
    }
    // Over 10 MB: 413 while reading.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let r = attach(&app, &at, &w.county, "handbook", big, "big.pdf").await;
    assert_eq!(r.status, 413, "{}", r.text);
    // An unknown session: 404.
    attach(
        &app,
        "/api/v1/sessions/999999/attachments",
        &w.county,
        "notice",
        PDF.to_vec(),
        "a.pdf",
    )
    .await
    .expect(404);
    assert_eq!(documents(&app), 0);
    assert_eq!(app.audit_count(), audit_before);
}

async fn a_filing_keeps_its_documents_once_submitted(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let report = app
        .post(
            "/api/v1/reports",
            &w.county,
            json!({"kind": "annual_summary", "county_code": "370402", "year": 2026}),
        )
        .await
        .expect(201)
        .json();
    let id = report["id"].as_i64().unwrap();
    let at = format!("/api/v1/reports/{id}/attachments");
    // Only the county files: the city may read, not attach.
    attach(&app, &at, &w.city, "sign_in", PNG.to_vec(), "scan.png")
        .await
        .expect(403);
    attach(&app, &at, &w.other, "sign_in", PNG.to_vec(), "scan.png")
        .await
        .expect(404);
    let scan = attach(&app, &at, &w.county, "sign_in", PNG.to_vec(), "签到表.png")
        .await
        .expect(201)
        .json();
    let shown = app
        .get(&format!("/api/v1/reports/{id}"), &w.city)
        .await
        .expect(200)
        .json();
    assert_eq!(shown["attachments"][0]["id"], scan["id"]);
    assert_eq!(shown["attachments"][0]["kind_label"], "签到表");
    let (status, ct, bytes) = raw(
        &app,
        &format!("/api/v1/attachments/{}", scan["id"]),
        &w.city,
    )
    .await;
    assert_eq!(
        (status, ct.as_str(), bytes.as_slice()),
        (StatusCode::OK, "image/png", PNG)
    );

    app.post(
        &format!("/api/v1/reports/{id}/submit"),
        &w.county,
        json!({}),
    )
    .await
    .expect(200);
    attach(&app, &at, &w.county, "expense", xlsx(), "经费.xlsx")
        .await
        .expect(409);
    app.send(
        Method::DELETE,
        &format!("/api/v1/attachments/{}", scan["id"]),
        Some(&w.county),
        None,
    )
    .await
    .expect(409);
    let list = app.get(&at, &w.county).await.expect(200).json();
    assert_eq!(list["editable"], false);
    assert_eq!(documents(&app), 1);
}

async fn doctors_see_their_sessions_notices_in_the_dossier(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let at = format!("/api/v1/sessions/{}/attachments", w.session);
    let notice = attach(&app, &at, &w.county, "notice", PDF.to_vec(), "通知.pdf")
        .await
        .expect(201)
        .json();
    let sheet = attach(&app, &at, &w.county, "sign_in", PNG.to_vec(), "签到表.png")
        .await
        .expect(201)
        .json();

    // The county's dossier lists both; the doctor's own only the notice.
    let full = app
        .get(&format!("/api/v1/doctors/{}/dossier", w.doctor), &w.county)
        .await
        .expect(200)
        .json();
    assert_eq!(full["documents"].as_array().unwrap().len(), 2);
    let own = app
        .get(
            &format!("/api/v1/doctors/{}/dossier", w.doctor),
            &w.doctor_token,
        )
        .await
        .expect(200)
        .json();
    let names: Vec<&str> = own["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["通知.pdf"]);
    let (status, _, bytes) = raw(
        &app,
        &format!("/api/v1/attachments/{}", notice["id"]),
        &w.doctor_token,
    )
    .await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
    let (status, _, _) = raw(
        &app,
        &format!("/api/v1/attachments/{}", sheet["id"]),
        &w.doctor_token,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a sign-in sheet holds other people's names"
    );
    // The doctor may not list or change the session's documents.
    app.get(&at, &w.doctor_token).await.expect(403);
    app.send(
        Method::DELETE,
        &format!("/api/v1/attachments/{}", notice["id"]),
        Some(&w.doctor_token),
        None,
    )
    .await
    .expect(403);
    // A doctor who did not attend: 404.
    let (_, other_token) = app
        .doctor(
            &w.county,
            w.program,
            "37040219800101234",
            "370402",
            Some("doc.li"),
        )
        .await;
    let (status, _, _) = raw(
        &app,
        &format!("/api/v1/attachments/{}", notice["id"]),
        &other_token.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The dossier PDF lists the documents.
    let (status, _, pdf) = raw(
        &app,
        &format!("/api/v1/doctors/{}/dossier.pdf", w.doctor),
        &w.county,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = compact(&pdf_text(&pdf));
    assert!(
        text.contains("存档资料") && text.contains("通知.pdf"),
        "{text}"
    );
}

async fn the_archive_page_uploads_and_deletes(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    let browser = crate::reports::pages::browser_for(&app, "shizhong").await;
    let path = format!("/archive/sessions/{}", w.session);
    let page = crate::reports::pages::fetch(&app, &browser, &path).await;
    assert!(page.contains("尚无存档资料") && page.contains("enctype=\"multipart/form-data\""));
    let csrf = crate::reports::pages::hidden(&page, "csrf");
    let send = |kind: &'static str, bytes: Vec<u8>, csrf: String| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("kind", kind)
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("签到表.png"),
            );
        browser.post(app.url(&path)).multipart(form).send()
    };
    let r = send("sign_in", PNG.to_vec(), csrf.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bad = send("sign_in", b"not an image".to_vec(), csrf.clone())
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = bad.text().await.unwrap();
    assert!(text.contains("只接受 PDF、JPG、PNG"), "{text}");
    let forged = send("sign_in", PNG.to_vec(), "forged".into())
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(documents(&app), 1);

    let page = crate::reports::pages::fetch(&app, &browser, &path).await;
    assert!(page.contains("签到表.png") && page.contains("签到表"));
    let id: i64 = app.with_conn(|c| {
        use cunyi::db::schema::archive_documents::dsl::*;
        archive_documents.select(id).first(c).unwrap()
    });
    let r = browser
        .post(app.url(&format!("/archive/documents/{id}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(documents(&app), 0);
    // Another county's admin: the page is a 404.
    let theirs = crate::reports::pages::browser_for(&app, "xuecheng").await;
    let r = theirs.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn export_status(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/api/v1/dossier-exports/{id}"), token)
        .await
        .expect(200)
        .json()
}

async fn the_county_exports_every_dossier_as_a_zip(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    for (first17, user) in [
        ("37040219800101234", "doc.li"),
        ("37040219800101345", "doc.zhao"),
    ] {
        app.doctor(&w.county, w.program, first17, "370402", Some(user))
            .await;
    }
    // Roles: the city and doctors cannot start one.
    app.post("/api/v1/dossier-exports", &w.city, json!({}))
        .await
        .expect(403);
    app.post("/api/v1/dossier-exports", &w.doctor_token, json!({}))
        .await
        .expect(403);

    let started = app
        .post("/api/v1/dossier-exports", &w.county, json!({}))
        .await
        .expect(202)
        .json();
    let id = started["id"].as_i64().unwrap();
    assert_eq!(started["total"], 3);
    // Progress, polled as the page does, until done (each poll is a real request; the
    // loop ends on the state, not on a clock).
    let mut last = started;
    let mut seen = vec![last["done"].as_i64().unwrap()];
    for _ in 0..600 {
        if last["status"] != "running" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        last = export_status(&app, &w.county, id).await;
        seen.push(last["done"].as_i64().unwrap());
    }
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["done"], 3);
    assert!(
        seen.windows(2).all(|p| p[0] <= p[1]),
        "progress only grows: {seen:?}"
    );
    let link = last["download"].as_str().unwrap().to_owned();

    // The other county: 404 on the export and its file; the city sees it.
    app.get(&format!("/api/v1/dossier-exports/{id}"), &w.other)
        .await
        .expect(404);
    let (status, _, _) = raw(&app, &link, &w.other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let listed = app
        .get("/api/v1/dossier-exports", &w.city)
        .await
        .expect(200)
        .json();
    assert_eq!(listed["items"][0]["id"], id);

    let (status, ct, bytes) = raw(&app, &link, &w.county).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/zip"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(zip.len(), 3);
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        names.push(entry.name().unwrap().into_owned());
        let mut pdf = Vec::new();
        entry.read_to_end(&mut pdf).unwrap();
        let text = compact(&pdf_text(&pdf));
        assert!(text.contains("测试学员"), "{text}");
        assert!(
            !text.contains("370402198001011"),
            "the bulk export masks ID numbers"
        );
    }
    assert!(names.iter().all(|n| n.ends_with(".pdf")), "{names:?}");
    let unique: std::collections::BTreeSet<_> = names.iter().collect();
    assert_eq!(unique.len(), 3, "same names kept apart: {names:?}");
    let audit = app.last_audit("dossier.export_started");
    assert_eq!(audit["doctors"], 3);

    // The page shows it with its link.
    let browser = crate::reports::pages::browser_for(&app, "shizhong").await;
    let page = crate::reports::pages::fetch(&app, &browser, "/dossier-exports").await;
    assert!(page.contains("3 / 3") && page.contains(&link), "{page}");
    let _ = w.teacher;
}

/// An export left `running` by a restart (its thread gone): a fresh one (signs of life
/// within ten minutes) is answered as the running one; a stalled one (none for longer)
/// is closed as failed, saying why, and a new export starts.
async fn an_interrupted_export_is_closed_and_a_new_one_starts(backend: Backend) {
    use cunyi::db::schema::dossier_exports as de;
    use diesel::prelude::*;
    let app = spawn(backend).await;
    let w = world(&app).await;
    let county_admin: i64 = app.with_conn(|c| {
        cunyi::db::schema::users::table
            .filter(cunyi::db::schema::users::username.eq("shizhong"))
            .select(cunyi::db::schema::users::id)
            .first(c)
            .unwrap()
    });
    let orphan = |minutes_ago: i64| {
        let at = cunyi::time::now() - chrono::TimeDelta::minutes(minutes_ago);
        app.with_conn(|c| {
            diesel::insert_into(de::table)
                .values((
                    de::county_code.eq("370402"),
                    de::requested_by.eq(county_admin),
                    de::status.eq("running"),
                    de::total.eq(5),
                    de::done.eq(2),
                    de::created_at.eq(at - chrono::TimeDelta::minutes(1)),
                    de::heartbeat_at.eq(Some(at)),
                ))
                .returning(de::id)
                .get_result::<i64>(c)
                .unwrap()
        })
    };
    let recent = orphan(3);
    let answered = app
        .post("/api/v1/dossier-exports", &w.county, json!({}))
        .await
        .expect(202)
        .json();
    assert_eq!(answered["id"], recent, "a live export is the running one");
    app.with_conn(|c| {
        diesel::delete(de::table.find(recent)).execute(c).unwrap();
    });

    let stalled = orphan(11);
    let started = app
        .post("/api/v1/dossier-exports", &w.county, json!({}))
        .await
        .expect(202)
        .json();
    let id = started["id"].as_i64().unwrap();
    assert_ne!(id, stalled, "a new export starts");
    let old = export_status(&app, &w.county, stalled).await;
    assert_eq!(old["status"], "failed", "{old}");
    assert!(old["error"].as_str().unwrap().contains("导出中断"), "{old}");
    assert_eq!(old["done"], 2, "its progress is kept as it was");
}
