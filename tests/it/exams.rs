//! Exams over HTTP: creating them, sitting them (papers, saves, deadlines, submission),
//! grading every item type, eligibility, answer leaks, results and item analysis.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use cunyi::auth::Role;
use cunyi::exams::PaperItem;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, Reply, TestApp, spawn};

both_backends!(
    an_exam_is_created_from_a_blueprint_and_bad_ones_write_nothing,
    every_item_type_grades_and_x_scoring_follows_the_exam,
    answers_are_refused_after_the_deadline_whatever_the_client_clock,
    a_second_attempt_beyond_the_allowance_is_refused,
    ineligible_doctors_are_refused,
    concurrent_saves_of_one_answer_end_consistent,
    no_candidate_response_ever_contains_an_answer,
    open_attempts_are_submitted_at_their_deadline,
    results_are_scoped_and_item_analysis_matches_hand_computed_values,
    annual_results_reach_the_progress_and_makeups_follow_the_window,
    an_exam_nobody_started_is_withdrawn_and_disappears_for_doctors,
    a_started_exam_is_closed_early_and_its_open_attempts_graded,
    the_points_migration_carries_scores_both_ways,
    a_corrupt_stored_paper_is_an_error_never_an_empty_paper,
);

const UNIT_GIFT: &str = "::a1::单选 {=甲 ~乙 ~丙 ~丁}\n\n::x1::多选 {~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-100%丁 ~%-100%戊}\n\n::tf1::判断 {T}\n";
const STATS_GIFT: &str =
    "::s1::陈述一 {T}\n\n::s2::陈述二 {T}\n\n::s3::陈述三 {T}\n\n::s4::陈述四 {T}\n";

struct Setup {
    app: TestApp,
    program: i64,
    city: String,
    county: String,
    other_county: String,
}

