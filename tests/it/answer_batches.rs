//! One batch of answer saves as the writer commits it (on PostgreSQL one statement):
//! every save gets exactly its own outcome — open, submitted, past its deadline, missing,
//! a clear, the same question twice (the last accepted save wins) — and saves sent at
//! once over HTTP all read back.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use cunyi::exams::store::{self, AnswerSave, SaveRefused};
use diesel::prelude::*;

use crate::both_backends;
use crate::hot_paths::{Sitting, put, sitting, stored};
use crate::support::Backend;

both_backends!(
    a_mixed_batch_gets_each_save_its_own_outcome,
    a_full_batch_of_repeated_saves_ends_with_the_last_of_each,
    saves_sent_at_once_in_rounds_all_read_back,
);

fn save(attempt: i64, qid: &str, answer: &str, at: NaiveDateTime) -> AnswerSave {
    AnswerSave {
        attempt_id: attempt,
        question_id: qid.to_owned(),
        answer: answer.to_owned(),
        at,
    }
}

fn batch(s: &Sitting, saves: &[AnswerSave]) -> Vec<Result<(), SaveRefused>> {
    s.app.with_conn(|c| store::save_batch(c, saves).unwrap())
}

async fn a_mixed_batch_gets_each_save_its_own_outcome(backend: Backend) {
    use cunyi::db::schema::attempts;
    let s = sitting(backend, 4, 3).await;
    let (open, open_token, q) = s.candidates[0].clone();
    let (submitted, submitted_token, sq) = s.candidates[1].clone();
    let (expired, _, eq) = s.candidates[2].clone();
    s.app
        .post(
            &format!("/api/v1/attempts/{submitted}/submit"),
            &submitted_token,
            serde_json::json!({}),
        )
        .await
        .expect(200);
    let now = cunyi::time::now();
    s.app.with_conn(|c| {
        diesel::update(attempts::table.find(expired))
            .set(attempts::deadline.eq(now - chrono::Duration::seconds(5)))
            .execute(c)
            .unwrap()
    });
    // An answer already saved, for the clear to remove.
    assert_eq!(put(&s.app, open, &q[2], &open_token, "T").await, 204);
    let deadline = s
        .app
        .with_conn(|c| store::get_attempt(c, open).unwrap().unwrap().deadline);
    let late = deadline + chrono::Duration::seconds(1);

    assert_eq!(batch(&s, &[]), vec![]);
    let saves = [
        save(open, &q[0], "T", now),
        save(submitted, &sq[0], "T", now),
        save(expired, &eq[0], "T", now),
        save(open, &q[2], "", now),
        save(open, &q[1], "T", now),
        save(expired, &eq[0], "F", now),
        save(open, &q[0], "F", now),
        save(open, &q[1], "", now),
        save(i64::MAX, &q[0], "T", now),
        save(open, &q[3], "T", now),
        // Asked for after the deadline: refused, so the save before it stands.
        save(open, &q[3], "F", late),
    ];
    assert_eq!(
        batch(&s, &saves),
        vec![
            Ok(()),
            Err(SaveRefused::Submitted),
            Err(SaveRefused::PastDeadline),
            Ok(()),
            Ok(()),
            Err(SaveRefused::PastDeadline),
            Ok(()),
            Ok(()),
            Err(SaveRefused::Missing),
            Ok(()),
            Err(SaveRefused::PastDeadline),
        ]
    );
    let landed = stored(&s.app, open);
    let want: HashMap<String, String> = [(q[0].clone(), "F".into()), (q[3].clone(), "T".into())]
        .into_iter()
        .collect();
    assert_eq!(
        landed, want,
        "last accepted save of each question, clears gone"
    );
    assert!(stored(&s.app, submitted).is_empty());
    assert!(stored(&s.app, expired).is_empty());

    // Clearing what was never saved is fine while the attempt is open, and refused after.
    assert_eq!(
        batch(
            &s,
            &[save(open, &q[1], "", now), save(expired, &eq[1], "", now)]
        ),
        vec![Ok(()), Err(SaveRefused::PastDeadline)]
    );
}

async fn a_full_batch_of_repeated_saves_ends_with_the_last_of_each(backend: Backend) {
    let s = sitting(backend, 5, 3).await;
    let now = cunyi::time::now();
    let mut saves = Vec::new();
    let mut want: HashMap<i64, HashMap<String, String>> = HashMap::new();
    for i in 0..cunyi::exams::saves::BATCH {
        let (attempt, _, ids) = &s.candidates[i % 3];
        let qid = &ids[(i * 7 / 3) % ids.len()];
        let answer = ["T", "F", ""][(i * 5 / 2) % 3];
        saves.push(save(*attempt, qid, answer, now));
        let mine = want.entry(*attempt).or_default();
        if answer.is_empty() {
            mine.remove(qid);
        } else {
            mine.insert(qid.clone(), answer.to_owned());
        }
    }
    let outcomes = batch(&s, &saves);
    assert_eq!(outcomes.len(), saves.len());
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    for (attempt, _, _) in &s.candidates {
        assert_eq!(
            stored(&s.app, *attempt),
            want.remove(attempt).unwrap_or_default()
        );
    }
}

/// Every candidate saves all its questions, then again, then clears every third, one
/// request after another; the candidates go at once, so the writer's batches mix them.
async fn saves_sent_at_once_in_rounds_all_read_back(backend: Backend) {
    let s = sitting(backend, 12, 8).await;
    let app = &s.app;
    let runs = s.candidates.iter().map(|(attempt, token, ids)| async move {
        let mut want = HashMap::new();
        for round in ["T", "F", ""] {
            for (k, qid) in ids.iter().enumerate() {
                if round.is_empty() && k % 3 != 0 {
                    continue;
                }
                let answer = round;
                assert_eq!(put(app, *attempt, qid, token, answer).await, 204);
                if answer.is_empty() {
                    want.remove(qid);
                } else {
                    want.insert(qid.clone(), answer.to_owned());
                }
            }
        }
        (*attempt, want)
    });
    for (attempt, want) in futures_util::future::join_all(runs).await {
        assert_eq!(stored(app, attempt), want);
    }
}
