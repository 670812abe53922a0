//! `GET /exams`: a doctor's exams with what to do next; a bureau's exams.

use actix_web::web;
use askama::Template;

use crate::auth::{PageUser, Role};
use crate::error::{AppError, Problems};
use crate::exams::ops::{self, ExamList};
use crate::exams::rules::{Standing, StandingStatus};
use crate::exams::{Exam, ExamStatus};
use crate::extract::{PageParams, Paging};
use crate::page::{Nav, PageResult, Pager, html};
use crate::state::AppState;
use crate::time;

/// An exam for a list.
pub struct ExamRow {
    pub e: Exam,
    pub kind_label: &'static str,
    pub window: String,
    pub questions: u32,
    /// Staff: the exam was withdrawn.
    pub withdrawn: bool,
    /// For a doctor: where they stand.
    pub status_label: &'static str,
    /// Open or answering: shown as live.
    pub live: bool,
    pub in_progress: bool,
    pub can_start: bool,
    pub attempt_id: Option<i64>,
    pub best: Option<String>,
    pub attempts_left: i32,
}

fn exam_row(e: Exam, standing: Option<Standing>) -> ExamRow {
    let status = standing.as_ref().map(|s| s.status);
    ExamRow {
        kind_label: e.kind.label(),
        window: format!(
            "{} 至 {}",
            time::display_cst(e.opens_at),
            time::display_cst(e.closes_at)
        ),
        questions: e.blueprint.question_count(),
        withdrawn: e.status == ExamStatus::Withdrawn,
        status_label: status.map_or("", StandingStatus::label),
        live: matches!(
            status,
            Some(StandingStatus::Open | StandingStatus::InProgress)
        ),
        in_progress: status == Some(StandingStatus::InProgress),
        can_start: status == Some(StandingStatus::Open),
        attempt_id: standing
            .as_ref()
            .and_then(|s| s.open_attempt_id.or(s.last_attempt_id)),
        best: standing
            .as_ref()
            .and_then(|s| s.best_score)
            .map(|b| b.to_string()),
        attempts_left: standing.as_ref().map_or(0, |s| s.attempts_left),
        e,
    }
}

#[derive(Template)]
#[template(path = "exams/list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    rows: Vec<ExamRow>,
    is_doctor: bool,
    can_create: bool,
    pager: Pager,
    notice: Option<String>,
}

/// `GET /exams`: a doctor's exams with what to do next; a bureau's exams. A doctor's
/// account without a roster record sees why instead.
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    params: web::Query<PageParams>,
) -> PageResult {
    let mut problems = Problems::new();
    let paging = Paging::parse(&params, &mut problems);
    problems.finish()?;
    let (rows, total, notice) = match ops::list(&state, &user, paging).await {
        Ok(ExamList::Doctor { exams, total }) => (
            exams
                .into_iter()
                .map(|e| exam_row(e.exam, Some(e.my)))
                .collect(),
            total,
            None,
        ),
        Ok(ExamList::Staff { exams, total }) => (
            exams.into_iter().map(|e| exam_row(e, None)).collect(),
            total,
            None,
        ),
        Err(AppError::Forbidden(message)) if user.role() == Role::Doctor => {
            (Vec::new(), 0, Some(message))
        }
        Err(e) => return Err(e.into()),
    };
    html(&ListPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        rows,
        is_doctor: user.role() == Role::Doctor,
        can_create: Role::ADMINS.contains(&user.role()),
        pager: Pager {
            page: if notice.is_some() { 1 } else { paging.page },
            pages: paging.pages(total),
            total,
            base: String::new(),
        },
        notice,
    })
}
