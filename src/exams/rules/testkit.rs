//! Fixtures shared by the rules' tests: a small bank, blueprints, instants.

use chrono::{NaiveDate, NaiveDateTime};

use crate::bank::{Difficulty, QType, Question};
use crate::exams::{
    Blueprint, BlueprintLine, Exam, ExamKind, ExamStatus, PaperItem, Points, XScoring,
};

/// 2026-11-20 at `h:m`.
pub fn at(h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

pub fn q(qid: &str, qtype: QType, answer: &str, group: Option<&str>) -> Question {
    Question {
        qid: qid.into(),
        collection: "core".into(),
        area: "public_health".into(),
        topic: "t".into(),
        qtype,
        difficulty: Some(Difficulty::Medium),
        group_id: group.map(str::to_owned),
        case_text: group.map(|_| "病例".to_owned()),
        stem: format!("{qid} 题干"),
        options: if qtype == QType::TF {
            Vec::new()
        } else {
            ["甲", "乙", "丙", "丁", "戊"].map(String::from).to_vec()
        },
        answer: answer.into(),
        explanation: "解析".into(),
        source: "出处".into(),
        frame: crate::bank::Frame::PublicHealth,
        tcm: false,
        excludes: Vec::new(),
    }
}

/// The item of a question with its options in bank order.
pub fn item_of(q: &Question, points: Points) -> PaperItem {
    super::stored::ItemContent::of(q).item(&(0..q.options.len()).collect::<Vec<_>>(), points, 0)
}

pub fn pool() -> Vec<Question> {
    let mut pool: Vec<Question> = (0..30)
        .map(|i| q(&format!("a1-{i:02}"), QType::A1, "B", None))
        .collect();
    for g in 0..6 {
        let size = if g % 2 == 0 { 2 } else { 3 };
        for k in 0..size {
            pool.push(q(
                &format!("a3-{g}-{k}"),
                QType::A3,
                "C",
                Some(&format!("g{g}")),
            ));
        }
    }
    for g in 0..2 {
        for k in 0..3 {
            pool.push(q(
                &format!("b1-{g}-{k}"),
                QType::B1,
                ["A", "C", "E"][k],
                Some(&format!("b{g}")),
            ));
        }
    }
    pool
}

pub fn line(qtype: QType, count: u32, points: i32) -> BlueprintLine {
    BlueprintLine {
        area: "public_health".into(),
        qtype,
        difficulty: None,
        collection: None,
        count,
        points: Points::whole(points),
    }
}

pub fn blueprint() -> Blueprint {
    Blueprint {
        items: vec![
            line(QType::A1, 10, 1),
            line(QType::A3, 7, 2),
            line(QType::B1, 3, 1),
        ],
    }
}

/// An exam with this window and allowance (the rest does not matter to sitting rules).
pub fn exam(
    id: i64,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    attempts_allowed: i32,
) -> Exam {
    Exam {
        id,
        title: "单元测试".into(),
        kind: ExamKind::Unit,
        status: ExamStatus::Active,
        program_id: 1,
        region_code: "370402".into(),
        cohort_year: None,
        year: 2026,
        makeup_of: None,
        opens_at,
        closes_at,
        duration_minutes: 60,
        pass_score: Points::whole(6),
        max_score: Points::whole(10),
        attempts_allowed,
        x_scoring: XScoring::AllOrNothing,
        shuffle_options: true,
        blueprint: blueprint(),
        created_by: None,
        created_at: opens_at,
    }
}
