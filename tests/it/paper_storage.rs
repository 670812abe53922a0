//! Papers stored as references to their items' contents (issue 14, `exams::rules::stored`):
//! what a candidate was shown is what is graded, each content is stored once, the
//! migration down makes papers whole again, and a damaged reference is an error.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use cunyi::auth::Role;
use cunyi::db::schema::{attempts, paper_items};
use cunyi::exams::PaperItem;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    what_the_candidate_was_shown_is_what_is_graded_and_contents_are_stored_once,
    the_migration_down_makes_papers_whole_again,
    a_paper_whose_content_is_missing_or_altered_is_an_error,
);

/// Four items with options to shuffle, quotes and an emoji in the text, a multiple
/// answer and a true/false item. The correct options all begin with "对".
const GIFT: &str = "::s1::\"引号\"与 emoji 🩺 的题干 {=对：甲 ~乙 ~丙 ~丁}\n\n\
::s2::第二题 {=对：一 ~二 ~三 ~四 ~五}\n\n\
::m1::多选题 {~%50%对：子 ~%-100%丑 ~%50%对：寅 ~%-100%卯}\n\n\
::t1::判断题 {T}\n";

struct Setup {
    app: TestApp,
    program: i64,
    county: String,
}

async fn setup(backend: Backend) -> Setup {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let t = app
        .accounts(&[("shizhong", Role::CountyAdmin, "370402")])
        .await;
    app.import_gift(&t[0], "ps", GIFT).await;
    Setup {
        app,
        program,
        county: t[0].clone(),
    }
}

