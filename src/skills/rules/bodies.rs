//! Checking what clients send: a station, an exam (the parts that need no database), a
//! sheet. Every bad field is named; nothing is written unless all are good.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::{AppResult, Problems};
use crate::points::Points;
use crate::skills::{
    DEFAULT_RATING, ExamBody, ItemDef, Mark, NewExam, SheetBody, SkillExamKind, StationBody,
    StationDef,
};

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_owned()
}

fn points(p: &mut Problems, field: &str, v: Option<f64>) -> Points {
    match v {
        None => {
            p.add(field, "必填");
            Points::ZERO
        }
        Some(v) => p.take(field, Points::from_f64(v)).unwrap_or_default(),
    }
}

/// `POST /api/v1/skills/stations`: the body as a station, checked by the same rules as
/// the shipped ones ([`super::check_station`]).
pub fn station(body: &StationBody) -> AppResult<StationDef> {
    let mut p = Problems::new();
    let max_points = points(&mut p, "max_points", body.max_points);
    let pass_points = points(&mut p, "pass_points", body.pass_points);
    let items: Vec<ItemDef> = body
        .items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, item)| ItemDef {
            code: text(&item.code),
            text: text(&item.text),
            points: points(&mut p, &format!("items[{i}].points"), item.points),
            critical: item.critical.unwrap_or(false),
            applicable_if: item
                .applicable_if
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        })
        .collect();
    let def = StationDef {
        code: text(&body.code),
        title: text(&body.title),
        area: text(&body.area),
        minutes: body.minutes.unwrap_or(0),
        max_points,
        pass_points,
        items,
        rating: body
            .rating
            .clone()
            .unwrap_or_else(|| DEFAULT_RATING.iter().map(|s| (*s).to_owned()).collect()),
        source: {
            let s = text(&body.source);
            if s.is_empty() {
                "由管理员录入".to_owned()
            } else {
                s
            }
        },
    };
    for (field, message) in super::check_station(&def) {
        // A points field already refused as a number is not refused twice.
        if !p.is_empty() && field.ends_with("points") && body_points_bad(&field, body) {
            continue;
        }
        p.add(field, message);
    }
    p.finish()?;
    Ok(def)
}

fn body_points_bad(field: &str, body: &StationBody) -> bool {
    let bad = |v: Option<f64>| v.is_none_or(|v| Points::from_f64(v).is_err());
    match field {
        // The items' sum means nothing when an item's points were refused.
        "max_points" => {
            bad(body.max_points)
                || body
                    .items
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .any(|i| bad(i.points))
        }
        "pass_points" => bad(body.pass_points),
        f => f
            .strip_prefix("items[")
            .and_then(|r| r.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| body.items.as_ref()?.get(i))
            .is_some_and(|item| bad(item.points)),
    }
}