async fn setup(backend: Backend) -> Setup {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let t = app
        .accounts(&[
            ("city", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    for (collection, gift) in [("tt", UNIT_GIFT), ("stats", STATS_GIFT)] {
        app.import_gift(&t[0], collection, gift).await;
    }
    Setup {
        app,
        program,
        city: t[0].clone(),
        county: t[1].clone(),
        other_county: t[2].clone(),
    }
}

fn window() -> (String, String) {
    let now = Utc::now();
    (
        (now - Duration::hours(1)).to_rfc3339(),
        (now + Duration::hours(3)).to_rfc3339(),
    )
}

fn line(qtype: &str, collection: Option<&str>, count: u32, points: f64) -> Value {
    json!({"area": "public_health", "type": qtype, "difficulty": null, "collection": collection, "count": count, "points": points})
}

/// Every item type: A1, X, TF from collection `t`; A2, A3, A4, B1 from the shipped bank.
fn full_blueprint() -> Value {
    json!({"items": [
        line("A1", Some("tt"), 1, 1.0),
        line("X", Some("tt"), 1, 3.0),
        line("TF", Some("tt"), 1, 1.0),
        line("A2", None, 1, 1.0),
        line("A3", None, 3, 1.0),
        line("A4", None, 4, 1.0),
        line("B1", None, 3, 1.0),
    ]})
}

impl Setup {
    async fn exam(&self, token: &str, extra: Value) -> i64 {
        let (opens, closes) = window();
        let mut body = json!({"title": "2026 年度理论考核", "kind": "unit", "program_id": self.program,
            "opens_at": opens, "closes_at": closes, "duration_minutes": 60, "pass_score": 9,
            "blueprint": full_blueprint()});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self.app.post("/api/v1/exams", token, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["id"].as_i64().unwrap()
    }

    async fn doctor(&self, first17: &str, region: &str, username: &str) -> (i64, String) {
        let admin = if region.starts_with("370403") {
            &self.other_county
        } else {
            &self.county
        };
        let (id, token) = self
            .app
            .doctor(admin, self.program, first17, region, Some(username))
            .await;
        (id, token.unwrap())
    }

    async fn start(&self, exam: i64, token: &str) -> Reply {
        self.app
            .post(&format!("/api/v1/exams/{exam}/attempts"), token, json!({}))
            .await
    }

    async fn put(&self, attempt: i64, qid: &str, token: &str, answer: &str) -> Reply {
        self.app
            .send(
                Method::PUT,
                &format!("/api/v1/attempts/{attempt}/answers/{qid}"),
                Some(token),
                Some(json!({ "answer": answer })),
            )
            .await
    }

    /// The paper as the server keeps it (with the keys), read from the database.
    fn paper(&self, attempt: i64) -> Vec<PaperItem> {
        self.app.with_conn(|c| {
            cunyi::exams::store::get_attempt(c, attempt)
                .unwrap()
                .unwrap()
                .paper
                .into_items()
        })
    }

    /// Move an attempt's deadline (and the exam's window) into the past.
    fn expire(&self, attempt: i64) {
        use cunyi::db::schema::attempts;
        let past = cunyi::time::now() - Duration::seconds(5);
        self.app.with_conn(|c| {
            diesel::update(attempts::table.find(attempt))
                .set(attempts::deadline.eq(past))
                .execute(c)
                .unwrap()
        });
    }
}

/// The reply, once its status is the one expected (for the requests that arrange a test).
#[track_caller]
fn expect(reply: Reply, status: u16) -> Reply {
    assert_eq!(reply.status, status, "{}", reply.text);
    reply
}

fn answer_count(app: &TestApp, attempt: i64) -> i64 {
    use cunyi::db::schema::attempt_answers;
    app.with_conn(|c| {
        attempt_answers::table
            .filter(attempt_answers::attempt_id.eq(attempt))
            .count()
            .get_result(c)
            .unwrap()
    })
}

async fn an_exam_is_created_from_a_blueprint_and_bad_ones_write_nothing(backend: Backend) {
    let s = setup(backend).await;
    let (opens, closes) = window();
    let good = json!({"title": "单元测试一", "kind": "unit", "program_id": s.program, "opens_at": opens,
        "closes_at": closes, "duration_minutes": 30, "pass_score": 9, "blueprint": full_blueprint()});
    let r = s.app.post("/api/v1/exams", &s.county, good.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = r.json();
    assert_eq!(
        (
            e["kind"].as_str(),
            e["max_score"].as_f64(),
            e["region_code"].as_str()
        ),
        (Some("unit"), Some(16.0), Some("370402"))
    );
    assert_eq!(e["question_count"], 14);
    assert_eq!(s.app.last_audit("exam.created")["title"], "单元测试一");
    let before = s.app.audit_count();

    let mut short = good.clone();
    short["blueprint"]["items"][1] = line("X", Some("tt"), 5, 1.0);
    let r = s.app.post("/api/v1/exams", &s.county, short).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_fields(), vec!["blueprint.items[1].count"]);

    let mut uneven = good.clone();
    uneven["blueprint"]["items"][4] = line("A3", None, 1, 1.0);
    let r = s.app.post("/api/v1/exams", &s.county, uneven).await;
    assert_eq!(
        r.error_fields(),
        vec!["blueprint.items[4].count"],
        "groups of 3 cannot make 1"
    );

    let mut bad = good.clone();
    bad["kind"] = json!("final");
    bad["closes_at"] = json!(opens);
    bad["pass_score"] = json!(100);
    bad["blueprint"]["items"][0]["type"] = json!("A9");
    bad["blueprint"]["items"][2]["area"] = json!("surgery");
    let r = s.app.post("/api/v1/exams", &s.county, bad).await;
    assert_eq!(r.status, 422);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "blueprint.items[0].type",
            "blueprint.items[2].area",
            "closes_at",
            "kind"
        ]
    );

    let mut too_high = good.clone();
    too_high["pass_score"] = json!(17);
    assert_eq!(
        s.app
            .post("/api/v1/exams", &s.county, too_high)
            .await
            .error_fields(),
        vec!["pass_score"]
    );

    let mut elsewhere = good.clone();
    elsewhere["region_code"] = json!("370403");
    assert_eq!(
        s.app
            .post("/api/v1/exams", &s.county, elsewhere)
            .await
            .error_fields(),
        vec!["region_code"]
    );

    let mut unknown = good.clone();
    unknown["blueprint"]["items"][0]["collection"] = json!("nope");
    assert_eq!(
        s.app
            .post("/api/v1/exams", &s.county, unknown)
            .await
            .error_fields(),
        vec!["blueprint.items[0].collection"]
    );
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    assert_eq!(s.app.post("/api/v1/exams", &doctor, good).await.status, 403);
    let exams: i64 = s.app.with_conn(|c| {
        cunyi::db::schema::exams::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(exams, 1, "no refused exam was written");
    assert_eq!(
        s.app
            .audit_actions()
            .iter()
            .filter(|a| *a == "exam.created")
            .count(),
        1
    );
    assert!(s.app.audit_count() >= before);
}

/// Answer every item right, or as `wrong` says for some question types.
async fn answer_paper(s: &Setup, attempt: i64, token: &str, choose: impl Fn(&PaperItem) -> String) {
    for item in s.paper(attempt) {
        let r = s
            .put(attempt, &item.question_id, token, &choose(&item))
            .await;
        assert_eq!(r.status, 204, "{}: {}", item.question_id, r.text);
    }
}

async fn every_item_type_grades_and_x_scoring_follows_the_exam(backend: Backend) {
    let s = setup(backend).await;
    let strict = s.exam(&s.county, json!({})).await;
    let partial = s
        .exam(
            &s.county,
            json!({"x_scoring": "partial", "title": "部分计分"}),
        )
        .await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;

    let a = s.start(strict, &doctor).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let attempt = a.json()["id"].as_i64().unwrap();
    let body = a.json();
    let types: Vec<&str> = body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["type"].as_str().unwrap())
        .collect();
    for t in ["A1", "A2", "A3", "A4", "B1", "X", "TF"] {
        assert!(types.contains(&t), "{t} on the paper");
    }
    // All right except one A3 item and the X item given two of its three letters.
    let paper = s.paper(attempt);
    let a3 = paper
        .iter()
        .find(|i| i.qtype == cunyi::bank::QType::A3)
        .unwrap()
        .question_id
        .clone();
    answer_paper(&s, attempt, &doctor, |item| {
        if item.question_id == a3 {
            let wrong = item.options.iter().find(|o| o.key != item.answer).unwrap();
            wrong.key.clone()
        } else if item.qtype == cunyi::bank::QType::X {
            item.answer[..2].to_owned()
        } else {
            item.answer.clone()
        }
    })
    .await;
    let done = s
        .app
        .post(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &doctor,
            json!({}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        (
            done.json()["score"].as_f64(),
            done.json()["max_score"].as_f64()
        ),
        (Some(12.0), Some(16.0))
    );
    assert_eq!(done.json()["passed"], true, "12 ≥ 9");

    let b = s.start(partial, &doctor).await;
    let attempt = b.json()["id"].as_i64().unwrap();
    answer_paper(&s, attempt, &doctor, |item| {
        if item.qtype == cunyi::bank::QType::X {
            item.answer[..2].to_owned()
        } else {
            item.answer.clone()
        }
    })
    .await;
    let done = s
        .app
        .post(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &doctor,
            json!({}),
        )
        .await;
    assert_eq!(
        done.json()["score"].as_f64(),
        Some(15.0),
        "13 + 3 × 2/3 for the X item"
    );

    // Submitting twice changes nothing; the review shows each item's points.
    let again = s
        .app
        .post(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &doctor,
            json!({}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["score"].as_f64(), Some(15.0));
    let review = s
        .app
        .get(&format!("/api/v1/attempts/{attempt}"), &doctor)
        .await
        .json();
    let items = review["items"].as_array().unwrap();
    assert_eq!(items.len(), 14);
    let x = items.iter().find(|i| i["type"] == "X").unwrap();
    assert_eq!(
        (x["points"].as_f64(), x["max_points"].as_f64()),
        (Some(2.0), Some(3.0))
    );
    assert_eq!(review["review"], true, "no attempt left: the key is shown");
    assert!(x["correct_answer"].is_string() && x["explanation"].is_string());
}

async fn answers_are_refused_after_the_deadline_whatever_the_client_clock(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({"duration_minutes": 45})).await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    // A client whose clock says 2020 (and says so in every header it can) gets the
    // server's deadline: start + 45 minutes of server time.
    let forged = s
        .app
        .api
        .post(s.app.url(&format!("/api/v1/exams/{exam}/attempts")))
        .bearer_auth(&doctor)
        .header("Date", "Wed, 01 Jan 2020 00:00:00 GMT")
        .header("X-Client-Time", "2020-01-01T00:00:00Z")
        .json(&json!({"started_at": "2020-01-01T00:00:00Z", "deadline": "2030-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 201);
    let a: Value = forged.json().await.unwrap();
    let deadline = chrono::DateTime::parse_from_rfc3339(a["deadline"].as_str().unwrap()).unwrap();
    let expected = Utc::now() + Duration::minutes(45);
    assert!(
        (deadline.with_timezone(&Utc) - expected)
            .num_seconds()
            .abs()
            < 30,
        "{deadline}"
    );
    assert!((2600..=2700).contains(&a["remaining_seconds"].as_i64().unwrap()));
    let attempt = a["id"].as_i64().unwrap();
    let item = s.paper(attempt).remove(0);
    assert_eq!(
        s.put(attempt, &item.question_id, &doctor, &item.answer)
            .await
            .status,
        204
    );
    // Bad answers: 422 and nothing written.
    let bad = s.put(attempt, &item.question_id, &doctor, "Z").await;
    assert_eq!(
        (bad.status.as_u16(), bad.error_fields()),
        (422, vec!["answer".to_owned()])
    );
    assert_eq!(
        s.put(attempt, "no-such-question", &doctor, "A")
            .await
            .status,
        404
    );

    s.expire(attempt);
    let late = s
        .app
        .api
        .put(s.app.url(&format!(
            "/api/v1/attempts/{attempt}/answers/{}",
            item.question_id
        )))
        .bearer_auth(&doctor)
        .header("Date", "Wed, 01 Jan 2020 00:00:00 GMT")
        .json(&json!({"answer": "A", "saved_at": "2020-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 409);
    let stored = s
        .app
        .with_conn(|c| cunyi::exams::store::answers_of(c, attempt).unwrap());
    assert_eq!(
        stored[&item.question_id], item.answer,
        "the answer saved in time stands"
    );
    // Reading it grades it: submitted at the deadline, scored with what was saved.
    let read = s
        .app
        .get(&format!("/api/v1/attempts/{attempt}"), &doctor)
        .await
        .json();
    assert_eq!(
        (read["status"].as_str(), read["submitted_by"].as_str()),
        (Some("submitted"), Some("deadline"))
    );
    assert_eq!(read["score"].as_f64(), Some(item.points.as_f64()));
}

async fn a_second_attempt_beyond_the_allowance_is_refused(backend: Backend) {
    let s = setup(backend).await;
    let once = s.exam(&s.county, json!({})).await;
    let twice = s.exam(&s.county, json!({"attempts_allowed": 2})).await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let first = s.start(once, &doctor).await;
    assert_eq!(first.status, 201);
    let resumed = s.start(once, &doctor).await;
    assert_eq!(resumed.status, 200, "a reload resumes the open attempt");
    assert_eq!(resumed.json()["id"], first.json()["id"]);
    assert_eq!(
        resumed.json()["questions"],
        first.json()["questions"],
        "the same paper"
    );
    let id = first.json()["id"].as_i64().unwrap();
    assert_eq!(
        s.app
            .post(&format!("/api/v1/attempts/{id}/submit"), &doctor, json!({}))
            .await
            .status,
        200
    );
    let second = s.start(once, &doctor).await;
    assert_eq!(second.status, 409, "{}", second.text);
    assert!(second.text.contains("1 次"));
    // Review before the last attempt shows points but not the key.
    let a = expect(s.start(twice, &doctor).await, 201).json()["id"]
        .as_i64()
        .unwrap();
    expect(
        s.app
            .post(&format!("/api/v1/attempts/{a}/submit"), &doctor, json!({}))
            .await,
        200,
    );
    let review = s
        .app
        .get(&format!("/api/v1/attempts/{a}"), &doctor)
        .await
        .json();
    assert_eq!(
        review["review"], false,
        "an attempt is left, the key stays hidden"
    );
    assert!(
        review["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("correct_answer").is_none())
    );
    let b = s.start(twice, &doctor).await;
    assert_eq!(b.status, 201);
    assert_ne!(b.json()["id"], json!(a));
    expect(
        s.app
            .post(
                &format!("/api/v1/attempts/{}/submit", b.json()["id"]),
                &doctor,
                json!({}),
            )
            .await,
        200,
    );
    assert_eq!(s.start(twice, &doctor).await.status, 409);
    let attempts: i64 = s.app.with_conn(|c| {
        cunyi::db::schema::attempts::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(attempts, 3);
}

/// Credit the program's required hours to a doctor (as a county admin would enter them).
async fn credit_hours(s: &Setup, doctor: i64) {
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    for (kind, minutes) in [("online", 9480), ("centralized", 3600), ("shadowing", 3600)] {
        let mut left = minutes;
        while left > 0 {
            let m = left.min(1200);
            let r = s
                .app
                .post(
                    "/api/v1/study-records",
                    &s.county,
                    json!({"doctor_id": doctor, "kind": kind, "minutes": m, "occurred_on": day.to_string()}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            left -= m;
            day += Duration::days(1);
        }
    }
}

async fn ineligible_doctors_are_refused(backend: Backend) {
    let s = setup(backend).await;
    let completion = s
        .exam(
            &s.county,
            json!({"kind": "completion", "title": "结业考核"}),
        )
        .await;
    let cohort = s
        .exam(
            &s.county,
            json!({"cohort_year": 2024, "title": "2024 级单元测试"}),
        )
        .await;
    let (ready, ready_token) = s.doctor("37040219800101123", "370402", "doc.ready").await;
    let (_, short_token) = s.doctor("37040219810101123", "370402", "doc.short").await;
    let (_, away_token) = s.doctor("37040319800101123", "370403", "doc.away").await;
    credit_hours(&s, ready).await;

    let short = s.start(completion, &short_token).await;
    assert_eq!(short.status, 403, "{}", short.text);
    assert!(short.text.contains("学时"));
    assert_eq!(
        s.start(completion, &away_token).await.status,
        404,
        "another county's exam is out of reach"
    );
    assert_eq!(
        s.start(cohort, &short_token).await.status,
        404,
        "another cohort's exam"
    );
    let ok = s.start(completion, &ready_token).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(
        s.start(completion, &s.county).await.status,
        403,
        "admins do not sit exams"
    );
    // A doctor who has left the post may not sit.
    let left = s
        .app
        .post(
            &format!("/api/v1/doctors/{ready}/status"),
            &s.county,
            json!({"status": "left_post", "effective_on": "2026-11-01", "note": "离岗"}),
        )
        .await;
    assert_eq!(left.status, 200, "{}", left.text);
    let unit = s.exam(&s.county, json!({})).await;
    assert_eq!(s.start(unit, &ready_token).await.status, 403);
    // Outside the window: 409.
    let (opens, _) = window();
    let later = s
        .exam(&s.county, json!({"opens_at": (Utc::now() + Duration::hours(1)).to_rfc3339(), "closes_at": (Utc::now() + Duration::hours(2)).to_rfc3339()}))
        .await;
    assert_eq!(s.start(later, &short_token).await.status, 409);
    assert!(!opens.is_empty());
    let attempts: i64 = s.app.with_conn(|c| {
        cunyi::db::schema::attempts::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(attempts, 1);
}

async fn concurrent_saves_of_one_answer_end_consistent(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({})).await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let attempt = expect(s.start(exam, &doctor).await, 201).json()["id"]
        .as_i64()
        .unwrap();
    let item = s
        .paper(attempt)
        .into_iter()
        .find(|i| i.qtype == cunyi::bank::QType::A1)
        .unwrap();
    let keys: Vec<String> = item.options.iter().map(|o| o.key.clone()).collect();
    let saves = (0..24).map(|i| s.put(attempt, &item.question_id, &doctor, &keys[i % keys.len()]));
    let replies = futures_util::future::join_all(saves).await;
    assert!(
        replies.iter().all(|r| r.status == 204),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(
        answer_count(&s.app, attempt),
        1,
        "one row per question, however many saves"
    );
    let stored = s
        .app
        .with_conn(|c| cunyi::exams::store::answers_of(c, attempt).unwrap())[&item.question_id]
        .clone();
    assert!(keys.contains(&stored));

    // Saves racing the submission: each is either graded or refused, never lost.
    let others: Vec<PaperItem> = s
        .paper(attempt)
        .into_iter()
        .filter(|i| i.question_id != item.question_id)
        .collect();
    let path = format!("/api/v1/attempts/{attempt}/submit");
    let racing = others
        .iter()
        .map(|i| s.put(attempt, &i.question_id, &doctor, &i.answer));
    let (puts, submitted) = futures_util::future::join(
        futures_util::future::join_all(racing),
        s.app.post(&path, &doctor, json!({})),
    )
    .await;
    assert_eq!(submitted.status, 200);
    let accepted: Vec<&PaperItem> = others
        .iter()
        .zip(&puts)
        .filter(|(_, r)| r.status == 204)
        .map(|(i, _)| i)
        .collect();
    assert!(puts.iter().all(|r| r.status == 204 || r.status == 409));
    let review = s
        .app
        .get(&format!("/api/v1/attempts/{attempt}"), &doctor)
        .await
        .json();
    let graded: HashMap<String, Value> = review["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["question_id"].as_str().unwrap().to_owned(),
                i["answer_given"].clone(),
            )
        })
        .collect();
    for i in &accepted {
        assert_eq!(
            graded[&i.question_id],
            json!(i.answer),
            "an accepted save is graded"
        );
    }
    assert_eq!(answer_count(&s.app, attempt), 1 + accepted.len() as i64);
}

/// Every key named `answer`, `correct_answer` or `explanation` anywhere in a value,
/// and any string equal to a paper item's explanation.
fn leaks(v: &Value, explanations: &[String], path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                if matches!(
                    k.as_str(),
                    "answer" | "correct_answer" | "explanation" | "key_answer"
                ) {
                    out.push(format!("{path}.{k}"));
                }
                // `answers` is the candidate's own saved answers: allowed, not recursed.
                if k != "answers" {
                    leaks(inner, explanations, &format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                leaks(inner, explanations, &format!("{path}[{i}]"), out);
            }
        }
        Value::String(s)
            if explanations
                .iter()
                .any(|e| !e.is_empty() && s.contains(e.as_str())) =>
        {
            out.push(path.to_owned())
        }
        _ => {}
    }
}

async fn no_candidate_response_ever_contains_an_answer(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({"attempts_allowed": 2})).await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let mut seen: Vec<(String, Value)> = Vec::new();
    let start = s.start(exam, &doctor).await;
    let attempt = start.json()["id"].as_i64().unwrap();
    seen.push(("start".into(), start.json()));
    let paper = s.paper(attempt);
    for item in paper.iter().take(5) {
        expect(
            s.put(attempt, &item.question_id, &doctor, &item.answer)
                .await,
            204,
        );
    }
    seen.push((
        "resume".into(),
        expect(s.start(exam, &doctor).await, 200).json(),
    ));
    seen.push((
        "attempt".into(),
        expect(
            s.app
                .get(&format!("/api/v1/attempts/{attempt}"), &doctor)
                .await,
            200,
        )
        .json(),
    ));
    seen.push((
        "exams".into(),
        expect(s.app.get("/api/v1/exams", &doctor).await, 200).json(),
    ));
    seen.push((
        "exam".into(),
        expect(
            s.app.get(&format!("/api/v1/exams/{exam}"), &doctor).await,
            200,
        )
        .json(),
    ));
    let submitted = expect(
        s.app
            .post(
                &format!("/api/v1/attempts/{attempt}/submit"),
                &doctor,
                json!({}),
            )
            .await,
        200,
    )
    .json();
    seen.push(("submit".into(), submitted));
    // With an attempt left, even the review keeps the key.
    seen.push((
        "review".into(),
        expect(
            s.app
                .get(&format!("/api/v1/attempts/{attempt}"), &doctor)
                .await,
            200,
        )
        .json(),
    ));
    let explanations: Vec<String> = paper
        .iter()
        .map(|i| i.explanation.clone())
        .filter(|e| e.chars().count() > 6)
        .collect();
    assert!(!explanations.is_empty());
    for (what, body) in &seen {
        let mut found = Vec::new();
        leaks(body, &explanations, what, &mut found);
        // The saved answers are the candidate's own (answers{}), nothing else.
        assert!(found.is_empty(), "{what} leaks {found:?}");
    }
    // The attempt page is scanned in exam_pages.rs (it needs a browser session).
}

async fn open_attempts_are_submitted_at_their_deadline(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({})).await;
    let mut attempts = Vec::new();
    for (i, first17) in [
        "37040219800101123",
        "37040219810101123",
        "37040219820101123",
    ]
    .iter()
    .enumerate()
    {
        let (_, token) = s.doctor(first17, "370402", &format!("doc.{i}")).await;
        let id = expect(s.start(exam, &token).await, 201).json()["id"]
            .as_i64()
            .unwrap();
        let item = s.paper(id).remove(0);
        expect(
            s.put(id, &item.question_id, &token, &item.answer).await,
            204,
        );
        attempts.push((id, item.points));
    }
    s.expire(attempts[0].0);
    s.expire(attempts[1].0);
    let closed = s
        .app
        .with_conn(|c| cunyi::exams::store::close_overdue(c, cunyi::time::now()).unwrap());
    assert_eq!(closed, 2);
    for (i, (id, points)) in attempts.iter().enumerate() {
        let a = s
            .app
            .with_conn(|c| cunyi::exams::store::get_attempt(c, *id).unwrap().unwrap());
        if i < 2 {
            assert_eq!(
                (
                    a.status.as_str(),
                    a.submitted_by.map(|b| b.as_str()),
                    a.score
                ),
                ("submitted", Some("deadline"), Some(*points))
            );
            assert_eq!(a.submitted_at, Some(a.deadline), "recorded at the deadline");
        } else {
            assert_eq!(a.status.as_str(), "in_progress");
        }
    }
    assert_eq!(
        s.app
            .with_conn(|c| cunyi::exams::store::close_overdue(c, cunyi::time::now()).unwrap()),
        0
    );
    assert!(
        s.app
            .audit_actions()
            .iter()
            .filter(|a| *a == "exam.attempt_submitted")
            .count()
            >= 2
    );
}

async fn results_are_scoped_and_item_analysis_matches_hand_computed_values(backend: Backend) {
    let s = setup(backend).await;
    let (opens, closes) = window();
    // A fixed paper: the four statements of collection `stats`, 1 point each.
    let r = s
        .app
        .post(
            "/api/v1/exams",
            &s.city,
            json!({"title": "统计测验", "kind": "unit", "program_id": s.program, "opens_at": opens, "closes_at": closes,
                   "duration_minutes": 20, "pass_score": 2, "blueprint": {"items": [line("TF", Some("stats"), 4, 1.0)]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let exam = r.json()["id"].as_i64().unwrap();
    let qids = |s: &Setup| -> Vec<String> {
        let mut ids: Vec<String> = s.app.with_conn(|c| {
            cunyi::bank::store::list(
                c,
                &cunyi::bank::store::Filter {
                    collection: Some("stats".into()),
                    ..Default::default()
                },
            )
            .unwrap()
            .into_iter()
            .map(|q| q.qid)
            .collect()
        });
        ids.sort();
        ids
    };
    let order: HashMap<String, usize> = {
        // Items by their stem number (陈述一 … 陈述四) so the matrix is about known items.
        let all = s.app.with_conn(|c| {
            cunyi::bank::store::list(
                c,
                &cunyi::bank::store::Filter {
                    collection: Some("stats".into()),
                    ..Default::default()
                },
            )
            .unwrap()
        });
        all.iter()
            .map(|q| {
                (
                    q.qid.clone(),
                    ["陈述一", "陈述二", "陈述三", "陈述四"]
                        .iter()
                        .position(|n| *n == q.stem)
                        .unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(qids(&s).len(), 4);
    // The hand-computed matrix of exams::rules' test: 1 = right (T), 0 = wrong (F).
    let matrix = [
        [1, 1, 1, 1],
        [1, 1, 1, 0],
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 1, 0, 1],
    ];
    let places = [
        ("370402", 0),
        ("370402", 1),
        ("370402", 2),
        ("370403", 3),
        ("370403", 4),
    ];
    for (n, (region, row)) in places.iter().enumerate() {
        let (_, token) = s
            .doctor(
                &format!("{region}1980010{}123", n + 1),
                region,
                &format!("doc.{n}"),
            )
            .await;
        let attempt = expect(s.start(exam, &token).await, 201).json()["id"]
            .as_i64()
            .unwrap();
        for item in s.paper(attempt) {
            let right = matrix[*row][order[&item.question_id]] == 1;
            expect(
                s.put(
                    attempt,
                    &item.question_id,
                    &token,
                    if right { "T" } else { "F" },
                )
                .await,
                204,
            );
        }
        assert_eq!(
            s.app
                .post(
                    &format!("/api/v1/attempts/{attempt}/submit"),
                    &token,
                    json!({})
                )
                .await
                .status,
            200
        );
    }
    // The county sees its three; the other county its two; the city all five.
    for (token, n) in [(&s.county, 3), (&s.other_county, 2), (&s.city, 5)] {
        let r = s
            .app
            .get(&format!("/api/v1/exams/{exam}/results"), token)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["total"], n);
    }
    let (_, doctor) = s.doctor("37040219900101123", "370402", "doc.x").await;
    assert_eq!(
        s.app
            .get(&format!("/api/v1/exams/{exam}/results"), &doctor)
            .await
            .status,
        403
    );
    assert_eq!(
        s.app
            .get(&format!("/api/v1/exams/{exam}/analysis"), &doctor)
            .await
            .status,
        403
    );
    // A county's own exam is invisible to the neighbouring county.
    let county_exam = s.exam(&s.county, json!({})).await;
    assert_eq!(
        s.app
            .get(
                &format!("/api/v1/exams/{county_exam}/results"),
                &s.other_county
            )
            .await
            .status,
        404
    );

    let a = s
        .app
        .get(&format!("/api/v1/exams/{exam}/analysis"), &s.city)
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = a.json();
    let t = &a["test"];
    let close = |v: &Value, x: f64| assert!((v.as_f64().unwrap() - x).abs() < 1e-4, "{v} ≠ {x}");
    assert_eq!(t["n"], 5);
    close(&t["mean"], 2.4);
    close(&t["median"], 2.0);
    close(&t["sd"], 1.3f64.sqrt());
    close(&t["reliability"], 4.0 / 3.0 * (1.0 - 1.0 / 1.3));
    close(&t["sem"], 0.9f64.sqrt());
    let item = |k: usize| -> &Value {
        let qid = order.iter().find(|(_, v)| **v == k).unwrap().0;
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["question_id"] == json!(qid))
            .unwrap()
    };
    close(&item(0)["facility"], 0.8);
    close(
        &item(0)["discrimination_index"],
        -0.1 / (0.2f64.sqrt() * 1.3f64.sqrt()),
    );
    close(
        &item(0)["point_biserial"],
        0.1 / (0.2f64.sqrt() * 1.3f64.sqrt()),
    );
    assert_eq!(item(0)["negative_discrimination"], true);
    close(
        &item(2)["discrimination_index"],
        0.25 / (0.3f64.sqrt() * 0.5f64.sqrt()),
    );
    close(
        &item(2)["point_biserial"],
        0.55 / (0.3f64.sqrt() * 1.3f64.sqrt()),
    );
    assert_eq!(a["flagged"].as_array().unwrap().len(), 1);
    // A county's analysis covers its own candidates only.
    let county = s
        .app
        .get(&format!("/api/v1/exams/{exam}/analysis"), &s.county)
        .await
        .json();
    assert_eq!(county["test"]["n"], 3);
}

async fn annual_results_reach_the_progress_and_makeups_follow_the_window(backend: Backend) {
    let s = setup(backend).await;
    let annual = s
        .exam(
            &s.county,
            json!({"kind": "annual", "title": "2026 年度考核", "year": 2026}),
        )
        .await;
    let (doctor, token) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let attempt = expect(s.start(annual, &token).await, 201).json()["id"]
        .as_i64()
        .unwrap();
    answer_paper(&s, attempt, &token, |i| i.answer.clone()).await;
    expect(
        s.app
            .post(
                &format!("/api/v1/attempts/{attempt}/submit"),
                &token,
                json!({}),
            )
            .await,
        200,
    );
    let p = s.app.credited(&s.county, doctor).await;
    let year = p["annual"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2026)
        .unwrap();
    assert_eq!(year["assessment"]["score"].as_f64(), Some(16.0), "{year}");
    assert_eq!(year["assessment"]["passed"], true);

    // A make-up exam must close within the program's window after the completion exam.
    let completion = s.exam(&s.county, json!({"kind": "completion"})).await;
    let closes = s
        .app
        .get(&format!("/api/v1/exams/{completion}"), &s.county)
        .await
        .json()["closes_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let closes = chrono::DateTime::parse_from_rfc3339(&closes).unwrap();
    let body = |open_days: i64, close_days: i64| {
        json!({"title": "结业补考", "kind": "makeup", "makeup_of": completion, "program_id": s.program,
               "opens_at": (closes + Duration::days(open_days)).to_rfc3339(),
               "closes_at": (closes + Duration::days(close_days)).to_rfc3339(),
               "duration_minutes": 60, "pass_score": 9, "blueprint": full_blueprint()})
    };
    let late = s.app.post("/api/v1/exams", &s.county, body(10, 120)).await;
    assert_eq!(late.error_fields(), vec!["closes_at"], "{}", late.text);
    let early = s.app.post("/api/v1/exams", &s.county, body(-1, 30)).await;
    assert_eq!(early.error_fields(), vec!["opens_at"]);
    let mut of_unit = body(10, 30);
    of_unit["makeup_of"] = json!(annual);
    assert_eq!(
        s.app
            .post("/api/v1/exams", &s.county, of_unit)
            .await
            .error_fields(),
        vec!["makeup_of"]
    );
    assert_eq!(
        s.app
            .post("/api/v1/exams", &s.county, body(10, 30))
            .await
            .status,
        201
    );
}

/// Issue 13: an exam created by mistake is withdrawn while nobody has started it; it
/// disappears from doctors' lists and cannot be started (404). Managers only (a doctor
/// 403), within their own subtree (another county 404; a county on its city's exam 403).
async fn an_exam_nobody_started_is_withdrawn_and_disappears_for_doctors(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({"title": "误建的考试"})).await;
    let kept = s.exam(&s.county, json!({"title": "保留的考试"})).await;
    let city_exam = s.exam(&s.city, json!({"title": "市级考试"})).await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let withdraw = |id: i64| format!("/api/v1/exams/{id}/withdraw");

    let r = s.app.post(&withdraw(exam), &doctor, json!({})).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = s
        .app
        .post(&withdraw(exam), &s.other_county, json!({}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = s.app.post(&withdraw(city_exam), &s.county, json!({})).await;
    assert_eq!(
        r.status, 403,
        "a county does not withdraw its city's exam: {}",
        r.text
    );
    let r = s.app.post(&withdraw(9999), &s.county, json!({})).await;
    assert_eq!(r.status, 404);

    let r = s.app.post(&withdraw(exam), &s.county, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json()["id"].as_i64(), r.json()["status"].as_str()),
        (Some(exam), Some("withdrawn"))
    );
    assert_eq!(
        r.json()["title"],
        "误建的考试",
        "the exam as the API shows it"
    );
    let audited = s.app.last_audit("exam.withdrawn");
    assert_eq!(audited["title"], "误建的考试");

    // Doctors: gone from the list, not found, cannot be started.
    let list = s.app.get("/api/v1/exams", &doctor).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let ids: Vec<i64> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.contains(&exam) && ids.contains(&kept), "{ids:?}");
    let r = s.app.get(&format!("/api/v1/exams/{exam}"), &doctor).await;
    assert_eq!(r.status, 404);
    assert_eq!(s.start(exam, &doctor).await.status, 404);
    // Managers still see it, marked.
    let list = s.app.get("/api/v1/exams", &s.county).await;
    assert_eq!(list.status, 200);
    let listed = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == exam)
        .cloned()
        .unwrap();
    assert_eq!(listed["status"], "withdrawn");
    let r = s.app.get(&format!("/api/v1/exams/{kept}"), &s.county).await;
    assert_eq!(r.json()["status"], "active");

    let again = s.app.post(&withdraw(exam), &s.county, json!({})).await;
    assert_eq!(again.status, 409, "{}", again.text);
    // Once someone has started, withdrawing is refused: close it instead.
    assert_eq!(s.start(kept, &doctor).await.status, 201);
    let r = s.app.post(&withdraw(kept), &s.county, json!({})).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("提前结束"), "{}", r.text);
    assert_eq!(
        s.app
            .audit_actions()
            .iter()
            .filter(|a| *a == "exam.withdrawn")
            .count(),
        1
    );
}

/// Issue 13: an exam with attempts is closed early: closes_at becomes now, open attempts
/// are due now (no more saves), and the deadline job grades them as usual.
async fn a_started_exam_is_closed_early_and_its_open_attempts_graded(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({})).await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let a = s.start(exam, &doctor).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let attempt = a.json()["id"].as_i64().unwrap();
    let item = s.paper(attempt).remove(0);
    let saved = s
        .put(attempt, &item.question_id, &doctor, &item.answer)
        .await;
    assert_eq!(saved.status, 204, "{}", saved.text);
    let close = format!("/api/v1/exams/{exam}/close");

    assert_eq!(s.app.post(&close, &doctor, json!({})).await.status, 403);
    assert_eq!(
        s.app.post(&close, &s.other_county, json!({})).await.status,
        404
    );
    let before = cunyi::time::now();
    let r = s.app.post(&close, &s.county, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let closes_at = chrono::DateTime::parse_from_rfc3339(r.json()["closes_at"].as_str().unwrap())
        .unwrap()
        .naive_utc();
    assert!(closes_at >= before - Duration::seconds(1) && closes_at <= cunyi::time::now());
    assert_eq!(r.json()["status"], "active");
    assert_eq!(s.app.last_audit("exam.closed")["open_attempts_cut"], 1);

    // Nothing more is saved or started; a second close finds it closed.
    let late = s.put(attempt, &item.question_id, &doctor, "").await;
    assert_eq!(late.status, 409, "{}", late.text);
    let (_, other) = s.doctor("37040219810101123", "370402", "doc.b").await;
    let r = s.start(exam, &other).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(s.app.post(&close, &s.county, json!({})).await.status, 409);

    // The deadline job grades the open attempt with what was saved.
    let graded = s
        .app
        .with_conn(|c| cunyi::exams::store::close_overdue(c, cunyi::time::now()).unwrap());
    assert_eq!(graded, 1);
    let a = s.app.with_conn(|c| {
        cunyi::exams::store::get_attempt(c, attempt)
            .unwrap()
            .unwrap()
    });
    assert_eq!(
        (
            a.status.as_str(),
            a.submitted_by.map(|b| b.as_str()),
            a.score
        ),
        ("submitted", Some("deadline"), Some(item.points))
    );

    // An exam not open yet is not closed (withdraw it instead).
    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339();
    let later = (Utc::now() + Duration::days(2)).to_rfc3339();
    let future = s
        .exam(&s.county, json!({"opens_at": tomorrow, "closes_at": later}))
        .await;
    let r = s
        .app
        .post(
            &format!("/api/v1/exams/{future}/close"),
            &s.county,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
}

#[derive(QueryableByName)]
struct Tenths {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    v: i32,
}

#[derive(QueryableByName)]
struct Decimal {
    #[diesel(sql_type = diesel::sql_types::Double)]
    v: f64,
}

/// The score columns of an exam and its attempt, in column order: the exam's pass and
/// max, the attempt's score and max, then each item's points and max.
const SCORE_COLUMNS: &str = "SELECT pass_score AS v FROM exams WHERE id = {exam} \
     UNION ALL SELECT max_score FROM exams WHERE id = {exam} \
     UNION ALL SELECT score FROM attempts WHERE id = {attempt} \
     UNION ALL SELECT max_score FROM attempts WHERE id = {attempt}";

fn score_columns(exam: i64, attempt: i64) -> String {
    SCORE_COLUMNS
        .replace("{exam}", &exam.to_string())
        .replace("{attempt}", &attempt.to_string())
}

fn item_columns(attempt: i64, column: &str) -> String {
    format!(
        "SELECT {column} AS v FROM attempt_items WHERE attempt_id = {attempt} ORDER BY position"
    )
}

/// 2026-11-29-000100_exam_points: the score columns become tenths (×10) and come back
/// (÷10) with down.sql, data intact, on a database with foreign keys enforced.
async fn the_points_migration_carries_scores_both_ways(backend: Backend) {
    let s = setup(backend).await;
    let exam = s
        .exam(
            &s.county,
            json!({"pass_score": 2.5, "x_scoring": "partial", "blueprint": {"items": [
                line("A1", Some("tt"), 1, 1.0),
                line("X", Some("tt"), 1, 2.5),
                line("TF", Some("tt"), 1, 1.5),
            ]}}),
        )
        .await;
    let (_, doctor) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let a = s.start(exam, &doctor).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let attempt = a.json()["id"].as_i64().unwrap();
    answer_paper(&s, attempt, &doctor, |item| {
        if item.qtype == cunyi::bank::QType::X {
            item.answer[..2].to_owned()
        } else {
            item.answer.clone()
        }
    })
    .await;
    let done = s
        .app
        .post(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &doctor,
            json!({}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        (
            done.json()["score"].as_f64(),
            done.json()["max_score"].as_f64()
        ),
        (Some(4.2), Some(5.0)),
        "1 + 2.5 × 2/3 (1.7) + 1.5"
    );
    let tenths = |sql: String| -> Vec<i32> {
        s.app.with_conn(|c| {
            diesel::sql_query(sql)
                .load::<Tenths>(c)
                .unwrap()
                .into_iter()
                .map(|t| t.v)
                .collect()
        })
    };
    let decimals = |sql: String| -> Vec<f64> {
        s.app.with_conn(|c| {
            diesel::sql_query(sql)
                .load::<Decimal>(c)
                .unwrap()
                .into_iter()
                .map(|t| t.v)
                .collect()
        })
    };
    assert_eq!(tenths(score_columns(exam, attempt)), [25, 50, 42, 50]);
    let mut points = tenths(item_columns(attempt, "points"));
    points.sort_unstable();
    assert_eq!(points, [10, 15, 17]);

    // Down to the version before: DOUBLE PRECISION again, the same values.
    s.app.with_conn(|c| {
        if c.backend() == cunyi::db::Backend::Sqlite {
            diesel::sql_query("PRAGMA foreign_keys = ON")
                .execute(c)
                .unwrap();
        }
        loop {
            let version = cunyi::db::revert_last_migration(c).unwrap();
            if version == "20261129000100" {
                break;
            }
        }
    });
    assert_eq!(decimals(score_columns(exam, attempt)), [2.5, 5.0, 4.2, 5.0]);
    let mut points = decimals(item_columns(attempt, "points"));
    points.sort_by(f64::total_cmp);
    assert_eq!(points, [1.0, 1.5, 1.7]);
    let mut max = decimals(item_columns(attempt, "max_points"));
    max.sort_by(f64::total_cmp);
    assert_eq!(max, [1.0, 1.5, 2.5]);

    // And up again: tenths, read by the app as before.
    s.app.with_conn(|c| cunyi::db::run_migrations(c).unwrap());
    assert_eq!(tenths(score_columns(exam, attempt)), [25, 50, 42, 50]);
    let read = s
        .app
        .get(&format!("/api/v1/attempts/{attempt}"), &doctor)
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["score"].as_f64(), Some(4.2));
    let e = s.app.get(&format!("/api/v1/exams/{exam}"), &s.county).await;
    assert_eq!(
        (e.json()["pass_score"].as_f64(), e.json()["status"].as_str()),
        (Some(2.5), Some("active"))
    );
    // The rebuilt tables' foreign keys hold: a new attempt and its answers are written.
    let (_, other) = s.doctor("37040219810101123", "370402", "doc.b").await;
    let b = s.start(exam, &other).await;
    assert_eq!(b.status, 201, "{}", b.text);
    let second = b.json()["id"].as_i64().unwrap();
    let item = s.paper(second).remove(0);
    assert_eq!(
        s.put(second, &item.question_id, &other, &item.answer)
            .await
            .status,
        204
    );
    let orphans: i64 = s.app.with_conn(|c| match c.backend() {
        cunyi::db::Backend::Sqlite => {
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check")
                .get_result::<Count>(c)
                .unwrap()
                .n
        }
        cunyi::db::Backend::Postgres => 0,
    });
    assert_eq!(orphans, 0, "no foreign key left dangling");
}

/// A paper whose stored JSON does not parse is a 500 (logged), never graded as an empty
/// paper; the deadline job leaves it open and grades the others.
async fn a_corrupt_stored_paper_is_an_error_never_an_empty_paper(backend: Backend) {
    use cunyi::db::schema::attempts;
    let s = setup(backend).await;
    let exam = s.exam(&s.county, json!({})).await;
    let (_, first) = s.doctor("37040219800101123", "370402", "doc.a").await;
    let (_, second) = s.doctor("37040219810101123", "370402", "doc.b").await;
    let mut ids = Vec::new();
    for token in [&first, &second] {
        let a = s.start(exam, token).await;
        assert_eq!(a.status, 201, "{}", a.text);
        ids.push(a.json()["id"].as_i64().unwrap());
    }
    s.app.with_conn(|c| {
        diesel::update(attempts::table.find(ids[0]))
            .set(attempts::paper.eq("[{\"question_id\": \"a1\", \"points\": "))
            .execute(c)
            .unwrap()
    });
    let read = s
        .app
        .get(&format!("/api/v1/attempts/{}", ids[0]), &first)
        .await;
    assert_eq!(read.status, 500, "{}", read.text);
    let submit = s
        .app
        .post(
            &format!("/api/v1/attempts/{}/submit", ids[0]),
            &first,
            json!({}),
        )
        .await;
    assert_eq!(submit.status, 500, "{}", submit.text);
    s.expire(ids[0]);
    s.expire(ids[1]);
    let graded = s
        .app
        .with_conn(|c| cunyi::exams::store::close_overdue(c, cunyi::time::now()).unwrap());
    assert_eq!(graded, 1, "only the readable paper is graded");
    let statuses: Vec<String> = s.app.with_conn(|c| {
        attempts::table
            .filter(attempts::id.eq_any(&ids))
            .order(attempts::id)
            .select(attempts::status)
            .load(c)
            .unwrap()
    });
    assert_eq!(statuses, ["in_progress", "submitted"]);
    let items: i64 = s.app.with_conn(|c| {
        cunyi::db::schema::attempt_items::table
            .filter(cunyi::db::schema::attempt_items::attempt_id.eq(ids[0]))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(items, 0, "nothing graded for the corrupt paper");
}
