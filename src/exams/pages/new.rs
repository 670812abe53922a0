//! `GET/POST /exams/new`: the new-exam form — the API's body as a form, every problem
//! named next to its field.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde_json::Value;

use crate::auth::PageUser;
use crate::bank::{Difficulty, QType};
use crate::error::{AppError, FieldError};
use crate::exams::ops::{self, Choice};
use crate::exams::{AreaCount, ExamBody, ExamKind};
use crate::page::{
    FormErrors, Nav, PageResult, check_csrf, form_pairs, html, html_status, see_other,
};
use crate::state::AppState;

/// One blueprint row of the form, as typed.
#[derive(Debug, Default, Clone)]
pub struct FormLine {
    pub area: String,
    pub qtype: String,
    pub difficulty: String,
    pub count: String,
    pub points: String,
}

impl FormLine {
    fn new(area: &str, qtype: &str, count: &str, points: &str) -> FormLine {
        FormLine {
            area: area.into(),
            qtype: qtype.into(),
            difficulty: String::new(),
            count: count.into(),
            points: points.into(),
        }
    }
}

/// The new-exam form, as typed.
#[derive(Debug, Default, Clone)]
pub struct ExamForm {
    pub title: String,
    pub kind: String,
    pub program_id: String,
    pub opens_at: String,
    pub closes_at: String,
    pub duration_minutes: String,
    pub pass_score: String,
    pub attempts_allowed: String,
    pub x_scoring: String,
    pub makeup_of: String,
    pub lines: Vec<FormLine>,
}

/// Rows the form offers.
const FORM_LINES: usize = 8;

impl ExamForm {
    fn from_pairs(pairs: &[(String, String)]) -> ExamForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map_or(String::new(), |(_, v)| v.trim().to_owned())
        };
        let lines = (0..FORM_LINES)
            .map(|i| {
                let f = |name: &str| get(&format!("{name}_{i}"));
                FormLine {
                    area: f("area"),
                    qtype: f("type"),
                    difficulty: f("difficulty"),
                    count: f("count"),
                    points: f("points"),
                }
            })
            .collect();
        ExamForm {
            title: get("title"),
            kind: get("kind"),
            program_id: get("program_id"),
            opens_at: get("opens_at"),
            closes_at: get("closes_at"),
            duration_minutes: get("duration_minutes"),
            pass_score: get("pass_score"),
            attempts_allowed: get("attempts_allowed"),
            x_scoring: get("x_scoring"),
            makeup_of: get("makeup_of"),
            lines,
        }
    }

    fn defaults() -> ExamForm {
        let mut lines = vec![
            FormLine::new("public_health", "A1", "20", "1"),
            FormLine::new("general_practice", "A2", "10", "2"),
            FormLine::new("public_health", "B1", "3", "1"),
            FormLine::new("emergency", "X", "2", "2"),
        ];
        lines.resize(FORM_LINES, FormLine::default());
        ExamForm {
            kind: "unit".into(),
            duration_minutes: "60".into(),
            pass_score: "36".into(),
            attempts_allowed: "1".into(),
            x_scoring: "all_or_nothing".into(),
            lines,
            ..Default::default()
        }
    }

    /// The API body this form stands for; rows left without a count are ignored.
    fn body(&self) -> Result<ExamBody, Vec<FieldError>> {
        let mut errors = Vec::new();
        let number = |field: &str, v: &str, errors: &mut Vec<FieldError>| -> Option<f64> {
            if v.is_empty() {
                return None;
            }
            let parsed = v.parse::<f64>().ok();
            if parsed.is_none() {
                errors.push(FieldError {
                    field: field.into(),
                    message: "应为数字".into(),
                });
            }
            parsed
        };
        let mut items = Vec::new();
        for line in &self.lines {
            if line.count.is_empty() || line.count == "0" {
                continue;
            }
            let i = items.len();
            let count = number(
                &format!("blueprint.items[{i}].count"),
                &line.count,
                &mut errors,
            );
            let points = number(
                &format!("blueprint.items[{i}].points"),
                &line.points,
                &mut errors,
            );
            items.push(serde_json::json!({
                "area": line.area, "type": line.qtype,
                "difficulty": if line.difficulty.is_empty() { Value::Null } else { Value::from(line.difficulty.as_str()) },
                "collection": null, "count": count.map(|c| c as u64), "points": points,
            }));
        }
        let body = ExamBody {
            title: Some(self.title.clone()),
            kind: Some(self.kind.clone()),
            program_id: self.program_id.parse().ok(),
            region_code: None,
            cohort_year: None,
            year: None,
            makeup_of: self.makeup_of.parse().ok(),
            opens_at: Some(self.opens_at.replace('T', " ")),
            closes_at: Some(self.closes_at.replace('T', " ")),
            duration_minutes: number("duration_minutes", &self.duration_minutes, &mut errors)
                .map(|d| d as i64),
            pass_score: number("pass_score", &self.pass_score, &mut errors),
            attempts_allowed: number("attempts_allowed", &self.attempts_allowed, &mut errors)
                .map(|d| d as i64),
            x_scoring: Some(self.x_scoring.clone()),
            shuffle_options: Some(true),
            blueprint: Some(serde_json::json!({ "items": items })),
        };
        if errors.is_empty() {
            Ok(body)
        } else {
            Err(errors)
        }
    }
}

