//! The admins' page for a group's members: tick who stays, tick who joins.

use actix_web::web;
use askama::Template;

use super::{field, ids, message};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, html_status};
use crate::state::AppState;
use crate::tutoring::views::GroupView;
use crate::tutoring::{MembersBody, ops};

#[derive(Template)]
#[template(path = "tutoring/members.html")]
struct MembersPage {
    nav: Option<Nav>,
    csrf: String,
    g: GroupView,
    free: Vec<(i64, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<MembersPage, AppError> {
    let (g, free) = ops::editable(state, user, id).await?;
    Ok(MembersPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        g,
        free,
        notice,
        error,
    })
}

/// `GET /tutoring/groups/{id}/members`.
pub async fn form(state: web::Data<AppState>, user: PageUser, path: web::Path<i64>) -> PageResult {
    html(&page(&state, &user, path.into_inner(), None, None).await?)
}

/// `POST /tutoring/groups/{id}/members` (form: `doctor_id` repeated): the members from
/// now on; the history keeps who left and when.
pub async fn save(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let id = path.into_inner();
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf").as_deref().unwrap_or(""))?;
    let body = MembersBody {
        doctor_ids: Some(ids(&pairs, "doctor_id")),
    };
    match ops::set_members(&state, &user, id, &body).await {
        Ok(g) => html(
            &page(
                &state,
                &user,
                id,
                Some(format!("已保存，小组现有 {} 名成员。", g.members.len())),
                None,
            )
            .await?,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &page(&state, &user, id, None, Some(message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
