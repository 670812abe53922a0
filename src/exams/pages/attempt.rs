//! The attempt pages: starting, the paper while open (the doctor's own), the result
//! after, and submitting the paper as a form.

use std::collections::HashMap;

use actix_web::web;
use askama::Template;

use super::{CsrfForm, ItemView, items_view};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::exams::ops::{self, Reading};
use crate::exams::{Attempt, Exam, SubmittedBy};
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, see_other};
use crate::state::AppState;
use crate::time;

/// `POST /exams/{id}/start` → the attempt page (a new attempt, or the open one).
pub async fn start(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or(""))?;
    let started = ops::start(&state, &user, path.into_inner()).await?;
    Ok(see_other(&format!("/attempts/{}", started.attempt.id)))
}

#[derive(Template)]
#[template(path = "exams/attempt.html")]
struct AttemptPage {
    nav: Option<Nav>,
    csrf: String,
    a: Attempt,
    exam: Exam,
    items: Vec<ItemView>,
    remaining_seconds: i64,
    deadline: String,
    answered: usize,
}

#[derive(Template)]
#[template(path = "exams/result.html")]
struct ResultPage {
    nav: Option<Nav>,
    a: Attempt,
    exam: Exam,
    items: Vec<ItemView>,
    review: bool,
    own: bool,
    submitted_at: String,
    by_deadline: bool,
}

/// `GET /attempts/{id}`: the paper while open (the doctor's own), the result after.
pub async fn attempt(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    let read = ops::read_attempt(&state, &user, path.into_inner()).await?;
    let (a, exam) = (read.attempt, read.exam);
    match read.reading {
        Reading::Open { saved: None } => {
            Err(AppError::Conflict("考生仍在答题，交卷后可查看成绩".into()).into())
        }
        Reading::Open { saved: Some(saved) } => {
            let items = items_view(a.paper.items(), &saved);
            html(&AttemptPage {
                nav: Nav::of(&user),
                csrf: user.csrf.clone(),
                remaining_seconds: (a.deadline - time::now()).num_seconds().max(0),
                deadline: time::display_cst(a.deadline),
                answered: items.iter().filter(|i| i.answered).count(),
                items,
                a,
                exam,
            })
        }
        Reading::Submitted {
            items: graded,
            review,
        } => {
            let given: HashMap<String, String> = graded
                .iter()
                .map(|g| (g.question_id.clone(), g.answer.clone().unwrap_or_default()))
                .collect();
            let paper = a.paper.items();
            let mut items = items_view(paper, &given);
            for (view, item) in items.iter_mut().zip(paper) {
                view.earned = graded
                    .iter()
                    .find(|g| g.question_id == item.question_id)
                    .map(|g| g.points);
                if review {
                    for o in &mut view.options {
                        o.right = item.answer.contains(o.key.as_str());
                    }
                    view.key = Some(super::answer_label(item.qtype, &item.answer));
                    view.explanation = Some(item.explanation.clone()).filter(|e| !e.is_empty());
                }
            }
            html(&ResultPage {
                nav: Nav::of(&user),
                submitted_at: a.submitted_at.map(time::display_cst).unwrap_or_default(),
                by_deadline: a.submitted_by == Some(SubmittedBy::Deadline),
                a,
                exam,
                items,
                review,
                own: read.own,
            })
        }
    }
}

/// `POST /attempts/{id}/submit`: the paper's answers as a form (so the page works
/// without scripts), saved, then the attempt submitted.
pub async fn submit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs = form_pairs(&body);
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    check_csrf(&user, csrf)?;
    let mut answers: HashMap<String, String> = HashMap::new();
    for (k, v) in &pairs {
        if let Some(qid) = k.strip_prefix("q:") {
            answers.entry(qid.to_owned()).or_default().push_str(v);
        }
    }
    ops::submit_form(&state, &user, id, answers).await?;
    Ok(see_other(&format!("/attempts/{id}")))
}
