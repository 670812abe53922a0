//! The approval queue (issue 9, item 15) as far as the server decides it: paged in SQL
//! with its true total, newest first, searchable; ticked rows approved in one
//! all-or-nothing POST, audited per record; a decision returns the reviewer to where
//! they were. (The click-through is in `tests/browser/`.)

use cunyi::auth::Role;
use reqwest::StatusCode;

use crate::both_backends;
use crate::phone_pages::{
    browser_for, count_audit, county, get, hidden, named_doctor, ok, reports, row_ids, status_of,
};
use crate::support::{Backend, spawn};

both_backends!(
    the_queue_is_paged_in_sql_newest_first_with_a_true_total_and_a_search,
    bulk_approval_is_one_post_all_or_nothing_and_audited_per_record,
    a_decision_returns_to_the_same_page_at_the_next_row,
);

async fn the_queue_is_paged_in_sql_newest_first_with_a_true_total_and_a_search(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
    let city = app
        .accounts(&[("zaozhuang", Role::CityAdmin, "370400")])
        .await
        .remove(0);
    let (wang, wang_token) = named_doctor(
        &app,
        &admin,
        program,
        "王秀英",
        "37040219800101123",
        "370402",
        "doc.wang",
    )
    .await;
    let (li, li_token) = named_doctor(
        &app,
        &admin,
        program,
        "李建国",
        "37040219810202123",
        "370402",
        "doc.li",
    )
    .await;
    let wang_ids = reports(&app, &wang_token, wang, 52).await;
    let li_ids = reports(&app, &li_token, li, 3).await;

    let desk = browser_for(&app, "shizhong").await;
    let first = ok(&app, &desk, "/study/review").await;
    assert!(first.contains("共 55 条"), "the true total");
    let rows = row_ids(&first);
    assert_eq!(rows.len(), 50, "a page of 50");
    assert_eq!(rows[0], *li_ids.last().unwrap(), "newest first");
    assert!(first.contains("page=2"), "a link to the next page");
    let second = ok(&app, &desk, "/study/review?order=newest&page=2").await;
    assert_eq!(row_ids(&second).len(), 5);
    let oldest = ok(&app, &desk, "/study/review?order=oldest").await;
    assert_eq!(row_ids(&oldest)[0], wang_ids[0], "oldest first on request");

    let found = ok(&app, &desk, "/study/review?q=%E6%9D%8E%E5%BB%BA%E5%9B%BD").await;
    assert!(found.contains("共 3 条"), "search by name");
    let mut want = li_ids.clone();
    want.reverse();
    assert_eq!(row_ids(&found), want);
    let village: String = app.with_conn(|c| {
        use diesel::prelude::*;
        cunyi::db::schema::regions::table
            .filter(cunyi::db::schema::regions::code.eq("370402"))
            .select(cunyi::db::schema::regions::name)
            .first(c)
            .unwrap()
    });
    let by_place = ok(
        &app,
        &desk,
        &format!(
            "/study/review?q={}",
            cunyi::page::encode_query_value(&village)
        ),
    )
    .await;
    assert!(
        by_place.contains("共 55 条"),
        "search by where the doctor works"
    );
    let (status, _) = get(&app, &desk, "/study/review?order=sideways").await;
    assert_eq!(status, 422);

    // The city: no cap, the true total through the API, paged.
    let api = app
        .get("/api/v1/study-records/pending?per_page=10&page=6", &city)
        .await;
    assert_eq!(api.status, 200, "{}", api.text);
    assert_eq!(api.json()["total"], 55);
    assert_eq!(api.json()["items"].as_array().unwrap().len(), 5);
    let all = app.get("/api/v1/study-records/pending", &city).await;
    assert_eq!(all.json()["items"].as_array().unwrap().len(), 55);
    assert_eq!(
        all.json()["items"][0]["id"],
        wang_ids[0],
        "the API stays oldest first"
    );
    let doctor = app.get("/api/v1/study-records/pending", &wang_token).await;
    assert_eq!(doctor.status, 403);
}