impl Setup {
    async fn exam(&self) -> i64 {
        let now = Utc::now();
        let line = |qtype: &str, count: u32, points: f64| {
            json!({"area": "public_health", "type": qtype, "difficulty": null,
                   "collection": "ps", "count": count, "points": points})
        };
        let body = json!({"title": "存卷测验", "kind": "unit", "program_id": self.program,
            "opens_at": (now - Duration::hours(1)).to_rfc3339(),
            "closes_at": (now + Duration::hours(3)).to_rfc3339(),
            "duration_minutes": 60, "pass_score": 1, "shuffle_options": true,
            "blueprint": {"items": [line("A1", 2, 1.5), line("X", 1, 2.0), line("TF", 1, 1.0)]}});
        let r = self.app.post("/api/v1/exams", &self.county, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["id"].as_i64().unwrap()
    }

    /// A new doctor's started attempt: its id and the questions as the start showed them.
    async fn sitting(&self, exam: i64, n: u32) -> (i64, String, Vec<Value>) {
        let (_, token) = self
            .app
            .doctor(
                &self.county,
                self.program,
                &format!("37040219800101{n:03}"),
                "370402",
                Some(&format!("doc.{n}")),
            )
            .await;
        let token = token.unwrap();
        let r = self
            .app
            .post(&format!("/api/v1/exams/{exam}/attempts"), &token, json!({}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["id"].as_i64().unwrap();
        let questions = r.json()["questions"].as_array().unwrap().clone();
        (id, token, questions)
    }

    fn paper(&self, attempt: i64) -> Vec<PaperItem> {
        self.app.with_conn(|c| {
            cunyi::exams::store::get_attempt(c, attempt)
                .unwrap()
                .unwrap()
                .paper
                .into_items()
        })
    }

    fn stored(&self, attempt: i64) -> String {
        self.app.with_conn(|c| {
            attempts::table
                .find(attempt)
                .select(attempts::paper)
                .first(c)
                .unwrap()
        })
    }
}

/// The answer keys a question as shown needs: the options whose text begins with "对",
/// or `T` for the true/false item.
fn right_keys(question: &Value) -> String {
    if question["type"] == "TF" {
        return "T".into();
    }
    question["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["text"].as_str().unwrap().starts_with("对"))
        .map(|o| o["key"].as_str().unwrap())
        .collect()
}

async fn what_the_candidate_was_shown_is_what_is_graded_and_contents_are_stored_once(
    backend: Backend,
) {
    let s = setup(backend).await;
    let exam = s.exam().await;
    let mut orders = HashSet::new();
    for n in 0..4 {
        let (attempt, token, shown) = s.sitting(exam, n).await;
        // Read back from storage, each item is the one shown: stem and options in the
        // order shown.
        let paper = s.paper(attempt);
        assert_eq!(paper.len(), 4);
        for (item, q) in paper.iter().zip(&shown) {
            assert_eq!(q["id"], item.question_id.as_str());
            assert_eq!(q["stem"], item.stem.as_str());
            let texts: Vec<&str> = item.options.iter().map(|o| o.text.as_str()).collect();
            let shown_texts: Vec<&str> = q["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["text"].as_str().unwrap())
                .collect();
            assert_eq!(texts, shown_texts);
            assert_eq!(item.answer, right_keys(q), "{}", item.stem);
            orders.insert(texts.join("|"));
        }
        assert!(paper.iter().any(|i| i.stem.contains("\"引号\"与 emoji 🩺")));
        // The stored paper names its contents; it does not repeat them.
        let stored = s.stored(attempt);
        assert!(stored.starts_with('{'), "{stored}");
        assert!(
            !stored.contains("题干") && !stored.contains("对："),
            "{stored}"
        );
        // Answering what was shown, by the option texts, earns every point.
        for q in &shown {
            let r = s
                .app
                .send(
                    Method::PUT,
                    &format!(
                        "/api/v1/attempts/{attempt}/answers/{}",
                        q["id"].as_str().unwrap()
                    ),
                    Some(&token),
                    Some(json!({ "answer": right_keys(q) })),
                )
                .await;
            assert_eq!(r.status, 204, "{}", r.text);
        }
        let done = s
            .app
            .post(
                &format!("/api/v1/attempts/{attempt}/submit"),
                &token,
                json!({}),
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert_eq!(done.json()["score"].as_f64(), Some(6.0), "{}", done.text);
        assert_eq!(done.json()["max_score"].as_f64(), Some(6.0));
    }
    assert!(orders.len() > 4, "options were shuffled: {orders:?}");
    // Four papers of the same four questions: four contents.
    let contents: i64 = s
        .app
        .with_conn(|c| paper_items::table.count().get_result(c).unwrap());
    assert_eq!(contents, 4);
}

async fn the_migration_down_makes_papers_whole_again(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam().await;
    let mut papers = HashMap::new();
    for n in 0..3 {
        let (attempt, _, _) = s.sitting(exam, n).await;
        papers.insert(attempt, s.paper(attempt));
    }
    let strip = |items: Vec<PaperItem>| -> Vec<PaperItem> {
        items
            .into_iter()
            .map(|mut i| {
                i.order.clear();
                i
            })
            .collect()
    };
    let reverted = s
        .app
        .with_conn(|c| cunyi::db::revert_last_migration(c).unwrap());
    assert_eq!(reverted, "20261206000100");
    for (attempt, paper) in &papers {
        let whole = s.stored(*attempt);
        assert!(whole.starts_with('['), "{whole}");
        let read: Vec<PaperItem> = serde_json::from_str(&whole).unwrap();
        assert_eq!(read, strip(paper.clone()), "{whole}");
    }
    // Up again: the whole papers read as they are, and new papers store references.
    s.app.with_conn(|c| cunyi::db::run_migrations(c).unwrap());
    for (attempt, paper) in &papers {
        assert_eq!(strip(s.paper(*attempt)), strip(paper.clone()));
    }
    let (fresh, _, _) = s.sitting(exam, 9).await;
    assert!(s.stored(fresh).starts_with('{'));
    assert_eq!(s.paper(fresh).len(), 4);
}

async fn a_paper_whose_content_is_missing_or_altered_is_an_error(backend: Backend) {
    let s = setup(backend).await;
    let exam = s.exam().await;
    let (attempt, token, _) = s.sitting(exam, 0).await;
    let stored = s.stored(attempt);
    let mut refs: Value = serde_json::from_str(&stored).unwrap();
    let key = refs["items"][0]["c"].as_str().unwrap().to_owned();
    let set = |paper: &str| {
        s.app.with_conn(|c| {
            diesel::update(attempts::table.find(attempt))
                .set(attempts::paper.eq(paper))
                .execute(c)
                .unwrap()
        })
    };
    let read = || async {
        s.app
            .get(&format!("/api/v1/attempts/{attempt}"), &token)
            .await
    };
    // A reference to a content nobody stored.
    refs["items"][0]["c"] = json!("00000000000000000000000000000000");
    set(&refs.to_string());
    let r = read().await;
    assert_eq!(r.status, 500, "{}", r.text);
    // A content stored under a key that is not its hash.
    let body: String = s.app.with_conn(|c| {
        paper_items::table
            .find(&key)
            .select(paper_items::body)
            .first(c)
            .unwrap()
    });
    let forged = "11111111111111111111111111111111";
    s.app.with_conn(|c| {
        diesel::insert_into(paper_items::table)
            .values((paper_items::hash.eq(forged), paper_items::body.eq(&body)))
            .execute(c)
            .unwrap()
    });
    refs["items"][0]["c"] = json!(forged);
    set(&refs.to_string());
    let r = read().await;
    assert_eq!(r.status, 500, "{}", r.text);
    // Put back, it reads again.
    set(&stored);
    let r = read().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["questions"].as_array().map(Vec::len), Some(4));
}
