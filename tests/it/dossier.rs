//! The 一人一册 dossier: every record kind, the ID number masked for all but county and
//! city admins, scope, the spreadsheet.

use cunyi::auth::Role;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, id_number, spawn};

both_backends!(
    the_dossier_holds_every_record_kind,
    only_county_and_city_admins_see_the_full_id,
    the_dossier_spreadsheet_reads_back,
    the_dossier_pdf_reads_back_and_stays_in_scope,
);

const FIRST17: &str = "37040219800101123";

struct Setup {
    program: i64,
    teacher: i64,
    city: String,
    county: String,
    other_county: String,
    doctor: i64,
    doctor_token: String,
    teacher_token: String,
}

/// A doctor with an online record, a session attended, a signed-off rotation and an
/// exam sat; its session's instructor supervises the rotation.
async fn setup(app: &TestApp) -> Setup {
    let program = app.program("zaozhuang-2024");
    let mut t = app
        .accounts(&[
            ("city", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let (city, county, other_county) = (t.remove(0), t.remove(0), t.remove(0));
    let (doctor, token) = app
        .doctor(&county, program, FIRST17, "370402", Some("doc.wang"))
        .await;
    let doctor_token = token.unwrap();
    let teacher = app
        .post("/api/v1/instructors", &county, json!({"name": "内科李老师", "region_code": "370402", "username": "li.teacher", "password": crate::support::PASSWORD}))
        .await
        .json();
    let teacher_token = app.login("li.teacher").await;

    let online = app
        .post("/api/v1/study-records", &county, json!({"doctor_id": doctor, "kind": "online", "minutes": 90, "occurred_on": "2026-11-01", "course_code": "ZZ-PH", "note": "人卫慕课 高血压管理"}))
        .await;
    assert_eq!(online.status, 201, "{}", online.text);

    let session = app
        .running_session(&county, "370402", &[teacher["id"].as_i64().unwrap()], 10)
        .await;
    let marked = app
        .post(
            &format!("/api/v1/sessions/{session}/attendance"),
            &teacher_token,
            json!({"doctor_ids": [doctor]}),
        )
        .await;
    assert_eq!(marked.status, 200, "{}", marked.text);

    let base = app
        .post(
            "/api/v1/organizations",
            &county,
            json!({"name": "市中区人民医院", "kind": "county_hospital", "region_code": "370402"}),
        )
        .await
        .json();
    let placement = app
        .post("/api/v1/placements", &county, json!({"doctor_id": doctor, "base_org_id": base["id"], "starts_on": "2026-10-01", "ends_on": "2026-11-30"}))
        .await;
    assert_eq!(placement.status, 201, "{}", placement.text);
    let pid = placement.json()["id"].as_i64().unwrap();
    let rotation = app
        .post(&format!("/api/v1/placements/{pid}/rotations"), &county, json!({"department": "内科", "starts_on": "2026-10-01", "ends_on": "2026-10-31", "supervisor_id": teacher["id"]}))
        .await;
    let rid = rotation.json()["id"].as_i64().unwrap();
    let logged = app
        .post(&format!("/api/v1/rotations/{rid}/logs"), &doctor_token, json!({"occurred_on": "2026-10-12", "start_time": "08:00", "end_time": "12:00", "content": "跟随查房"}))
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text);
    let signed = app
        .post(
            &format!("/api/v1/rotations/{rid}/sign-off"),
            &teacher_token,
            json!({"assessment_score": 88.5, "summary": "合格"}),
        )
        .await;
    assert!(signed.status.is_success(), "{}", signed.text);

    let now = chrono::Utc::now();
    let exam = app
        .post("/api/v1/exams", &city, json!({"title": "2026 年度单元测试", "kind": "unit", "program_id": program,
            "opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::hours(3)).to_rfc3339(),
            "duration_minutes": 30, "pass_score": 1,
            "blueprint": {"items": [{"area": "public_health", "type": "A1", "difficulty": null, "collection": null, "count": 2, "points": 1}]}}))
        .await;
    assert_eq!(exam.status, 201, "{}", exam.text);
    let exam = exam.json()["id"].as_i64().unwrap();
    let attempt = app
        .post(
            &format!("/api/v1/exams/{exam}/attempts"),
            &doctor_token,
            json!({}),
        )
        .await;
    assert_eq!(attempt.status, 201, "{}", attempt.text);
    let aid = attempt.json()["id"].as_i64().unwrap();
    let submitted = app
        .post(
            &format!("/api/v1/attempts/{aid}/submit"),
            &doctor_token,
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);

    Setup {
        program,
        teacher: teacher["id"].as_i64().unwrap(),
        city,
        county,
        other_county,
        doctor,
        doctor_token,
        teacher_token,
    }
}

async fn dossier(app: &TestApp, token: &str, doctor: i64) -> crate::support::Reply {
    app.get(&format!("/api/v1/doctors/{doctor}/dossier"), token)
        .await
}

/// The sections other areas keep: a learning group with a monthly evaluation by the
/// teacher, and a 3331 visit the doctor took part in.
async fn tutoring_and_a_visit(app: &TestApp, s: &Setup) {
    let team = crate::tutoring::team(
        app,
        &s.county,
        "内科带教团队",
        "370402",
        json!([{"instructor_id": s.teacher, "role": "doctor", "dispatched": true, "level": "county_hospital"}]),
    )
    .await;
    let group =
        crate::tutoring::group(app, &s.county, "第一学习小组", s.program, team, &[s.doctor]).await;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    app.post(
        &format!("/api/v1/tutoring/groups/{group}/evaluations"),
        &s.teacher_token,
        json!({"month": month, "score": 86.5, "progress": "完成本月慢病管理学习", "remarks": "良好"}),
    )
    .await
    .expect(201);
    app.regions("代码,名称\n370402001,中心街街道\n370402001101,东村\n");
    let clinic = app
        .post("/api/v1/organizations", &s.county, json!({"name": "东村卫生室", "kind": "village_clinic", "region_code": "370402001101", "central_village_clinic": true}))
        .await
        .expect(201)
        .json();
    let day = (chrono::Utc::now() - chrono::Duration::days(3))
        .date_naive()
        .to_string();
    app.post(
        "/api/v1/support/visits",
        &s.county,
        json!({"team_id": team, "clinic_id": clinic["id"], "starts_on": day, "ends_on": day, "hours": 4,
               "modes": ["tour", "teach"], "doctor_ids": [s.doctor]}),
    )
    .await
    .expect(201);
}

async fn the_dossier_holds_every_record_kind(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    tutoring_and_a_visit(&app, &s).await;

    let r = dossier(&app, &s.county, s.doctor).await;

    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.json();
    assert_eq!(d["identity"]["name"], "测试学员");
    assert_eq!(
        d["identity"]["program_name"],
        "枣庄市乡村医生“千医培训”（2024—2026年）"
    );
    let kinds: Vec<&str> = d["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["shadowing", "online", "centralized"], "by date");
    assert_eq!(d["totals"]["online"], 90);
    assert_eq!(d["totals"]["shadowing"], 240);
    assert_eq!(d["totals"]["centralized"], 90);
    assert!(
        d["records"][1]["evidence"]
            .as_str()
            .unwrap()
            .contains("人卫慕课 高血压管理")
    );
    assert_eq!(d["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(d["sessions"][0]["title"], "高血压规范管理");
    let rotation = &d["shadowing"][0]["rotations"][0];
    assert_eq!(d["shadowing"][0]["base_name"], "市中区人民医院");
    assert_eq!(rotation["department"], "内科");
    assert_eq!(rotation["supervisor"], "内科李老师");
    assert_eq!(rotation["signed_off_by"], "内科李老师");
    assert_eq!(rotation["credited_minutes"], 240);
    assert_eq!(rotation["assessment_score"], 88.5);
    assert_eq!(d["exams"].as_array().unwrap().len(), 1);
    assert_eq!(d["exams"][0]["title"], "2026 年度单元测试");
    assert_eq!(d["exams"][0]["passed"], false);
    assert_eq!(d["progress"]["online"]["credited_minutes"], 90);
    // The sections other areas keep.
    assert_eq!(d["tutoring"][0]["name"], "第一学习小组");
    assert_eq!(d["tutoring"][0]["team"]["name"], "内科带教团队");
    assert_eq!(d["tutoring"][0]["evaluations"][0]["score"], 86.5);
    assert_eq!(d["visits"][0]["clinic"], "东村卫生室");
    assert_eq!(d["visits"][0]["modes"], json!(["巡诊", "带教"]));
    assert_eq!(d["visits"][0]["hours"], 4);
    assert_eq!(d["skills"], json!([]), "no skills exam sat");
    let years: Vec<i64> = d["assessment"]["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2024, 2025, 2026]);
    assert_eq!(d["assessment"]["completion"]["status"], "in_progress");
    assert_eq!(d["certificate"], Value::Null);

    // The doctor's own page shows them, in Chinese.
    let doctor = crate::reports::pages::browser_for(&app, "doc.wang").await;
    let page = crate::reports::pages::fetch(&app, &doctor, "/dossier").await;
    for words in [
        "第一学习小组",
        "86.5",
        "东村卫生室",
        "巡诊、带教",
        "2025",
        "培训中",
    ] {
        assert!(page.contains(words), "{words} missing from the page");
    }
}

fn holds_full_id(v: &Value) -> bool {
    v.to_string().contains(&id_number(FIRST17))
}

async fn only_county_and_city_admins_see_the_full_id(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    let revealed_before = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "pii.id_number_revealed")
        .count();

    let county = dossier(&app, &s.county, s.doctor).await.json();
    let city = dossier(&app, &s.city, s.doctor).await.json();
    let own = dossier(&app, &s.doctor_token, s.doctor).await;
    let teacher = dossier(&app, &s.teacher_token, s.doctor).await;
    let other = dossier(&app, &s.other_county, s.doctor).await;
    let stranger = app
        .accounts(&[("zhao.teacher", Role::Instructor, "370402")])
        .await
        .remove(0);

    assert_eq!(county["identity"]["id_number"], id_number(FIRST17));
    assert_eq!(county["identity"]["id_number_full"], true);
    assert!(holds_full_id(&city));
    for (who, reply) in [("doctor", &own), ("instructor", &teacher)] {
        assert_eq!(reply.status, 200, "{who}: {}", reply.text);
        let v = reply.json();
        assert!(!holds_full_id(&v), "{who} sees the full ID");
        assert_eq!(v["identity"]["id_number_full"], false);
        assert_eq!(
            v["identity"]["id_number"],
            format!("370402********{}", &id_number(FIRST17)[14..])
        );
    }
    assert_eq!(other.status, 404);
    assert_eq!(dossier(&app, &stranger, s.doctor).await.status, 404);
    assert_eq!(
        app.get(
            &format!("/api/v1/doctors/{}/dossier.xlsx", s.doctor),
            &s.other_county
        )
        .await
        .status,
        404
    );
    let revealed = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "pii.id_number_revealed")
        .count();
    assert_eq!(revealed - revealed_before, 2, "each full read is audited");
}

async fn the_dossier_spreadsheet_reads_back(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;

    let reply = app
        .api
        .get(app.url(&format!("/api/v1/doctors/{}/dossier.xlsx", s.doctor)))
        .bearer_auth(&s.doctor_token)
        .send()
        .await
        .unwrap();

    assert_eq!(reply.status(), 200);
    let sheet = cunyi::sheet::read(
        &reply.bytes().await.unwrap(),
        &cunyi::sheet::Limits::default(),
    )
    .unwrap();
    let value = |label: &str| {
        sheet
            .rows
            .iter()
            .find(|(_, c)| c[0].text() == label)
            .map(|(_, c)| c[1].text())
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(sheet.headers, ["项目", "内容"]);
    assert_eq!(value("姓名"), "测试学员");
    assert!(
        value("身份证号").contains("********"),
        "the doctor's own file is masked"
    );
    assert_eq!(value("脱产跟班（分钟）"), "240");
}

async fn the_dossier_pdf_reads_back_and_stays_in_scope(backend: Backend) {
    let app = spawn(backend).await;
    let s = setup(&app).await;
    tutoring_and_a_visit(&app, &s).await;
    let get = |token: String| {
        let url = app.url(&format!("/api/v1/doctors/{}/dossier.pdf", s.doctor));
        let api = app.api.clone();
        async move { api.get(url).bearer_auth(token).send().await.unwrap() }
    };

    let own = get(s.doctor_token.clone()).await;
    let stranger = get(s.other_county.clone()).await;

    assert_eq!(own.status(), 200);
    assert_eq!(own.headers()["content-type"], "application/pdf");
    let text =
        crate::support::pdf::compact(&crate::support::pdf::pdf_text(&own.bytes().await.unwrap()));
    assert!(text.contains("测试学员"), "{text}");
    assert!(
        text.contains("学时记录") && text.contains("跟班轮转"),
        "{text}"
    );
    for section in [
        "技能考核",
        "年度考核与结业",
        "学习小组",
        "内科带教团队",
        "3331帮扶",
        "东村卫生室",
    ] {
        assert!(text.contains(section), "{section} missing: {text}");
    }
    let full = crate::support::id_number(FIRST17);
    assert!(!text.contains(&full), "the doctor's own PDF is masked");
    assert_eq!(
        stranger.status(),
        404,
        "another county's doctor is not found"
    );
}

mod pages {
    use crate::both_backends;
    use crate::reports::pages::{browser_for, fetch};
    use crate::support::{Backend, id_number, spawn};

    both_backends!(the_doctor_reads_its_own_dossier_page);

    async fn the_doctor_reads_its_own_dossier_page(backend: Backend) {
        let app = spawn(backend).await;
        let s = super::setup(&app).await;
        let doctor = browser_for(&app, "doc.wang").await;
        let county = browser_for(&app, "shizhong").await;

        let own = fetch(&app, &doctor, "/dossier").await;
        let admin = fetch(&app, &county, &format!("/doctors/{}/dossier", s.doctor)).await;

        assert!(
            own.contains("测试学员") && own.contains("内科") && own.contains("2026 年度单元测试"),
            "{own}"
        );
        assert!(own.contains("已签字确认"));
        assert!(
            !own.contains(&id_number(super::FIRST17)),
            "masked for the doctor"
        );
        assert!(
            admin.contains(&id_number(super::FIRST17)),
            "full for the county"
        );
        let status = county
            .get(app.url("/dossier"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "an admin has no dossier of its own");
    }
}