async fn bulk_approval_is_one_post_all_or_nothing_and_audited_per_record(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
    let other = app
        .accounts(&[("xuecheng", Role::CountyAdmin, "370403")])
        .await
        .remove(0);
    let (wang, wang_token) = named_doctor(
        &app,
        &admin,
        program,
        "王秀英",
        "37040219800101123",
        "370402",
        "doc.wang",
    )
    .await;
    let (far, far_token) = named_doctor(
        &app,
        &other,
        program,
        "赵平",
        "37040319800101123",
        "370403",
        "doc.zhao",
    )
    .await;
    let ids = reports(&app, &wang_token, wang, 5).await;
    let foreign = reports(&app, &far_token, far, 1).await[0];

    let desk = browser_for(&app, "shizhong").await;
    let page = ok(&app, &desk, "/study/review").await;
    let csrf = hidden(&page, "csrf");
    let post = |pairs: Vec<(&'static str, String)>| {
        let desk = desk.clone();
        let url = app.url("/study/review/bulk");
        async move { desk.post(url).form(&pairs).send().await.unwrap() }
    };
    let approved_before = count_audit(&app, "study.approved");

    // Three ticked rows, one POST: approved, each audited, back on the same page.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("ids", ids[0].to_string()),
        ("ids", ids[1].to_string()),
        ("ids", ids[2].to_string()),
        ("page", "1".into()),
        ("order", "newest".into()),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/study/review?order=newest") && to.contains("done=approve&n=3"),
        "{to}"
    );
    assert!(ok(&app, &desk, &to).await.contains("已认定 3 条记录"));
    for id in &ids[..3] {
        assert_eq!(status_of(&app, *id), "approved");
    }
    assert_eq!(count_audit(&app, "study.approved"), approved_before + 3);
    assert_eq!(
        app.credited(&admin, wang).await["online"]["credited_minutes"],
        90
    );

    // One already approved among them: 409 naming it, nothing approved.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("ids", ids[3].to_string()),
        ("ids", ids[0].to_string()),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("王秀英") && text.contains("没有认定任何记录"),
        "a clear error: {text}"
    );
    assert_eq!(status_of(&app, ids[3]), "pending", "all or nothing");

    // Another county's record among them: 404, nothing approved.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("ids", ids[3].to_string()),
        ("ids", foreign.to_string()),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, ids[3]), "pending");
    assert_eq!(status_of(&app, foreign), "pending");

    // Nothing ticked, or junk: 422, nothing written.
    let audits = app.audit_count();
    let r = post(vec![("csrf", csrf.clone())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请先勾选"));
    let r = post(vec![("csrf", csrf.clone()), ("ids", "3;1".into())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.audit_count(), audits);

    // Without the form's CSRF token: refused, nothing approved.
    let r = post(vec![("csrf", "forged".into()), ("ids", ids[3].to_string())]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, ids[3]), "pending");

    // A doctor is not a reviewer.
    let phone = browser_for(&app, "doc.wang").await;
    let own = ok(&app, &phone, "/study").await;
    let r = phone
        .post(app.url("/study/review/bulk"))
        .form(&[("csrf", hidden(&own, "csrf")), ("ids", ids[4].to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, ids[4]), "pending");
}

async fn a_decision_returns_to_the_same_page_at_the_next_row(backend: Backend) {
    let app = spawn(backend).await;
    let (admin, program) = county(&app).await;
    let (wang, token) = named_doctor(
        &app,
        &admin,
        program,
        "王秀英",
        "37040219800101123",
        "370402",
        "doc.wang",
    )
    .await;
    reports(&app, &token, wang, 56).await;
    let desk = browser_for(&app, "shizhong").await;
    let page = ok(&app, &desk, "/study/review?order=newest&page=2").await;
    let rows = row_ids(&page);
    assert_eq!(rows.len(), 6);
    // The row's own form carries where the reviewer is, and the row after it.
    let form = page
        .split(&format!("<form id=\"f-{}\"", rows[2]))
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    assert!(form.contains("name=\"page\" value=\"2\""));
    assert!(form.contains(&format!("name=\"next\" value=\"{}\"", rows[3])));
    let r = desk
        .post(app.url(&format!("/study/review/{}", rows[2])))
        .form(&[
            ("csrf", hidden(&page, "csrf")),
            ("decision", "approve".into()),
            ("note", String::new()),
            ("order", "newest".into()),
            ("page", "2".into()),
            ("next", rows[3].to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!(
            "/study/review?order=newest&page=2&done=approve&n=1#r-{}",
            rows[3]
        )
        .as_str()
    );
    assert_eq!(status_of(&app, rows[2]), "approved");
    // The last row of the last page decided: back to the page that still has rows.
    let r = ok(&app, &desk, "/study/review?order=newest&page=2").await;
    assert_eq!(row_ids(&r).len(), 5);
    for id in row_ids(&r) {
        desk.post(app.url(&format!("/study/review/{id}")))
            .form(&[
                ("csrf", hidden(&page, "csrf")),
                ("decision", "reject".into()),
                ("note", "截图不清".into()),
            ])
            .send()
            .await
            .unwrap();
    }
    let gone = desk
        .get(app.url("/study/review?order=newest&page=2&done=reject&n=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        gone.headers()["location"],
        "/study/review?order=newest&done=reject&n=1"
    );
}
