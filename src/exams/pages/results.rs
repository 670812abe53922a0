//! `GET /exams/{id}/results`: the manager's page of an exam — its results, and the
//! buttons to withdraw it (nobody has started) or close it early (issue 13).

use actix_web::web;
use askama::Template;

use super::CsrfForm;
use crate::auth::PageUser;
use crate::error::Problems;
use crate::exams::{AttemptStatus, Exam, ExamStatus, ResultRow, SubmittedBy, ops};
use crate::extract::{PageParams, Paging};
use crate::page::{Nav, PageResult, Pager, check_csrf, html, see_other};
use crate::state::AppState;
use crate::time;

/// One attempt in the table.
pub struct ResultLine {
    pub r: ResultRow,
    /// 答题中, 已交卷 or 到时交卷.
    pub state: &'static str,
}

impl From<ResultRow> for ResultLine {
    fn from(r: ResultRow) -> ResultLine {
        let state = match (r.status, r.submitted_by) {
            (AttemptStatus::InProgress, _) => AttemptStatus::InProgress.label(),
            (AttemptStatus::Submitted, Some(SubmittedBy::Deadline)) => {
                SubmittedBy::Deadline.label()
            }
            (AttemptStatus::Submitted, _) => AttemptStatus::Submitted.label(),
        };
        ResultLine { r, state }
    }
}

#[derive(Template)]
#[template(path = "exams/results.html")]
struct ResultsPage {
    nav: Option<Nav>,
    csrf: String,
    path: String,
    exam: Exam,
    rows: Vec<ResultLine>,
    pager: Pager,
    /// Across every page.
    submitted: i64,
    passed: i64,
    withdrawn: bool,
    /// Nobody has started it: it may be withdrawn.
    can_withdraw: bool,
    /// Its window is open: it may be closed now.
    can_close: bool,
}

/// `GET /exams/{id}/results`: the attempts of the caller's doctors.
pub async fn results(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> PageResult {
    let mut problems = Problems::new();
    let paging = Paging::parse(&params, &mut problems);
    problems.finish()?;
    let page = ops::results(&state, &user, path.into_inner(), paging).await?;
    let rows: Vec<ResultLine> = page.rows.into_iter().map(ResultLine::from).collect();
    let exam = page.exam;
    let active = exam.status == ExamStatus::Active;
    let now = time::now();
    html(&ResultsPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        path: format!("/exams/{}/results", exam.id),
        submitted: page.submitted,
        passed: page.passed,
        withdrawn: !active,
        can_withdraw: page.correctable && active && page.total == 0,
        can_close: page.correctable && active && exam.opens_at < now && now < exam.closes_at,
        exam,
        rows,
        pager: Pager {
            page: paging.page,
            pages: paging.pages(page.total),
            total: page.total,
            base: String::new(),
        },
    })
}

/// `POST /exams/{id}/withdraw` → back to the exam's page.
pub async fn withdraw(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or(""))?;
    let exam = ops::withdraw(&state, &user, path.into_inner()).await?;
    Ok(see_other(&format!("/exams/{}/results", exam.id)))
}

/// `POST /exams/{id}/close` → back to the exam's page.
pub async fn close(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or(""))?;
    let exam = ops::close(&state, &user, path.into_inner()).await?;
    Ok(see_other(&format!("/exams/{}/results", exam.id)))
}
