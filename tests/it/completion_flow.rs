//! 结业 end to end, through HTTP only (issue 10): the county sets a completion skills
//! exam (stations, examiners, candidates); examiners score the sheets through the API —
//! two examiners on one station with a flagged difference, a history-taking item scored
//! 不适用 for a male patient; the theory completion exam is sat and passed through the
//! exams API; the county decides completion; the certificate PDF is issued and
//! `/verify/{code}` confirms it. A doctor who failed the skills half is in make-up, sits
//! a make-up skills exam inside the window, passes and is certified. Both backends.
//!
//! The only direct write is the program's last year, set to this year (as in
//! `assessment.rs`), so the flow sits inside the training and make-up window whatever
//! the date the test runs on.

use chrono::{Datelike, Duration, NaiveDate};
use cunyi::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, Reply, TestApp, spawn};

both_backends!(
    a_completion_runs_from_skills_sheets_to_a_verified_certificate,
    the_examiner_page_offers_not_applicable_where_an_item_has_a_condition,
    a_doctor_who_failed_last_year_sits_no_skills_exam_this_year,
);

/// Four true/false statements: answering all `T` scores 100 of 100.
const THEORY_GIFT: &str =
    "::c1::陈述一 {T}\n\n::c2::陈述二 {T}\n\n::c3::陈述三 {T}\n\n::c4::陈述四 {T}\n";

struct Flow {
    app: TestApp,
    county: String,
    other_county: String,
    program: i64,
    /// Passes both halves first time.
    wang: (i64, String),
    /// Misses a critical CPR step, then passes the make-up.
    li: (i64, String),
    /// Examiners: two on CPR, one on the history and the blood pressure.
    t_zhou: (i64, String),
    t_wu: (i64, String),
    t_zheng: (i64, String),
    today: NaiveDate,
}

async fn instructor(app: &TestApp, admin: &str, name: &str, username: &str) -> (i64, String) {
    let r = app
        .post(
            "/api/v1/instructors",
            admin,
            json!({"name": name, "region_code": "370402", "username": username, "password": PASSWORD}),
        )
        .await
        .expect(201);
    (r.json()["id"].as_i64().unwrap(), app.login(username).await)
}

async fn flow(backend: Backend) -> Flow {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let today = cunyi::time::today_cst();
    {
        use cunyi::db::schema::programs;
        use diesel::prelude::*;
        app.with_conn(|c| {
            diesel::update(programs::table.find(program))
                .set(programs::end_year.eq(today.year().max(2024)))
                .execute(c)
                .unwrap()
        });
    }
    let mut t = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let other_county = t.pop().unwrap();
    let county = t.pop().unwrap();
    let (wang, wang_token) = app
        .doctor(
            &county,
            program,
            "37040219800101123",
            "370402",
            Some("doc.wang"),
        )
        .await;
    let (li, li_token) = app
        .doctor(
            &county,
            program,
            "37040219810202123",
            "370402",
            Some("doc.li"),
        )
        .await;
    let t_zhou = instructor(&app, &county, "周考官", "t.zhou").await;
    let t_wu = instructor(&app, &county, "吴考官", "t.wu").await;
    let t_zheng = instructor(&app, &county, "郑考官", "t.zheng").await;
    Flow {
        app,
        county,
        other_county,
        program,
        wang: (wang, wang_token.unwrap()),
        li: (li, li_token.unwrap()),
        t_zhou,
        t_wu,
        t_zheng,
        today,
    }
}

impl Flow {
    /// The program's hours (158 h online, 60 h centralized, 60 h shadowing), recorded
    /// by the county on days before today and no later than the end of training.
    async fn hours(&self, doctor: i64) {
        let end = NaiveDate::from_ymd_opt(self.today.year(), 11, 30).unwrap();
        let last = self.today.min(end);
        let mut day = 1;
        for (kind, total) in [
            ("online", 158 * 60),
            ("centralized", 3600),
            ("shadowing", 3600),
        ] {
            let mut left = total;
            while left > 0 {
                let minutes = left.min(1440);
                let on = last - Duration::days(day);
                day += 1;
                self.app
                    .post(
                        "/api/v1/study-records",
                        &self.county,
                        json!({"doctor_id": doctor, "kind": kind, "minutes": minutes,
                               "occurred_on": on.to_string()}),
                    )
                    .await
                    .expect(201);
                left -= minutes;
            }
        }
    }

