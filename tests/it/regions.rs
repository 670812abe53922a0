//! The region tree and its CSV import.

use cunyi::auth::Role;
use reqwest::multipart::{Form, Part};

use crate::both_backends;
use crate::support::{Backend, Reply, TestApp, spawn};

both_backends!(
    the_shipped_divisions_are_browsable,
    a_county_admin_imports_townships_and_villages_idempotently,
    a_file_with_bad_rows_writes_nothing_and_names_each,
    a_dry_run_counts_without_writing,
    imports_outside_the_callers_county_are_refused,
    oversized_or_missing_uploads_are_refused,
);

async fn upload(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> Reply {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("regions.csv"));
    let response = app
        .api
        .post(app.url(&format!("/api/v1/regions/import{query}")))
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

fn region_count(app: &TestApp) -> i64 {
    use cunyi::db::schema::regions::dsl::*;
    use diesel::prelude::*;
    app.with_conn(|c| regions.count().get_result(c).unwrap())
}

async fn the_shipped_divisions_are_browsable(backend: Backend) {
    let app = spawn(backend).await;
    let token = &app.accounts(&[("doc", Role::Doctor, "370402")]).await[0];

    let roots = app.get("/api/v1/regions", token).await.expect(200).json();
    let zaozhuang = app
        .get("/api/v1/regions?parent=370400", token)
        .await
        .expect(200)
        .json();
    let weifang = app
        .get("/api/v1/regions?parent=370700", token)
        .await
        .expect(200)
        .json();
    let tengzhou = app
        .get("/api/v1/regions/370481", token)
        .await
        .expect(200)
        .json();

    assert_eq!(roots["items"][0]["code"], "370000");
    assert_eq!(roots["items"][0]["level"], "province");
    let names: Vec<&str> = zaozhuang["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市"]
    );
    assert_eq!(zaozhuang["items"][0]["parent_code"], "370400");
    assert_eq!(zaozhuang["items"][0]["level"], "county");
    assert_eq!(weifang["items"].as_array().unwrap().len(), 12);
    assert_eq!(tengzhou["lineage"].as_array().unwrap().len(), 3);
    assert_eq!(
        app.get("/api/v1/regions?parent=379900", token).await.status,
        404
    );
    assert_eq!(
        app.get("/api/v1/regions?parent=abc", token)
            .await
            .error_fields(),
        ["parent"]
    );
}

const GOOD: &str =
    "代码,名称,上级代码\n370402001,中心街街道,\n370402001101,一村,\n370402001102,二村,370402001\n";

async fn a_county_admin_imports_townships_and_villages_idempotently(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];

    let first = upload(&app, admin, "", GOOD.as_bytes().to_vec()).await;
    let again = upload(&app, admin, "?dry_run=false", GOOD.as_bytes().to_vec()).await;
    let renamed = upload(&app, admin, "", GOOD.replace("一村", "东一村").into_bytes()).await;

    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        (
            first.json()["created"].as_u64(),
            first.json()["updated"].as_u64()
        ),
        (Some(3), Some(0))
    );
    assert_eq!(
        (
            again.json()["created"].as_u64(),
            again.json()["unchanged"].as_u64()
        ),
        (Some(0), Some(3))
    );
    assert_eq!(renamed.json()["updated"], 1);
    let villages = app
        .get("/api/v1/regions?parent=370402001", admin)
        .await
        .expect(200)
        .json();
    let names: Vec<&str> = villages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["东一村", "二村"]);
    assert_eq!(villages["items"][0]["level"], "village");
    assert_eq!(app.last_audit("region.imported")["updated"], 1);
}

async fn a_file_with_bad_rows_writes_nothing_and_names_each(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];
    let before = region_count(&app);
    let csv = "代码,名称\n370402001,中心街街道\n37040200X,坏代码\n370402002,\n\n370402777101,无上级的村\n";

    let reply = upload(&app, admin, "", csv.as_bytes().to_vec()).await;

    assert_eq!(reply.status, 422, "{}", reply.text);
    let errors = reply.json()["errors"].clone();
    let got: Vec<(u64, &str)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(3, "code"), (4, "name"), (6, "parent_code")]);
    assert_eq!(region_count(&app), before, "nothing written");
}

async fn a_dry_run_counts_without_writing(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];
    let before = region_count(&app);

    let reply = upload(&app, admin, "?dry_run=true", GOOD.as_bytes().to_vec()).await;

    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["created"], 3);
    assert_eq!(reply.json()["dry_run"], true);
    assert_eq!(region_count(&app), before);
    assert_eq!(
        upload(&app, admin, "?dry_run=maybe", GOOD.as_bytes().to_vec())
            .await
            .error_fields(),
        ["dry_run"]
    );
}

async fn imports_outside_the_callers_county_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("doc", Role::Doctor, "370402"),
        ])
        .await;
    let before = region_count(&app);

    let neighbour = upload(
        &app,
        &tokens[0],
        "",
        b"code,name\n370403001,\xe9\x82\xbb\xe9\x95\x87\n".to_vec(),
    )
    .await;
    let by_doctor = upload(&app, &tokens[1], "", GOOD.as_bytes().to_vec()).await;
    let own_name = upload(
        &app,
        &tokens[0],
        "",
        "code,name\n370402,改名\n".as_bytes().to_vec(),
    )
    .await;

    assert_eq!(neighbour.status, 422);
    assert_eq!(neighbour.json()["errors"][0]["row"], 2);
    assert_eq!(by_doctor.status, 403);
    assert_eq!(own_name.status, 422);
    assert_eq!(region_count(&app), before);
}

async fn oversized_or_missing_uploads_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let admin = &app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await[0];

    let huge = upload(&app, admin, "", vec![b'a'; 3 * 1024 * 1024]).await;
    let gbk = upload(
        &app,
        admin,
        "",
        vec![0xB4, 0xFA, 0xC2, 0xEB, b',', b'n', b'\n'],
    )
    .await;
    let no_file = app
        .api
        .post(app.url("/api/v1/regions/import"))
        .bearer_auth(admin)
        .multipart(Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();

    assert_eq!(huge.status, 413);
    assert_eq!(gbk.error_fields(), ["file"]);
    assert!(gbk.text.contains("UTF-8"));
    assert_eq!(no_file.status(), 422);
}
