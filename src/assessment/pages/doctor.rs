//! A doctor's assessment page: every year (what counts, what is missing) and completion.

use actix_web::web;
use askama::Template;

use crate::assessment::ops::compute::YearResult;
use crate::assessment::ops::{certificates, doctor};
use crate::assessment::views::CompletionView;
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, html};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "assessment/doctor.html")]
struct DoctorPage {
    nav: Option<Nav>,
    name: String,
    years: Vec<YearResult>,
    completion: CompletionView,
    theory: &'static str,
    skills: &'static str,
    needs: Vec<&'static str>,
    certificate: Option<String>,
}

fn passed_label(p: Option<bool>) -> &'static str {
    match p {
        Some(true) => "通过",
        Some(false) => "未通过",
        None => "尚未参加",
    }
}

/// Chinese names of make-up needs.
pub fn need_label(code: &str) -> &'static str {
    match code {
        "study" => "补修学时",
        "theory_exam" => "补考理论",
        "skills_exam" => "补考技能",
        _ => "",
    }
}

async fn render(state: &AppState, user: &PageUser, id: i64) -> PageResult {
    let h = doctor::history(state, user, id).await?;
    let certificate = match certificates::of_doctor(state, user, id).await {
        Ok(c) => Some(c.code),
        Err(AppError::NotFound | AppError::Forbidden(_)) => None,
        Err(e) => return Err(e.into()),
    };
    html(&DoctorPage {
        nav: Nav::of(user),
        name: h.doctor_name,
        theory: passed_label(h.completion.theory),
        skills: passed_label(h.completion.skills),
        needs: h
            .completion
            .makeup_needs
            .iter()
            .map(|n| need_label(n))
            .collect(),
        years: h.years,
        completion: h.completion,
        certificate,
    })
}

/// `GET /assessment/doctors/{id}` (whoever may see the doctor).
pub async fn doctor(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    render(&state, &user, path.into_inner()).await
}

/// `GET /assessment/mine` (a doctor's own).
pub async fn mine(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let Some(id) = user.doctor_id else {
        if user.role() != crate::auth::Role::Doctor {
            return Err(AppError::Forbidden("仅学员本人可查看".into()).into());
        }
        return crate::page::unlinked(Nav::of(&user), "我的考核", "考核情况");
    };
    render(&state, &user, id).await
}
