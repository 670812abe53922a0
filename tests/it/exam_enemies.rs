//! Enemy items (互斥题) over HTTP: a blueprint that enemies make impossible is refused at
//! creation naming the line, writing nothing; a drawn paper never holds two enemies.

use chrono::{Duration, Utc};
use cunyi::auth::Role;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(enemy_items_never_share_a_paper);

/// Six true/false statements; imports carry no enemies, so the test declares them.
const FOES_GIFT: &str = "::f1::陈述一 {T}\n\n::f2::陈述二 {T}\n\n::f3::陈述三 {F}\n\n::f4::陈述四 {F}\n\n::f5::陈述五 {T}\n\n::f6::陈述六 {F}\n";

fn exam_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    app.with_conn(|c| {
        cunyi::db::schema::exams::table
            .count()
            .get_result::<i64>(c)
            .unwrap()
    })
}

fn body(program: i64, count: u32) -> Value {
    let now = Utc::now();
    json!({"title": "互斥测验", "kind": "unit", "program_id": program,
           "opens_at": (now - Duration::hours(1)).to_rfc3339(),
           "closes_at": (now + Duration::hours(3)).to_rfc3339(),
           "duration_minutes": 20, "pass_score": 1,
           "blueprint": {"items": [{"area": "public_health", "type": "TF", "difficulty": null,
                                    "collection": "foes", "count": count, "points": 1}]}})
}

async fn enemy_items_never_share_a_paper(backend: Backend) {
    let app = spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let t = app
        .accounts(&[
            ("city", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
        ])
        .await;
    app.import_gift(&t[0], "foes", FOES_GIFT).await;
    // Three enemy groups of two: {陈述一, 陈述二}, {陈述三, 陈述四}, {陈述五, 陈述六},
    // declared on one side; the bank stores both sides.
    let foes = |app: &TestApp| {
        app.with_conn(|c| {
            cunyi::bank::list(
                c,
                &cunyi::bank::Filter {
                    collection: Some("foes".into()),
                    ..Default::default()
                },
            )
            .unwrap()
        })
    };
    let mut questions = foes(&app);
    questions.sort_by_key(|q| {
        ["陈述一", "陈述二", "陈述三", "陈述四", "陈述五", "陈述六"]
            .iter()
            .position(|s| *s == q.stem)
            .unwrap()
    });
    let ids: Vec<String> = questions.iter().map(|q| q.qid.clone()).collect();
    for pair in questions.chunks_mut(2) {
        let other = pair[1].qid.clone();
        pair[0].excludes = vec![other];
    }
    let resolved = cunyi::bank::rules::symmetric_excludes(&questions);
    let stored = app
        .with_conn(|c| cunyi::bank::store::store(c, &resolved, None, cunyi::time::now()).unwrap());
    assert_eq!(stored.updated, 6);
    let back = foes(&app);
    let f2 = back.iter().find(|q| q.qid == ids[1]).unwrap();
    assert_eq!(f2.excludes, vec![ids[0].clone()], "stored on both sides");

    // Four of six statements cannot avoid two enemies: refused, nothing written.
    let before = exam_count(&app);
    let r = app.post("/api/v1/exams", &t[0], body(program, 4)).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_fields(), vec!["blueprint.items[0].count"]);
    assert!(r.text.contains("互斥"), "{}", r.text);
    assert_eq!(exam_count(&app), before);

    // Three is one of each group: every paper holds exactly one item per group.
    let r = app.post("/api/v1/exams", &t[0], body(program, 3)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let exam = r.json()["id"].as_i64().unwrap();
    for (n, first17) in [
        "37040219800101123",
        "37040219800101124",
        "37040219800101125",
    ]
    .iter()
    .enumerate()
    {
        let (_, token) = app
            .doctor(&t[1], program, first17, "370402", Some(&format!("foe.{n}")))
            .await;
        let a = app
            .post(
                &format!("/api/v1/exams/{exam}/attempts"),
                &token.unwrap(),
                json!({}),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.text);
        let drawn: Vec<String> = a.json()["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(drawn.len(), 3);
        for group in ids.chunks(2) {
            let on_paper = drawn.iter().filter(|id| group.contains(id)).count();
            assert_eq!(on_paper, 1, "{group:?} on {drawn:?}");
        }
    }
}
