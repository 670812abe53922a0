//! Exam starts and submits through the group-commit writer (`src/group_commit.rs`; on
//! SQLite many in one transaction, on PostgreSQL each at once): sent all at once over
//! HTTP, each gets exactly its own outcome — one new attempt per doctor however many
//! starts race, every submit graded once, the double submit answered with the same grade.

use std::collections::HashMap;

use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::hot_paths::{put, unstarted};
use crate::support::Backend;

both_backends!(starts_and_submits_sent_at_once_each_get_their_own_outcome);

async fn starts_and_submits_sent_at_once_each_get_their_own_outcome(backend: Backend) {
    use cunyi::db::schema::{attempt_items, attempts, audit_log};
    let (app, exam, tokens) = unstarted(backend, 4, 10).await;
    let path = format!("/api/v1/exams/{exam}/attempts");

    // Every doctor starts twice at once (a double tap), all twenty together.
    let starts = tokens
        .iter()
        .chain(tokens.iter())
        .map(|token| app.send(Method::POST, &path, Some(token), Some(json!({}))));
    let replies = futures_util::future::join_all(starts).await;
    let (first, second) = replies.split_at(tokens.len());
    let mut attempts_of: Vec<(i64, String, Vec<String>)> = Vec::new();
    for (i, (a, b)) in first.iter().zip(second).enumerate() {
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "doctor {i}: {} / {}", a.text, b.text);
        let (ja, jb) = (a.json(), b.json());
        assert_eq!(
            ja["id"], jb["id"],
            "doctor {i}'s two starts opened two attempts"
        );
        let qids = ja["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect();
        attempts_of.push((ja["id"].as_i64().unwrap(), tokens[i].clone(), qids));
    }
    let stored: i64 = app.with_conn(|c| {
        attempts::table
            .filter(attempts::exam_id.eq(exam))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(stored, 10, "one attempt per doctor");

    // Doctor i answers its first i % 5 questions right (T) and the rest wrong.
    for (i, (attempt, token, qids)) in attempts_of.iter().enumerate() {
        for (k, qid) in qids.iter().enumerate() {
            let answer = if k < i % 5 { "T" } else { "F" };
            assert_eq!(put(&app, *attempt, qid, token, answer).await, 204);
        }
    }

    // Every doctor submits twice at once.
    let paths: Vec<(String, &String)> = attempts_of
        .iter()
        .chain(attempts_of.iter())
        .map(|(a, token, _)| (format!("/api/v1/attempts/{a}/submit"), token))
        .collect();
    let submits = paths
        .iter()
        .map(|(path, token)| app.send(Method::POST, path, Some(token), Some(json!({}))));
    let replies = futures_util::future::join_all(submits).await;
    let mut scores: HashMap<i64, Vec<f64>> = HashMap::new();
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.text);
        let j = r.json();
        assert_eq!(j["status"], "submitted", "{}", r.text);
        scores
            .entry(j["id"].as_i64().unwrap())
            .or_default()
            .push(j["score"].as_f64().unwrap());
    }
    for (i, (attempt, _, qids)) in attempts_of.iter().enumerate() {
        let right = (i % 5).min(qids.len()) as f64;
        assert_eq!(scores[attempt], vec![right, right], "doctor {i}'s grade");
        let audited = |action: &str| -> i64 {
            app.with_settled(|c| {
                audit_log::table
                    .filter(audit_log::action.eq(action))
                    .filter(audit_log::target.eq(format!("attempt:{attempt}")))
                    .count()
                    .get_result(c)
                    .unwrap()
            })
        };
        let items: i64 = app.with_conn(|c| {
            attempt_items::table
                .filter(attempt_items::attempt_id.eq(attempt))
                .count()
                .get_result(c)
                .unwrap()
        });
        assert_eq!(items, qids.len() as i64, "doctor {i}'s graded items");
        assert_eq!(
            audited("exam.attempt_submitted"),
            1,
            "doctor {i}'s attempt graded once"
        );
        assert_eq!(
            audited("exam.attempt_started"),
            1,
            "doctor {i}'s attempt opened once"
        );
    }

    let metrics = app.state.metrics.render(None);
    assert!(
        metrics.lines().any(|l| l
            .strip_prefix("cunyi_group_writes_queued ")
            .is_some_and(|n| n.parse::<i64>().is_ok())),
        "the group writer's queue depth is on /metrics"
    );
}
