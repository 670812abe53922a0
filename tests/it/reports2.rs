//! Filings' figures from the other areas (tutoring evaluations, 3331 compliance, skills
//! exams, the annual assessment, make-ups) with their drill-downs; the annual scores
//! taken from confirmed assessments and locked at submission; the demo's filings.

use chrono::{NaiveDate, NaiveDateTime};
use cunyi::auth::Role;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestApp, spawn};

both_backends!(
    summary_figures_come_from_every_area_and_drill_down,
    annual_scores_are_the_confirmed_ones_and_locked_at_submission,
    the_demo_has_filings_in_every_state,
);

struct World {
    city: String,
    county: String,
    other: String,
    program: i64,
    /// 王甲, 李乙, 张丙 in 市中区.
    a: i64,
    b: i64,
    c: i64,
    /// 赵丁 in 薛城区.
    d: i64,
    examiner: (i64, String),
}

fn at(raw: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M").unwrap()
}

fn day(raw: &str) -> NaiveDate {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
}

async fn named(
    app: &TestApp,
    admin: &str,
    program: i64,
    name: &str,
    first17: &str,
    region: &str,
) -> i64 {
    let r = app
        .post(
            "/api/v1/doctors",
            admin,
            json!({"name": name, "id_number": crate::support::id_number(first17), "phone": "13800138000",
                   "education": "secondary", "qualification": "village_doctor_cert",
                   "region_code": region, "program_id": program, "cohort_year": 2026}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

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
    let a = named(app, &county, program, "王甲", "37040219800101001", "370402").await;
    let b = named(app, &county, program, "李乙", "37040219800101002", "370402").await;
    let c = named(app, &county, program, "张丙", "37040219800101003", "370402").await;
    let d = named(app, &other, program, "赵丁", "37040319800101004", "370403").await;
    let r = app
        .post(
            "/api/v1/instructors",
            &county,
            json!({"name": "王考官", "region_code": "370402", "username": "t.wang", "password": PASSWORD}),
        )
        .await
        .expect(201);
    let examiner = (r.json()["id"].as_i64().unwrap(), app.login("t.wang").await);
    World {
        city,
        county,
        other,
        program,
        a,
        b,
        c,
        d,
        examiner,
    }
}

/// A confirmed (or, with `confirmed` None, open) annual assessment attempt for 2025.
fn annual(
    app: &TestApp,
    w: &World,
    doctor: i64,
    attempt: i32,
    score: i32,
    confirmed: Option<&str>,
) {
    use cunyi::db::schema::annual_assessments as aa;
    let now = cunyi::time::now();
    app.with_conn(|c| {
        diesel::insert_into(aa::table)
            .values((
                aa::doctor_id.eq(doctor),
                aa::program_id.eq(w.program),
                aa::year.eq(2025),
                aa::attempt.eq(attempt),
                aa::online.eq(800),
                aa::offline.eq(800),
                aa::ongoing.eq(700),
                aa::exam.eq(Some(score * 10)),
                aa::score.eq(score * 10),
                aa::passed.eq(score >= 60),
                aa::confirmed_at.eq(confirmed.map(at)),
                aa::created_at.eq(now),
                aa::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap();
    });
}

/// Seed 2025 Q3 (July–September) data beside the ledger:
/// - tutoring: group 第一组 (formed 06-15) evaluated for July and August, 第二组 (formed
///   08-10) for September only; a 薛城区 group with nothing;
/// - 3331: the 市中区 team, dispatched, visits its clinic three full days in July, two
///   full days and one half day in August, not at all in September (plus one June visit);
/// - annual assessment: 王甲 failed (08-01) then passed 78 (09-15), 李乙 passed 82 on
///   10-05 (after the quarter), 张丙 open, 赵丁 (the other county) passed;
/// - make-ups: 李乙 and 赵丁.
fn seed(app: &TestApp, w: &World) {
    use cunyi::db::schema::{
        completions as cp, organizations as og, support_visits as sv, tutoring_evaluations as te,
        tutoring_groups as tg, tutoring_team_members as tm, tutoring_teams as tt,
    };
    let now = cunyi::time::now();
    app.with_conn(|c| {
        let team = |c: &mut cunyi::db::AnyConnection, name: &str, region: &str| -> i64 {
            diesel::insert_into(tt::table)
                .values((
                    tt::name.eq(name),
                    tt::region_code.eq(region),
                    tt::program_id.eq(Some(w.program)),
                    tt::created_at.eq(now),
                ))
                .returning(tt::id)
                .get_result(c)
                .unwrap()
        };
        let t1 = team(c, "市中区带教一队", "370402");
        let t2 = team(c, "薛城区带教队", "370403");
        for t in [t1, t2] {
            diesel::insert_into(tm::table)
                .values((
                    tm::team_id.eq(t),
                    tm::instructor_id.eq(w.examiner.0),
                    tm::role.eq("doctor"),
                    tm::dispatched.eq(true),
                ))
                .execute(c)
                .unwrap();
        }
        let group = |c: &mut cunyi::db::AnyConnection,
                     name: &str,
                     region: &str,
                     team: i64,
                     formed: &str|
         -> i64 {
            diesel::insert_into(tg::table)
                .values((
                    tg::name.eq(name),
                    tg::program_id.eq(w.program),
                    tg::region_code.eq(region),
                    tg::team_id.eq(team),
                    tg::criteria.eq("village"),
                    tg::created_at.eq(at(formed)),
                ))
                .returning(tg::id)
                .get_result(c)
                .unwrap()
        };
        let g1 = group(c, "第一组", "370402", t1, "2025-06-15 02:00");
        let g2 = group(c, "第二组", "370402", t1, "2025-08-10 02:00");
        group(c, "薛城组", "370403", t2, "2025-01-10 02:00");
        for (g, month) in [(g1, "2025-07"), (g1, "2025-08"), (g2, "2025-09")] {
            diesel::insert_into(te::table)
                .values((
                    te::group_id.eq(g),
                    te::month.eq(month),
                    te::score.eq(850),
                    te::progress.eq("按计划"),
                    te::remarks.eq(""),
                    te::created_at.eq(now),
                ))
                .execute(c)
                .unwrap();
        }
        let clinic: i64 = diesel::insert_into(og::table)
            .values((
                og::name.eq("光明街中心村卫生室"),
                og::kind.eq("village_clinic"),
                og::region_code.eq("370402"),
                og::is_demo.eq(false),
                og::central_village_clinic.eq(true),
                og::created_at.eq(now),
                og::updated_at.eq(now),
            ))
            .returning(og::id)
            .get_result(c)
            .unwrap();
        for (on, hours) in [
            ("2025-06-20", None),
            ("2025-07-02", None),
            ("2025-07-09", None),
            ("2025-07-16", Some(8)),
            ("2025-08-05", None),
            ("2025-08-12", None),
            ("2025-08-19", Some(4)),
        ] {
            diesel::insert_into(sv::table)
                .values((
                    sv::team_id.eq(t1),
                    sv::clinic_id.eq(clinic),
                    sv::starts_on.eq(day(on)),
                    sv::ends_on.eq(day(on)),
                    sv::modes.eq("tour"),
                    sv::hours.eq(hours),
                    sv::created_at.eq(now),
                ))
                .execute(c)
                .unwrap();
        }
        for d in [w.b, w.d] {
            diesel::insert_into(cp::table)
                .values((
                    cp::doctor_id.eq(d),
                    cp::program_id.eq(w.program),
                    cp::status.eq("makeup"),
                    cp::hours_met.eq(false),
                    cp::makeup_deadline.eq(Some(day("2026-02-28"))),
                    cp::updated_at.eq(now),
                ))
                .execute(c)
                .unwrap();
        }
    });
    annual(app, w, w.a, 1, 55, Some("2025-08-01 02:00"));
    annual(app, w, w.a, 2, 78, Some("2025-09-15 02:00"));
    annual(app, w, w.b, 1, 82, Some("2025-10-05 02:00"));
    annual(app, w, w.c, 1, 90, None);
    annual(app, w, w.d, 1, 88, Some("2025-09-01 02:00"));
}

/// A single-station skills exam held 2025-08-20 in 市中区 for 王甲 and 李乙: 王甲 scores
/// 50 of 50, 李乙 misses the critical item — both sheets submitted.
async fn skills(app: &TestApp, w: &World) {
    let station = app
        .post(
            "/api/v1/skills/stations",
            &w.county,
            json!({"code": "r2_hands", "title": "手卫生", "area": "clinical_skills", "minutes": 5,
                   "max_points": 50, "pass_points": 30, "source": "WS/T 313—2019",
                   "items": [
                       {"code": "a", "text": "揉搓双手各部位至少15秒", "points": 10, "critical": true},
                       {"code": "b", "text": "七步洗手顺序正确", "points": 20},
                       {"code": "c", "text": "干手、关水龙头不再污染", "points": 20}]}),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let exam = app
        .post(
            "/api/v1/skills/exams",
            &w.county,
            json!({"title": "2025年三季度技能考核", "kind": "single", "program_id": w.program,
                   "region_code": "370402", "held_on": "2025-08-20", "starts_at": "09:00",
                   "stations": [{"station_id": station, "examiner_ids": [w.examiner.0]}],
                   "pass_score": 30, "candidate_ids": [w.a, w.b]}),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    for (doctor, a) in [(w.a, 10), (w.b, 0)] {
        app.send(
            Method::PUT,
            &format!("/api/v1/skills/exams/{exam}/sheets/{doctor}/{station}"),
            Some(&w.examiner.1),
            Some(json!({"items": [{"code": "a", "points": a}, {"code": "b", "points": 20},
                                  {"code": "c", "points": 20}], "global_rating": 3, "submit": true})),
        )
        .await
        .expect(200);
    }
}

fn figure(report: &Value, key: &str) -> i64 {
    report["statistics"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}"))["value"]
        .as_i64()
        .unwrap()
}

async fn rows(app: &TestApp, token: &str, id: i64, key: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/reports/{id}/figures/{key}"), token)
        .await
        .expect(200)
        .json();
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn summary_figures_come_from_every_area_and_drill_down(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    seed(&app, &w);
    skills(&app, &w).await;
    let r = app
        .post(
            "/api/v1/reports",
            &w.county,
            json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2025, "quarter": 3}),
        )
        .await
        .expect(201)
        .json();
    let id = r["id"].as_i64().unwrap();
    let expected = [
        ("tutoring_groups", 2),
        ("tutoring_evaluated", 3),
        ("tutoring_unevaluated", 2),
        ("support_visits", 6),
        ("support_compliant", 1),
        ("support_short", 2),
        ("skills_sittings", 2),
        ("skills_passes", 1),
        ("skills_makeup_sittings", 0),
        ("annual_assessed", 1),
        ("annual_passed", 1),
        ("makeup_doctors", 1),
    ];
    for (key, value) in expected {
        assert_eq!(figure(&r, key), value, "{key}");
    }
    // Every figure links to its rows, and the rows are the ones counted.
    for f in r["statistics"]["figures"].as_array().unwrap() {
        let key = f["key"].as_str().unwrap();
        assert_eq!(f["link"], format!("/api/v1/reports/{id}/figures/{key}"));
        let listed = rows(&app, &w.county, id, key).await;
        let summed = [
            "online_minutes",
            "centralized_minutes",
            "shadowing_minutes",
            "tutoring_minutes",
            "quota_places",
            "session_attendance",
        ];
        if !summed.contains(&key) {
            assert_eq!(
                listed.len() as i64,
                f["value"].as_i64().unwrap(),
                "{key}: {listed:?}"
            );
        }
    }
    assert_eq!(
        rows(&app, &w.county, id, "tutoring_unevaluated").await,
        ["第二组 · 2025年8月", "第一组 · 2025年9月"]
    );
    assert_eq!(
        rows(&app, &w.county, id, "support_short").await,
        [
            "市中区带教一队 · 光明街中心村卫生室 · 2025年8月",
            "市中区带教一队 · （无巡诊） · 2025年9月"
        ]
    );
    let passes = rows(&app, &w.county, id, "skills_passes").await;
    assert_eq!(passes.len(), 1);
    assert!(passes[0].starts_with("王甲："), "{passes:?}");
    let assessed = rows(&app, &w.county, id, "annual_assessed").await;
    assert!(
        assessed[0].contains("王甲") && assessed[0].contains("78"),
        "{assessed:?}"
    );
    let makeups = rows(&app, &w.county, id, "makeup_doctors").await;
    assert_eq!(makeups, ["李乙（补修补考截止 2026-02-28）"]);

    // The page behind a figure, for the county's browser.
    let browser = crate::reports::pages::browser_for(&app, "shizhong").await;
    let html = crate::reports::pages::fetch(
        &app,
        &browser,
        &format!("/reports/{id}/figures/support_compliant"),
    )
    .await;
    assert!(
        html.contains("市中区带教一队 · 光明街中心村卫生室 · 2025年7月"),
        "{html}"
    );
    let detail = crate::reports::pages::fetch(&app, &browser, &format!("/reports/{id}")).await;
    assert!(
        detail.contains("小组月度评估缺失")
            && detail.contains(&format!("/reports/{id}/figures/support_short"))
    );

    // The other county sees none of it: 404 on the rows; the city 200.
    app.get(
        &format!("/api/v1/reports/{id}/figures/support_short"),
        &w.other,
    )
    .await
    .expect(404);
    app.get(
        &format!("/api/v1/reports/{id}/figures/support_short"),
        &w.city,
    )
    .await
    .expect(200);
    // 薛城区's own Q3 counts its own make-up and assessment only.
    let theirs = app
        .post(
            "/api/v1/reports",
            &w.other,
            json!({"kind": "quarterly_summary", "county_code": "370403", "year": 2025, "quarter": 3}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(figure(&theirs, "makeup_doctors"), 1);
    assert_eq!(figure(&theirs, "annual_passed"), 1);
    assert_eq!(figure(&theirs, "tutoring_groups"), 1);
    assert_eq!(
        figure(&theirs, "tutoring_unevaluated"),
        3,
        "July–September, never evaluated"
    );
    assert_eq!(
        figure(&theirs, "support_short"),
        3,
        "a dispatched team with no visit, each month"
    );
    assert_eq!(figure(&theirs, "skills_sittings"), 0);
    let _ = w.c;
}

async fn annual_scores_are_the_confirmed_ones_and_locked_at_submission(backend: Backend) {
    let app = spawn(backend).await;
    let w = world(&app).await;
    seed(&app, &w);
    let r = app
        .post(
            "/api/v1/reports",
            &w.county,
            json!({"kind": "annual_scores", "county_code": "370402", "year": 2025}),
        )
        .await
        .expect(201)
        .json();
    let id = r["id"].as_i64().unwrap();
    let scores = r["statistics"]["scores"].as_array().unwrap().clone();
    let of =
        |scores: &[Value], d: i64| scores.iter().find(|s| s["doctor_id"] == d).unwrap().clone();
    assert_eq!(scores.len(), 3, "the county's three trainees, not 赵丁");
    assert_eq!(
        of(&scores, w.a)["score"],
        78,
        "the re-assessment, confirmed"
    );
    assert_eq!(of(&scores, w.a)["attempt"], 2);
    assert_eq!(of(&scores, w.a)["ongoing"], 70);
    assert_eq!(of(&scores, w.a)["passed"], true);
    assert_eq!(of(&scores, w.b)["score"], 82);
    assert_eq!(
        of(&scores, w.c)["score"],
        Value::Null,
        "not confirmed: no score"
    );

    app.post(
        &format!("/api/v1/reports/{id}/submit"),
        &w.county,
        json!({}),
    )
    .await
    .expect(200);
    // The county re-assesses 王甲 after submission: a third attempt, confirmed at 91.
    annual(&app, &w, w.a, 3, 91, Some("2025-11-20 02:00"));
    let after = app
        .get(&format!("/api/v1/reports/{id}"), &w.county)
        .await
        .expect(200)
        .json();
    let frozen = after["statistics"]["scores"].as_array().unwrap().clone();
    assert_eq!(of(&frozen, w.a)["score"], 78, "locked at submission");
    assert_eq!(after["frozen"], true);
    // The live rows behind the figure see the new score; the filing does not.
    let live = rows(&app, &w.county, id, "annual_assessed").await;
    assert!(
        live.iter().any(|r| r.contains("王甲") && r.contains("91")),
        "{live:?}"
    );
    assert_eq!(after["statistics"]["scores"], r["statistics"]["scores"]);

    // The spreadsheet carries the locked scores.
    let xlsx = app
        .get(&format!("/api/v1/reports/{id}.xlsx"), &w.city)
        .await;
    assert_eq!(xlsx.status, 200);
}

async fn the_demo_has_filings_in_every_state(backend: Backend) {
    let app = spawn(backend).await;
    let pii = app.state.pii.clone();
    let accounts = app.with_conn(|c| cunyi::demo::load(c, &pii, cunyi::time::now()).unwrap());
    let password = |u: &str| {
        accounts
            .iter()
            .find(|a| a.username == u)
            .unwrap()
            .password
            .clone()
    };
    let city = app
        .login_reply("demo-city", &password("demo-city"))
        .await
        .expect(200)
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = app
        .get("/api/v1/reports?year=2025", &city)
        .await
        .expect(200)
        .json();
    let items = list["items"].as_array().unwrap();
    let status = |county: &str, q: i64| {
        items
            .iter()
            .find(|r| r["county_code"] == county && r["quarter"] == q)
            .unwrap_or_else(|| panic!("no {county} Q{q}"))
            .clone()
    };
    assert_eq!(status("370402", 1)["status"], "accepted");
    assert_eq!(status("370402", 1)["late"], false);
    assert_eq!(status("370402", 2)["status"], "submitted");
    assert_eq!(status("370402", 2)["late"], true);
    assert_eq!(status("370402", 3)["status"], "returned");
    assert_eq!(
        status("370403", 1)["late"],
        false,
        "23:40 on the due day is on time"
    );
    let returned = app
        .get(
            &format!("/api/v1/reports/{}", status("370402", 3)["id"]),
            &city,
        )
        .await
        .expect(200)
        .json();
    assert!(
        returned["review_comment"]
            .as_str()
            .unwrap()
            .contains("签到表")
    );
    // Loading the demo again adds nothing.
    let before = items.len();
    app.with_conn(|c| cunyi::demo::load(c, &pii, cunyi::time::now()).unwrap());
    let again: i64 = app.with_conn(|c| {
        use cunyi::db::schema::reports::dsl::*;
        reports.filter(year.eq(2025)).count().get_result(c).unwrap()
    });
    assert_eq!(again, before as i64);
}