/// An option of a fixed list: its code and its Chinese name.
pub struct Labelled {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "exams/new.html")]
struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    form: ExamForm,
    errors: FormErrors,
    programs: Vec<Choice>,
    completions: Vec<Choice>,
    areas: Vec<Labelled>,
    types: Vec<Labelled>,
    difficulties: Vec<Labelled>,
    kinds: Vec<Labelled>,
    /// (area's Chinese name, questions in the bank).
    bank: Vec<(String, i64)>,
}

fn difficulty_label(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "易",
        Difficulty::Medium => "中",
        Difficulty::Hard => "难",
    }
}

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: ExamForm,
    errors: Vec<FieldError>,
) -> Result<NewPage, AppError> {
    let choices = ops::new_exam_choices(state, user).await?;
    Ok(NewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        form,
        errors: errors.into(),
        programs: choices.programs,
        completions: choices.completions,
        areas: crate::areas::AREAS
            .iter()
            .map(|&(code, label)| Labelled { code, label })
            .collect(),
        types: QType::ALL
            .iter()
            .map(|t| Labelled {
                code: t.as_str(),
                label: t.label(),
            })
            .collect(),
        difficulties: [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard]
            .into_iter()
            .map(|d| Labelled {
                code: d.as_str(),
                label: difficulty_label(d),
            })
            .collect(),
        kinds: ExamKind::ALL
            .iter()
            .map(|k| Labelled {
                code: k.as_str(),
                label: k.label(),
            })
            .collect(),
        bank: choices
            .bank
            .iter()
            .map(|b: &AreaCount| (crate::areas::label(&b.area).to_owned(), b.count))
            .collect(),
    })
}

/// `GET /exams/new`.
pub async fn new_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    html(&new_page(&state, &user, ExamForm::defaults(), Vec::new()).await?)
}

/// Blueprint problems are named by rule number, as the form shows them.
fn by_rule_number(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            match e
                .field
                .strip_prefix("blueprint.items[")
                .and_then(|r| r.split_once(']'))
                .and_then(|(i, _)| i.parse::<usize>().ok())
            {
                Some(i) => FieldError {
                    message: format!("组卷规则第 {} 条：{}", i + 1, e.message),
                    field: e.field,
                },
                None => e,
            }
        })
        .collect()
}

/// `POST /exams/new`: the exam, or the form again with every problem named.
pub async fn create(state: web::Data<AppState>, user: PageUser, body: web::Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    check_csrf(
        &user,
        pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str()),
    )?;
    let form = ExamForm::from_pairs(&pairs);
    let errors = match form.body() {
        Ok(body) => match ops::create(&state, &user, body).await {
            Ok(exam) => return Ok(see_other(&format!("/exams?created={}", exam.id))),
            Err(AppError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &new_page(&state, &user, form, by_rule_number(errors)).await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_blueprint_rows_are_ignored_and_bad_numbers_named() {
        let mut form = ExamForm::defaults();
        form.lines[1].count = "十".into();
        let errors = form.body().unwrap_err();
        assert_eq!(errors[0].field, "blueprint.items[1].count");
        let form = ExamForm::defaults();
        let body = form.body().unwrap();
        assert_eq!(
            body.blueprint.unwrap()["items"].as_array().unwrap().len(),
            4
        );
    }

    #[test]
    fn blueprint_problems_are_named_by_rule_number() {
        let errors = by_rule_number(vec![FieldError {
            field: "blueprint.items[2].points".into(),
            message: "分值最多保留一位小数".into(),
        }]);
        assert_eq!(errors[0].message, "组卷规则第 3 条：分值最多保留一位小数");
    }
}