/// `POST /api/v1/skills/exams`: everything that needs no database. `today` bounds the
/// date (an exam is set at most a year back); the first round starts at `starts_at`
/// Beijing time on `held_on` (08:30 unless given).
pub fn exam(body: &ExamBody) -> AppResult<NewExam> {
    let mut p = Problems::new();
    let title = text(&body.title);
    if title.is_empty() || title.chars().count() > 100 {
        p.add("title", "名称应为 1–100 个字符");
    }
    let kind = match SkillExamKind::parse(&text(&body.kind)) {
        Some(k) => k,
        None => {
            p.add("kind", format!("类别应为 {} 之一", SkillExamKind::codes()));
            SkillExamKind::Single
        }
    };
    if body.program_id.is_none() {
        p.add("program_id", "必填");
    }
    let region_code = text(&body.region_code);
    if region_code.is_empty() {
        p.add("region_code", "必填");
    }
    let held_on = NaiveDate::parse_from_str(&text(&body.held_on), "%Y-%m-%d").ok();
    if held_on.is_none() {
        p.add("held_on", "日期格式应为 YYYY-MM-DD");
    }
    let start_text = text(&body.starts_at);
    let start = if start_text.is_empty() {
        NaiveTime::from_hms_opt(8, 30, 0)
    } else {
        NaiveTime::parse_from_str(&start_text, "%H:%M").ok()
    };
    if start.is_none() {
        p.add("starts_at", "开始时间格式应为 HH:MM");
    }
    let pass_score = points(&mut p, "pass_score", body.pass_score);
    if pass_score < Points::ZERO {
        p.add("pass_score", "合格分不能为负");
    }
    let review_threshold = match body.review_threshold {
        None => Points::whole(10),
        Some(v) => match Points::from_f64(v) {
            Ok(t) if t >= Points::ZERO => t,
            _ => {
                p.add(
                    "review_threshold",
                    "复核阈值应为不小于 0 的数（最多一位小数）",
                );
                Points::ZERO
            }
        },
    };
    let mut stations = Vec::new();
    let mut seen = HashSet::new();
    let given = body.stations.as_deref().unwrap_or_default();
    if given.is_empty() {
        p.add("stations", "至少需要一个考站");
    }
    for (i, s) in given.iter().enumerate() {
        let Some(id) = s.station_id else {
            p.add(format!("stations[{i}].station_id"), "必填");
            continue;
        };
        if !seen.insert(id) {
            p.add(format!("stations[{i}].station_id"), "考站重复");
        }
        let examiners = s.examiner_ids.clone().unwrap_or_default();
        if examiners.is_empty() {
            p.add(
                format!("stations[{i}].examiner_ids"),
                "每个考站至少需要一名考官",
            );
        } else if examiners.iter().collect::<HashSet<_>>().len() != examiners.len() {
            p.add(format!("stations[{i}].examiner_ids"), "考官重复");
        }
        stations.push((id, examiners));
    }
    let candidate_ids = body.candidate_ids.clone().unwrap_or_default();
    if candidate_ids.iter().collect::<HashSet<_>>().len() != candidate_ids.len() {
        p.add("candidate_ids", "考生重复");
    }
    p.finish()?;
    let (Some(held_on), Some(start)) = (held_on, start) else {
        return Err(crate::error::AppError::field(
            "held_on",
            "日期格式应为 YYYY-MM-DD",
        ));
    };
    Ok(NewExam {
        title,
        kind,
        program_id: body.program_id.unwrap_or_default(),
        region_code,
        held_on,
        starts_at: cst_to_utc(held_on.and_time(start)),
        stations,
        pass_score,
        candidate_ids,
        review_threshold,
    })
}

/// A Beijing wall-clock time as the stored UTC instant.
pub fn cst_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    local - chrono::Duration::hours(8)
}

/// A sheet as sent, checked for its shape (the station's items are checked by
/// [`super::score`]): marks, the global rating 1–5, notes, and a reason that is not
/// blank when given.
/// One checked mark: points given, or 不适用.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMark {
    pub code: String,
    pub points: Points,
    pub not_applicable: bool,
}

impl CheckedMark {
    pub fn mark(&self) -> Mark<'_> {
        Mark {
            code: &self.code,
            points: self.points,
            not_applicable: self.not_applicable,
        }
    }
}

pub struct CheckedSheet {
    pub marks: Vec<CheckedMark>,
    pub global_rating: Option<i32>,
    pub notes: String,
    pub submit: bool,
    pub reason: Option<String>,
}