    /// A shipped station's id and items.
    async fn station(&self, code: &str) -> (i64, Vec<Value>) {
        let list = self
            .app
            .get("/api/v1/skills/stations", &self.county)
            .await
            .expect(200)
            .json();
        let s = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap_or_else(|| panic!("shipped station {code}"))
            .clone();
        (
            s["id"].as_i64().unwrap(),
            s["items"].as_array().unwrap().clone(),
        )
    }

    async fn sheet(
        &self,
        examiner: &str,
        exam: i64,
        doctor: i64,
        station: i64,
        body: Value,
    ) -> Reply {
        self.app
            .send(
                Method::PUT,
                &format!("/api/v1/skills/exams/{exam}/sheets/{doctor}/{station}"),
                Some(examiner),
                Some(body),
            )
            .await
    }

    async fn skills_exam(&self, body: Value) -> Reply {
        self.app
            .post("/api/v1/skills/exams", &self.county, body)
            .await
    }

    /// Sit the theory exam as `token`, answering every question `answer`.
    async fn sit(&self, exam: i64, token: &str, answer: &str) -> Value {
        let started = self
            .app
            .post(&format!("/api/v1/exams/{exam}/attempts"), token, json!({}))
            .await
            .expect(201)
            .json();
        let attempt = started["id"].as_i64().unwrap();
        for q in started["questions"].as_array().unwrap() {
            let qid = q["id"].to_string();
            let r = self
                .app
                .send(
                    Method::PUT,
                    &format!(
                        "/api/v1/attempts/{attempt}/answers/{}",
                        qid.trim_matches('"')
                    ),
                    Some(token),
                    Some(json!({ "answer": answer })),
                )
                .await;
            assert_eq!(r.status, 204, "{}", r.text);
        }
        self.app
            .post(
                &format!("/api/v1/attempts/{attempt}/submit"),
                token,
                json!({}),
            )
            .await
            .expect(200)
            .json()
    }

    async fn decide(&self) -> Value {
        self.app
            .post(
                "/api/v1/assessment/completions/decide",
                &self.county,
                json!({"region_code": "370402"}),
            )
            .await
            .expect(200)
            .json()
    }

    async fn assessment(&self, doctor: &(i64, String)) -> Value {
        self.app
            .get(
                &format!("/api/v1/doctors/{}/assessment", doctor.0),
                &doctor.1,
            )
            .await
            .expect(200)
            .json()
    }

