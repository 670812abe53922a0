//! The county's tutoring pages: the groups, forming groups from a proposal, and the
//! groups missing last month's evaluation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::{field, ids, message};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page::{Nav, PageResult, check_csrf, form_pairs, html, html_status};
use crate::state::AppState;
use crate::tutoring::rules::Criterion;
use crate::tutoring::views::{GroupListItem, MissingItem, Proposal, TeamView};
use crate::tutoring::{GroupBody, ProposalBody, ops};

#[derive(Template)]
#[template(path = "tutoring/index.html")]
struct IndexPage {
    nav: Option<Nav>,
    groups: Vec<GroupListItem>,
    is_admin: bool,
}

/// `GET /tutoring`: the groups the caller may see.
pub async fn index(state: web::Data<AppState>, user: PageUser) -> PageResult {
    let groups = ops::list_groups(&state, &user, None, None).await?;
    html(&IndexPage {
        nav: Nav::of(&user),
        groups,
        is_admin: user.is_admin(),
    })
}

struct CriterionChoice {
    code: &'static str,
    label: &'static str,
    on: bool,
}

struct ProgramChoice {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "tutoring/form.html")]
struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    programs: Vec<ProgramChoice>,
    teams: Vec<TeamView>,
    criteria: Vec<CriterionChoice>,
    program_id: i64,
    region_code: String,
    max_size: i64,
    proposal: Option<Proposal>,
    notice: Option<String>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    pairs: &[(String, String)],
    notice: Option<String>,
    mut error: Option<String>,
) -> Result<FormPage, AppError> {
    user.require(crate::access::Role::ADMINS)?;
    let programs: Vec<ProgramChoice> = crate::program::ops::list(state, user)
        .await?
        .into_iter()
        .map(|p| ProgramChoice {
            id: p.row.id,
            name: p.row.name,
        })
        .collect();
    let teams = ops::list_teams(state, user, None).await?;
    let by: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "by")
        .map(|(_, v)| v.clone())
        .collect();
    let program_id = field(pairs, "program_id")
        .and_then(|p| p.parse().ok())
        .or_else(|| programs.first().map(|p| p.id))
        .unwrap_or(0);
    let region_code = field(pairs, "region_code").unwrap_or_else(|| user.region.code.clone());
    let max_size = field(pairs, "max_size")
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    let proposal = if field(pairs, "propose").is_some() && error.is_none() {
        let body = ProposalBody {
            program_id: Some(program_id),
            region_code: Some(region_code.clone()),
            by: Some(by.clone()),
            max_size: Some(max_size),
        };
        match ops::propose(state, user, &body).await {
            Ok(p) => Some(p),
            Err(e @ AppError::Validation(_)) => {
                error = Some(message(&e));
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    Ok(FormPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        programs,
        teams,
        criteria: Criterion::ALL
            .iter()
            .map(|c| CriterionChoice {
                code: c.as_str(),
                label: c.label(),
                on: by.iter().any(|b| b == c.as_str()),
            })
            .collect(),
        program_id,
        region_code,
        max_size,
        proposal,
        notice,
        error,
    })
}

/// `GET /tutoring/form?program_id=&by=&max_size=&propose=1`: choose the rules, see the
/// proposal, edit names, teams and members.
pub async fn form(state: web::Data<AppState>, user: PageUser, req: HttpRequest) -> PageResult {
    let pairs = form_pairs(req.query_string().as_bytes());
    html(&form_page(&state, &user, &pairs, None, None).await?)
}

/// `POST /tutoring/form`: save the edited proposal (`count` groups, `name_{i}`,
/// `team_{i}`, `doctor_{i}` repeated), all or nothing.
pub async fn form_post(state: web::Data<AppState>, user: PageUser, body: web::Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    check_csrf(&user, field(&pairs, "csrf").as_deref().unwrap_or(""))?;
    let count: usize = field(&pairs, "count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let program_id = field(&pairs, "program_id").and_then(|p| p.parse().ok());
    let region_code = field(&pairs, "region_code");
    let bodies: Vec<GroupBody> = (0..count.min(200))
        .map(|i| GroupBody {
            name: field(&pairs, &format!("name_{i}")),
            program_id,
            region_code: region_code.clone(),
            team_id: field(&pairs, &format!("team_{i}")).and_then(|t| t.parse().ok()),
            criteria: field(&pairs, &format!("criteria_{i}")),
            doctor_ids: Some(ids(&pairs, &format!("doctor_{i}"))),
        })
        .filter(|b| b.doctor_ids.as_ref().is_some_and(|d| !d.is_empty()))
        .collect();
    if bodies.is_empty() {
        return html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(&state, &user, &pairs, None, Some("没有可保存的小组".into())).await?,
        );
    }
    match ops::create_groups(&state, &user, &bodies).await {
        Ok(groups) => html(
            &form_page(
                &state,
                &user,
                &pairs,
                Some(format!("已保存 {} 个学习小组。", groups.len())),
                None,
            )
            .await?,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &form_page(&state, &user, &pairs, None, Some(message(&e))).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "tutoring/missing.html")]
struct MissingPage {
    nav: Option<Nav>,
    month: String,
    items: Vec<MissingItem>,
}

/// `GET /tutoring/missing?month=`: the groups without that month's evaluation (last
/// month by default).
pub async fn missing(state: web::Data<AppState>, user: PageUser, req: HttpRequest) -> PageResult {
    let pairs = form_pairs(req.query_string().as_bytes());
    let (month, items) = ops::missing(
        &state,
        &user,
        field(&pairs, "month"),
        field(&pairs, "region"),
    )
    .await?;
    html(&MissingPage {
        nav: Nav::of(&user),
        month: month.label(),
        items,
    })
}