pub fn sheet(body: &SheetBody) -> AppResult<CheckedSheet> {
    let mut p = Problems::new();
    let mut marks = Vec::new();
    match &body.items {
        None => p.add("items", "必填：各评分项得分"),
        Some(items) => {
            for (i, m) in items.iter().enumerate() {
                let code = text(&m.code);
                if code.is_empty() {
                    p.add(format!("items[{i}].code"), "必填");
                }
                let not_applicable = m.not_applicable.unwrap_or(false);
                let field = format!("items[{i}].points");
                let pts = match (not_applicable, m.points) {
                    // 不适用 takes no points (0 is tolerated, anything else is a mistake).
                    (true, None) => Points::ZERO,
                    (true, Some(0.0)) => Points::ZERO,
                    (true, Some(_)) => {
                        p.add(field, "标为不适用的评分项不计分");
                        Points::ZERO
                    }
                    (false, v) => points(&mut p, &field, v),
                };
                marks.push(CheckedMark {
                    code,
                    points: pts,
                    not_applicable,
                });
            }
        }
    }
    if body.global_rating.is_some_and(|r| !(1..=5).contains(&r)) {
        p.add("global_rating", "整体评价应为 1–5");
    }
    let submit = body.submit.unwrap_or(false);
    if submit && body.global_rating.is_none() {
        p.add("global_rating", "提交前请给出整体评价（1–5）");
    }
    let notes = text(&body.notes);
    if notes.chars().count() > 1000 {
        p.add("notes", "备注不超过 1000 字");
    }
    let reason = body.reason.as_ref().map(|r| r.trim().to_owned());
    if reason
        .as_ref()
        .is_some_and(|r| r.is_empty() || r.chars().count() > 500)
    {
        p.add("reason", "更正原因应为 1–500 个字符");
    }
    p.finish()?;
    Ok(CheckedSheet {
        marks,
        global_rating: body.global_rating,
        notes,
        submit,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skills::{ExamStationBody, ItemBody, MarkBody};

    fn fields(e: crate::error::AppError) -> Vec<String> {
        e.field_errors().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_station_body_is_checked_like_a_file() {
        let body = StationBody {
            code: Some("wash".into()),
            title: Some("洗手".into()),
            area: Some("clinical_skills".into()),
            minutes: Some(5),
            max_points: Some(10.0),
            pass_points: Some(6.0),
            items: Some(vec![ItemBody {
                code: Some("rub".into()),
                text: Some("七步洗手".into()),
                points: Some(10.0),
                critical: Some(true),
                applicable_if: None,
            }]),
            rating: None,
            source: Some("WS/T 313—2019".into()),
        };
        let s = station(&body).unwrap();
        assert_eq!(s.rating.len(), 5);
        let mut bad = body.clone();
        bad.items.as_mut().unwrap()[0].points = Some(9.55);
        bad.pass_points = Some(11.0);
        assert_eq!(
            fields(station(&bad).unwrap_err()),
            vec!["items[0].points", "pass_points"]
        );
    }

    #[test]
    fn an_exam_body_names_each_bad_field() {
        let body = ExamBody {
            title: Some(" ".into()),
            kind: Some("oral".into()),
            held_on: Some("2026-13-01".into()),
            stations: Some(vec![ExamStationBody {
                station_id: Some(1),
                examiner_ids: Some(vec![]),
            }]),
            pass_score: Some(60.0),
            ..Default::default()
        };
        assert_eq!(
            fields(exam(&body).unwrap_err()),
            vec![
                "title",
                "kind",
                "program_id",
                "region_code",
                "held_on",
                "stations[0].examiner_ids"
            ]
        );
    }

    #[test]
    fn the_first_round_is_stored_in_utc() {
        let body = ExamBody {
            title: Some("单项技能考核".into()),
            kind: Some("single".into()),
            program_id: Some(1),
            region_code: Some("370402".into()),
            held_on: Some("2026-06-10".into()),
            starts_at: Some("09:00".into()),
            stations: Some(vec![ExamStationBody {
                station_id: Some(1),
                examiner_ids: Some(vec![3]),
            }]),
            pass_score: Some(60.0),
            ..Default::default()
        };
        let e = exam(&body).unwrap();
        assert_eq!(e.starts_at.to_string(), "2026-06-10 01:00:00");
        assert_eq!(e.review_threshold, Points::whole(10));
    }

    #[test]
    fn a_sheet_to_submit_needs_a_rating() {
        let body = SheetBody {
            items: Some(vec![MarkBody {
                code: Some("a".into()),
                points: Some(1.5),
                not_applicable: None,
            }]),
            submit: Some(true),
            reason: Some(" ".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(sheet(&body).err().unwrap()),
            vec!["global_rating", "reason"]
        );
    }
}