    /// The doctor's certificate code, its PDF's text, and the public check's page.
    async fn certificate(&self, doctor: &(i64, String)) -> (String, String, String) {
        let cert = self
            .app
            .get(
                &format!("/api/v1/doctors/{}/certificate", doctor.0),
                &doctor.1,
            )
            .await
            .expect(200)
            .json();
        let code = cert["code"].as_str().unwrap().to_owned();
        let pdf = self
            .app
            .api
            .get(
                self.app
                    .url(&format!("/api/v1/doctors/{}/certificate.pdf", doctor.0)),
            )
            .bearer_auth(&doctor.1)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let bytes = pdf.bytes().await.unwrap();
        let text = crate::support::pdf::compact(&crate::support::pdf::pdf_text(&bytes));
        let verify = self
            .app
            .api
            .get(self.app.url(&format!("/verify/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(verify.status(), 200, "/verify/{code}");
        (code, text, verify.text().await.unwrap())
    }
}

/// Every item at full marks, except those named (code → points, or `None` for 不适用).
fn marks(items: &[Value], except: &[(&str, Option<f64>)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| {
                let code = i["code"].as_str().unwrap();
                match except.iter().find(|(c, _)| *c == code) {
                    Some((_, None)) => json!({"code": code, "not_applicable": true}),
                    Some((_, Some(p))) => json!({"code": code, "points": p}),
                    None => json!({"code": code, "points": i["points"]}),
                }
            })
            .collect(),
    )
}

fn submitted(items: Value, rating: i32) -> Value {
    json!({"items": items, "global_rating": rating, "submit": true})
}

fn sheet_count(app: &TestApp) -> i64 {
    app.with_conn(|c| cunyi::skills::store::sheets::count(c).unwrap())
}

async fn a_completion_runs_from_skills_sheets_to_a_verified_certificate(backend: Backend) {
    let f = flow(backend).await;
    let (wang, li) = (f.wang.0, f.li.0);
    let (history, history_items) = f.station("history_abdominal_pain").await;
    let (cpr, cpr_items) = f.station("cpr_aed").await;
    let (bp, bp_items) = f.station("bp_measurement").await;
    let held_on = f.today.to_string();

    // The county sets the completion skills exam: three stations, two examiners on CPR.
    let exam = f
        .skills_exam(json!({
            "title": "结业技能考核", "kind": "completion", "program_id": f.program,
            "region_code": "370402", "held_on": held_on, "starts_at": "08:30",
            "stations": [
                {"station_id": history, "examiner_ids": [f.t_zheng.0]},
                {"station_id": cpr, "examiner_ids": [f.t_zhou.0, f.t_wu.0]},
                {"station_id": bp, "examiner_ids": [f.t_zheng.0]},
            ],
            "pass_score": 180, "review_threshold": 10, "candidate_ids": [wang, li],
        }))
        .await
        .expect(201)
        .json();
    let exam = exam["id"].as_i64().unwrap();
    // Another county's admin does not see it.
    assert_eq!(
        f.app
            .get(&format!("/api/v1/skills/exams/{exam}"), &f.other_county)
            .await
            .status,
        404
    );

    // The history station, male patients: the menstrual-history item is not applicable.
    // Wang: 5 off the interviewing skill → 85 of the 90 that apply → 94.4 of 100.
    let before = sheet_count(&f.app);
    let wrong = f
        .sheet(
            &f.t_zheng.1,
            exam,
            wang,
            history,
            submitted(marks(&history_items, &[("feature", None)]), 4),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(
        wrong
            .error_fields()
            .iter()
            .all(|f| f.ends_with("not_applicable")),
        "{}",
        wrong.text
    );
    assert_eq!(
        sheet_count(&f.app),
        before,
        "a refused sheet writes nothing"
    );
    let w = f
        .sheet(
            &f.t_zheng.1,
            exam,
            wang,
            history,
            submitted(
                marks(&history_items, &[("menses", None), ("skill", Some(5.0))]),
                4,
            ),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            w["raw_points"].as_f64(),
            w["applicable_max"].as_f64(),
            w["points"].as_f64()
        ),
        (Some(85.0), Some(90.0), Some(94.4)),
        "{w}"
    );
    assert_eq!(w["not_applicable"], json!(["menses"]));
    assert_eq!(
        (w["passed"].as_bool(), w["critical_missed"].as_bool()),
        (Some(true), Some(false))
    );
    // Li: everything that applies at full marks → 100.
    let l = f
        .sheet(
            &f.t_zheng.1,
            exam,
            li,
            history,
            submitted(marks(&history_items, &[("menses", None)]), 5),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(l["points"].as_f64(), Some(100.0));

    // CPR, two examiners: Wang 100 and 85 → the mean 92.5, 15 apart → flagged.
    let not_mine = f
        .sheet(
            &f.t_zheng.1,
            exam,
            wang,
            cpr,
            submitted(marks(&cpr_items, &[]), 5),
        )
        .await;
    assert_eq!(not_mine.status, 404, "an examiner not at the station");
    f.sheet(
        &f.t_zhou.1,
        exam,
        wang,
        cpr,
        submitted(marks(&cpr_items, &[]), 5),
    )
    .await
    .expect(200);
    // Wu: no airway opening (0 of 10), pads half right (5 of 10) → 85.
    f.sheet(
        &f.t_wu.1,
        exam,
        wang,
        cpr,
        submitted(
            marks(
                &cpr_items,
                &[("airway", Some(0.0)), ("aed_pads", Some(5.0))],
            ),
            4,
        ),
    )
    .await
    .expect(200);
    // Li misses a critical CPR step in both examiners' eyes: the station is failed.
    let critical = cpr_items.iter().find(|i| i["critical"] == true).unwrap()["code"]
        .as_str()
        .unwrap();
    for examiner in [&f.t_zhou.1, &f.t_wu.1] {
        let r = f
            .sheet(
                examiner,
                exam,
                li,
                cpr,
                submitted(marks(&cpr_items, &[(critical, Some(0.0))]), 2),
            )
            .await
            .expect(200)
            .json();
        assert_eq!(
            (r["critical_missed"].as_bool(), r["passed"].as_bool()),
            (Some(true), Some(false))
        );
    }
    // A submitted sheet is not overwritten.
    let again = f
        .sheet(
            &f.t_wu.1,
            exam,
            wang,
            cpr,
            submitted(marks(&cpr_items, &[]), 5),
        )
        .await;
    assert_eq!(again.status, 409);
    // Blood pressure: both at full marks.
    for d in [wang, li] {
        f.sheet(
            &f.t_zheng.1,
            exam,
            d,
            bp,
            submitted(marks(&bp_items, &[]), 5),
        )
        .await
        .expect(200);
    }

    let results = f
        .app
        .get(&format!("/api/v1/skills/exams/{exam}/results"), &f.county)
        .await
        .expect(200)
        .json();
    let of = |d: i64| {
        results["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["doctor_id"] == d)
            .unwrap()
            .clone()
    };
    let (rw, rl) = (of(wang), of(li));
    let cpr_of = |r: &Value| {
        r["stations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["station_id"] == cpr)
            .unwrap()
            .clone()
    };
    assert_eq!(cpr_of(&rw)["points"].as_f64(), Some(92.5));
    assert_eq!(cpr_of(&rw)["flagged"], true, "15 apart, threshold 10");
    assert_eq!(cpr_of(&rw)["sheets"], 2);
    assert_eq!(rw["total"].as_f64(), Some(94.4 + 92.5 + 100.0));
    assert_eq!(
        (rw["complete"].as_bool(), rw["passed"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        (rl["complete"].as_bool(), rl["passed"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        f.app
            .get(
                &format!("/api/v1/skills/exams/{exam}/results"),
                &f.other_county
            )
            .await
            .status,
        404
    );

    // The theory completion exam, through the exams API: sat once the hours are met.
    f.app.import_gift(&f.county, "jieye", THEORY_GIFT).await;
    let now = chrono::Utc::now();
    let theory = f
        .app
        .post(
            "/api/v1/exams",
            &f.county,
            json!({"title": "结业理论考核", "kind": "completion", "program_id": f.program,
                   "opens_at": (now - Duration::hours(1)).to_rfc3339(),
                   "closes_at": (now + Duration::hours(3)).to_rfc3339(),
                   "duration_minutes": 60, "pass_score": 60,
                   "blueprint": {"items": [{"area": "public_health", "type": "TF", "difficulty": null,
                                            "collection": "jieye", "count": 4, "points": 25}]}}),
        )
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let early = f
        .app
        .post(
            &format!("/api/v1/exams/{theory}/attempts"),
            &f.wang.1,
            json!({}),
        )
        .await;
    assert_eq!(early.status, 403, "hours not met yet: {}", early.text);
    f.hours(wang).await;
    f.hours(li).await;
    let sat = f.sit(theory, &f.wang.1, "T").await;
    assert_eq!(
        (sat["score"].as_f64(), sat["passed"].as_bool()),
        (Some(100.0), Some(true))
    );
    let sat = f.sit(theory, &f.li.1, "T").await;
    assert_eq!(sat["passed"], true);

    // The county decides: Wang completes (a certificate), Li is in make-up for skills.
    let decided = f.decide().await;
    assert_eq!(decided["by_status"]["passed"], 1, "{decided}");
    assert_eq!(decided["by_status"]["makeup"], 1, "{decided}");
    assert_eq!(decided["certificates"], 1);
    let a = f.assessment(&f.wang).await;
    assert_eq!(a["completion"]["status"], "passed", "{a}");
    assert_eq!(
        (
            a["completion"]["theory"].as_bool(),
            a["completion"]["skills"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let (code, pdf, verified) = f.certificate(&f.wang).await;
    assert!(
        pdf.contains("乡村医生培训结业证书") && pdf.contains(&code),
        "{pdf}"
    );
    assert!(
        verified.contains(&code) && verified.contains("测**员"),
        "{verified}"
    );
    assert_eq!(
        f.app
            .get(&format!("/api/v1/doctors/{li}/certificate"), &f.li.1)
            .await
            .status,
        404,
        "no certificate before the make-up"
    );
    let a = f.assessment(&f.li).await;
    let deadline = a["completion"]["makeup_deadline"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(a["completion"]["status"], "makeup", "{a}");
    assert_eq!(a["completion"]["makeup_needs"], json!(["skills_exam"]));
    let year = f.today.year();
    let lists = f
        .app
        .get(
            &format!("/api/v1/assessment/makeup?region=370402&year={year}"),
            &f.county,
        )
        .await
        .expect(200)
        .json();
    let exam_list = lists["makeup_exam"].as_array().unwrap();
    assert_eq!(exam_list.len(), 1, "{lists}");
    assert_eq!(exam_list[0]["doctor_id"], li);
    assert_eq!(exam_list[0]["needs"], json!(["skills_exam"]));
    assert_eq!(lists["passed"].as_array().unwrap().len(), 1);

    // The make-up covers only the failed half, inside the window (3 months).
    let makeup = |candidates: Vec<i64>, on: String| {
        json!({"title": "结业技能补考", "kind": "makeup", "program_id": f.program,
               "region_code": "370402", "held_on": on,
               "stations": [{"station_id": cpr, "examiner_ids": [f.t_zhou.0]}],
               "pass_score": 60, "candidate_ids": candidates})
    };
    let deadline = NaiveDate::parse_from_str(&deadline, "%Y-%m-%d").unwrap();
    let exams_before = f
        .app
        .get("/api/v1/skills/exams", &f.county)
        .await
        .expect(200)
        .json()["total"]
        .clone();
    let passed_already = f.skills_exam(makeup(vec![wang], held_on.clone())).await;
    assert_eq!(
        passed_already.error_fields(),
        ["candidate_ids[0]"],
        "{}",
        passed_already.text
    );
    let too_late = f
        .skills_exam(makeup(vec![li], (deadline + Duration::days(1)).to_string()))
        .await;
    assert_eq!(too_late.error_fields(), ["held_on"], "{}", too_late.text);
    assert!(
        too_late.text.contains(&deadline.to_string()),
        "{}",
        too_late.text
    );
    let before_completion = f
        .skills_exam(makeup(vec![li], (f.today - Duration::days(1)).to_string()))
        .await;
    assert_eq!(before_completion.error_fields(), ["held_on"]);
    assert_eq!(
        f.app.get("/api/v1/skills/exams", &f.county).await.json()["total"],
        exams_before,
        "refused exams write nothing"
    );
    let on_deadline = f.skills_exam(makeup(vec![li], deadline.to_string())).await;
    assert_eq!(
        on_deadline.status, 201,
        "the deadline itself is inside: {}",
        on_deadline.text
    );
    let redo = f
        .skills_exam(makeup(vec![li], held_on.clone()))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    // Only its candidates sit it.
    let outsider = f
        .sheet(
            &f.t_zhou.1,
            redo,
            wang,
            cpr,
            submitted(marks(&cpr_items, &[]), 5),
        )
        .await;
    assert_eq!(outsider.status, 404);
    f.sheet(
        &f.t_zhou.1,
        redo,
        li,
        cpr,
        submitted(marks(&cpr_items, &[]), 5),
    )
    .await
    .expect(200);

    let decided = f.decide().await;
    assert_eq!(decided["by_status"]["passed"], 2, "{decided}");
    assert_eq!(decided["certificates"], 1, "only Li's is new");
    let a = f.assessment(&f.li).await;
    assert_eq!(a["completion"]["status"], "passed", "{a}");
    let (code_li, _, verified) = f.certificate(&f.li).await;
    assert_ne!(code_li, code);
    assert!(verified.contains(&code_li));
    let actions = f.app.audit_actions();
    for wanted in ["skills.sheet_submitted", "assessment.completion"] {
        assert!(actions.contains(&wanted.to_owned()), "{wanted} audited");
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {html}");
    html
}

async fn the_examiner_page_offers_not_applicable_where_an_item_has_a_condition(backend: Backend) {
    let f = flow(backend).await;
    let (history, _) = f.station("history_abdominal_pain").await;
    let exam = f
        .skills_exam(json!({
            "title": "单项技能考核", "kind": "single", "program_id": f.program,
            "region_code": "370402", "held_on": f.today.to_string(),
            "stations": [{"station_id": history, "examiner_ids": [f.t_zheng.0]}],
            "pass_score": 60, "candidate_ids": [f.wang.0],
        }))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let client = browser();
    let login = page(&f.app, &client, "/login").await;
    let marker = "name=\"csrf\" value=\"";
    let csrf = login[login.find(marker).unwrap() + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = client
        .post(f.app.url("/login"))
        .form(&[
            ("username", "t.zheng"),
            ("password", PASSWORD),
            ("csrf", &csrf),
            ("next", "/home"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let path = format!("/skills/exams/{exam}/score/{}/{history}", f.wang.0);
    let html = page(&f.app, &client, &path).await;
    // One 不适用 button: the menstrual-history item, with its condition shown.
    assert_eq!(html.matches("data-na>不适用</button>").count(), 1, "{html}");
    assert!(html.contains("仅适用于：育龄女性患者"));
    // The whole form, sent without the script: 不适用 in the box is taken.
    let csrf = {
        let start = html.find(marker).unwrap() + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf)];
    let (_, items) = f.station("history_abdominal_pain").await;
    for i in &items {
        let code = i["code"].as_str().unwrap();
        let v = if code == "menses" {
            "不适用".to_owned()
        } else {
            i["points"].to_string()
        };
        form.push((format!("item_{code}"), v));
    }
    form.push(("global_rating".into(), "5".into()));
    form.push(("save".into(), "1".into()));
    let r = client
        .post(f.app.url(&path))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let html = page(&f.app, &client, &path).await;
    assert!(html.contains("value=\"不适用\""), "the box keeps 不适用");
    assert!(html.contains("实得 90 / 适用满分 90"), "{html}");
    let sheet = f
        .app
        .get(
            &format!("/api/v1/skills/exams/{exam}/sheets/{}/{history}", f.wang.0),
            &f.t_zheng.1,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(sheet["points"].as_f64(), Some(100.0));
    assert_eq!(sheet["status"], "draft");
}

async fn a_doctor_who_failed_last_year_sits_no_skills_exam_this_year(backend: Backend) {
    let f = flow(backend).await;
    let (bp, bp_items) = f.station("bp_measurement").await;
    let last = f.today.year() - 1;
    // Last year confirmed with nothing done: both doctors fail it.
    let confirmed = f
        .app
        .post(
            "/api/v1/assessment/annual/confirm",
            &f.county,
            json!({"region_code": "370402", "year": last}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(confirmed["failed"], 2, "{confirmed}");
    let body = |candidates: Vec<i64>| {
        json!({"title": "单项技能考核", "kind": "single", "program_id": f.program,
               "region_code": "370402", "held_on": f.today.to_string(),
               "stations": [{"station_id": bp, "examiner_ids": [f.t_zheng.0]}],
               "pass_score": 60, "candidate_ids": candidates})
    };
    let refused = f.skills_exam(body(vec![f.wang.0])).await;
    assert_eq!(
        refused.error_fields(),
        ["candidate_ids[0]"],
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains(&format!("{last} 年度考核未通过")),
        "the year is named: {}",
        refused.text
    );
    // An exam without candidates: a sheet cannot add a gated doctor either.
    let exam = f.skills_exam(body(vec![])).await.expect(201).json()["id"]
        .as_i64()
        .unwrap();
    let before = sheet_count(&f.app);
    let r = f
        .sheet(
            &f.t_zheng.1,
            exam,
            f.wang.0,
            bp,
            submitted(marks(&bp_items, &[]), 5),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains(&format!("{last} 年度考核未通过")));
    assert_eq!(sheet_count(&f.app), before);
}
