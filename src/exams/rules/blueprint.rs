//! Blueprints (组卷规则): what an exam draws from the bank, checked as sent
//! (API.md "Exams").

use serde_json::Value;

use crate::bank::{Difficulty, QType};
use crate::error::FieldError;
use crate::exams::{Blueprint, BlueprintLine, Points};

/// A paper has at most this many questions (API.md: blueprint `count` 1–500).
pub const MAX_QUESTIONS: u32 = 500;

/// The largest points one item may carry.
pub const MAX_ITEM_POINTS: Points = Points::whole(100);

fn problem(field: String, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// A blueprint as sent — `{"items":[{area,type,difficulty,collection,count,points}]}`,
/// 1–50 lines, counts 1–500, points above 0, at most 100 and with at most one decimal
/// (API.md "Exams") — or every bad field named by its path
/// (`blueprint.items[2].points`).
pub fn parse_blueprint(value: Option<&Value>) -> Result<Blueprint, Vec<FieldError>> {
    let Some(items) = value.and_then(|v| v.get("items")).and_then(Value::as_array) else {
        return Err(vec![problem(
            "blueprint".into(),
            "须为 {\"items\":[{area,type,difficulty,collection,count,points}]}",
        )]);
    };
    if items.is_empty() || items.len() > 50 {
        return Err(vec![problem(
            "blueprint.items".into(),
            "组卷规则应有 1–50 行",
        )]);
    }
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match parse_line(item, i) {
            Ok(line) => lines.push(line),
            Err(mut e) => errors.append(&mut e),
        }
    }
    let blueprint = Blueprint { items: lines };
    if blueprint.question_count() > MAX_QUESTIONS {
        errors.push(problem("blueprint.items".into(), "一张试卷最多 500 题"));
    }
    if errors.is_empty() {
        Ok(blueprint)
    } else {
        Err(errors)
    }
}

/// One line of a blueprint as sent, or its bad fields.
fn parse_line(item: &Value, i: usize) -> Result<BlueprintLine, Vec<FieldError>> {
    let at = |f: &str| format!("blueprint.items[{i}].{f}");
    let text = |f: &str| item.get(f).and_then(Value::as_str).map(str::trim);
    let mut errors = Vec::new();
    let area = text("area").unwrap_or_default();
    if !crate::areas::is_area(area) {
        errors.push(problem(
            at("area"),
            "应为九个内容领域代码之一（如 public_health）",
        ));
    }
    let qtype = text("type").and_then(QType::parse);
    if qtype.is_none() {
        errors.push(problem(at("type"), "题型应为 A1、A2、A3、A4、B1、X 或 TF"));
    }
    let difficulty = match item.get("difficulty") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(Difficulty::parse)
            .map(Some)
            .ok_or_else(|| problem(at("difficulty"), "难度应为 easy、medium、hard 或 null")),
    };
    let collection = match item.get("collection") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| Some(c.to_owned()))
            .ok_or_else(|| problem(at("collection"), "题库名称应为字符串或 null")),
    };
    let count = item
        .get("count")
        .and_then(Value::as_u64)
        .filter(|c| (1..=u64::from(MAX_QUESTIONS)).contains(c))
        .map(|c| c as u32)
        .ok_or_else(|| problem(at("count"), "题数应为 1–500 的整数"));
    let points = item
        .get("points")
        .and_then(Value::as_f64)
        .ok_or_else(|| "每题分值应大于 0、不超过 100".to_owned())
        .and_then(Points::from_f64)
        .and_then(|p| {
            if p > Points::ZERO && p <= MAX_ITEM_POINTS {
                Ok(p)
            } else {
                Err("每题分值应大于 0、不超过 100".to_owned())
            }
        })
        .map_err(|m| problem(at("points"), m));
    match (qtype, difficulty, collection, count, points) {
        (Some(qtype), Ok(difficulty), Ok(collection), Ok(count), Ok(points))
            if errors.is_empty() =>
        {
            Ok(BlueprintLine {
                area: area.to_owned(),
                qtype,
                difficulty,
                collection,
                count,
                points,
            })
        }
        (_, difficulty, collection, count, points) => {
            errors.extend(
                [
                    difficulty.err(),
                    collection.err(),
                    count.err(),
                    points.err(),
                ]
                .into_iter()
                .flatten(),
            );
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: Value) -> Vec<String> {
        parse_blueprint(Some(&value))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_blueprint_is_read_line_by_line() {
        let b = parse_blueprint(Some(&json!({"items": [
            {"area": "public_health", "type": "A1", "difficulty": "hard", "collection": " tt ", "count": 10, "points": 1.5},
            {"area": "emergency", "type": "X", "difficulty": null, "count": 2, "points": 2},
        ]})))
        .unwrap();
        assert_eq!(b.items[0].difficulty, Some(Difficulty::Hard));
        assert_eq!(b.items[0].collection.as_deref(), Some("tt"));
        assert_eq!(b.items[1].points, Points::whole(2));
        assert_eq!((b.question_count(), b.max_score()), (12, Points::whole(19)));
    }

    #[test]
    fn every_bad_field_is_named_by_its_path() {
        assert_eq!(fields(json!([])), ["blueprint"]);
        assert_eq!(fields(json!({"items": []})), ["blueprint.items"]);
        assert_eq!(
            fields(json!({"items": [
                {"area": "surgery", "type": "A9", "difficulty": "tough", "collection": "", "count": 0, "points": 100.5},
            ]})),
            [
                "blueprint.items[0].area",
                "blueprint.items[0].type",
                "blueprint.items[0].difficulty",
                "blueprint.items[0].collection",
                "blueprint.items[0].count",
                "blueprint.items[0].points",
            ]
        );
        assert_eq!(
            fields(json!({"items": [
                {"area": "public_health", "type": "A1", "count": 300, "points": 1},
                {"area": "public_health", "type": "A2", "count": 201, "points": 0.05},
            ]})),
            ["blueprint.items[1].points"]
        );
        assert_eq!(
            fields(json!({"items": [
                {"area": "public_health", "type": "A1", "count": 300, "points": 1},
                {"area": "public_health", "type": "A2", "count": 201, "points": 1},
            ]})),
            ["blueprint.items"],
            "501 questions"
        );
    }
}
