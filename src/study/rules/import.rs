//! What a platform export's rows must hold (中国继续医学教育网, 人卫慕课 …): who (ID
//! number or platform account), which course, how long (class hours or minutes), when,
//! and the unit score. Pure: cells in, values or messages out. Whether the ledger can
//! take a row is [`super::ledger`]'s question, asked by [`crate::study::credit`].

use chrono::NaiveDate;

use crate::points::Points;
use crate::sheet::Cell;

/// The columns an export may have, under the names platforms use.
pub const COLUMNS: &[(&str, &[&str])] = &[
    (
        "id_number",
        &["身份证号", "身份证号码", "证件号码", "id_number"],
    ),
    (
        "account",
        &["平台账号", "学员账号", "账号", "用户名", "account"],
    ),
    ("name", &["姓名", "name"]),
    (
        "course",
        &[
            "课程",
            "课程名称",
            "课程编号",
            "课程代码",
            "course",
            "course_code",
        ],
    ),
    ("class_hours", &["学时", "获得学时", "class_hours"]),
    (
        "minutes",
        &[
            "分钟",
            "学习时长（分钟）",
            "学习时长(分钟)",
            "时长（分钟）",
            "minutes",
        ],
    ),
    (
        "date",
        &["完成日期", "完成时间", "学习日期", "date", "completed_on"],
    ),
    ("score", &["单元成绩", "成绩", "测试成绩", "score"]),
];

/// The required columns missing from an export's headers (by their keys found).
pub fn missing_columns(has: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !has("id_number") && !has("account") {
        missing.push("身份证号或平台账号");
    }
    if !has("course") {
        missing.push("课程");
    }
    if !has("class_hours") && !has("minutes") {
        missing.push("学时或分钟");
    }
    if !has("date") {
        missing.push("完成日期");
    }
    missing
}

/// A unit score: empty is none; otherwise 0–100 points, `分` allowed after it.
pub fn unit_score(cell: &Cell) -> Result<Option<Points>, String> {
    let t = cell.text();
    if t.is_empty() {
        return Ok(None);
    }
    match t.trim_end_matches('分').parse::<f64>() {
        Ok(s) if (0.0..=100.0).contains(&s) => Ok(Some(Points::tenths((s * 10.0).round() as i32))),
        _ => Err(format!("成绩应为 0 到 100 的数，而不是 {t:?}")),
    }
}

/// The completion date: a date cell, or text such as `2025-03-01 10:22:13`.
pub fn completed_on(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Empty => Err("完成日期不能为空".into()),
        other => {
            let t = other.text();
            crate::roster::rules::loose_date(
                t.get(..10)
                    .filter(|_| t.len() > 10 && t.as_bytes()[10] == b' ')
                    .unwrap_or(&t),
            )
        }
    }
}

/// The minutes of a row: its minutes, else its class hours × the program's 学时 length.
/// On failure, the column to blame and why.
pub fn minutes(
    minutes: &str,
    class_hours: &str,
    class_hour_minutes: i32,
) -> Result<i32, (&'static str, String)> {
    match (minutes, class_hours) {
        (m, _) if !m.is_empty() => m
            .parse::<f64>()
            .map(|m| m.round() as i32)
            .map_err(|_| ("minutes", format!("分钟数 {m:?} 不是数字"))),
        (_, h) if !h.is_empty() => h
            .parse::<f64>()
            .map(|h| (h * f64::from(class_hour_minutes)).round() as i32)
            .map_err(|_| ("class_hours", format!("学时 {h:?} 不是数字"))),
        _ => Err(("minutes", "学时或分钟不能为空".into())),
    }
}

/// The export's column a ledger refusal's field is about.
pub fn column_of_refusal(field: &str) -> &'static str {
    match field {
        "occurred_on" => "date",
        "doctor_id" => "id_number",
        _ => "minutes",
    }
}

/// The record's unique reference: one platform, course and day per doctor.
pub fn source_ref(platform: &str, course_code: &str, on: NaiveDate) -> String {
    format!("platform:{platform}:{course_code}:{on}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_become_minutes_by_the_programs_class_hour() {
        assert_eq!(minutes("", "2.5", 45), Ok(113));
        assert_eq!(minutes("30", "9", 45), Ok(30), "minutes win");
        assert_eq!(minutes("", "", 45).unwrap_err().0, "minutes");
        assert_eq!(minutes("", "两", 45).unwrap_err().0, "class_hours");
    }

    #[test]
    fn scores_and_dates_as_platforms_write_them() {
        assert_eq!(
            unit_score(&Cell::Text("88.5分".into())),
            Ok(Some(Points::tenths(885)))
        );
        assert_eq!(unit_score(&Cell::Empty), Ok(None));
        assert!(unit_score(&Cell::Text("101".into())).is_err());
        assert_eq!(
            completed_on(&Cell::Text("2025-03-01 10:22:13".into())),
            Ok(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
        );
        assert!(completed_on(&Cell::Empty).is_err());
    }

    #[test]
    fn every_missing_column_is_named() {
        assert_eq!(
            missing_columns(|_| false),
            ["身份证号或平台账号", "课程", "学时或分钟", "完成日期"]
        );
        assert!(missing_columns(|k| k != "id_number").is_empty());
        assert_eq!(column_of_refusal("occurred_on"), "date");
    }
}
