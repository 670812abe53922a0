//! `/api/v1/organizations`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{OrgBody, OrgKind, rules, store};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::get().to(list))
        .route("/organizations", web::post().to(create))
        .route("/organizations/{id}", web::get().to(get));
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(flatten)]
    paging: PageParams,
    kind: Option<String>,
    q: Option<String>,
}

const STAFF: &[Role] = &[
    Role::Instructor,
    Role::CountyAdmin,
    Role::CityAdmin,
    Role::Sysadmin,
];

/// `GET /api/v1/organizations?kind=&q=` → the organizations in the caller's region.
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    user.require(STAFF)?;
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let kind = match query.kind.as_deref().filter(|k| !k.trim().is_empty()) {
        None => None,
        Some(k) => p.take(
            "kind",
            OrgKind::parse(k).ok_or_else(|| "未知的机构类型".to_owned()),
        ),
    };
    p.finish()?;
    let scope = user.scope();
    let q = query.q.clone();
    let (items, total) = state
        .db(move |conn| {
            store::list(
                conn,
                &scope,
                kind,
                q.as_deref(),
                paging.offset(),
                paging.per_page,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)))
}

/// `GET /api/v1/organizations/{id}`; outside the caller's region → 404.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    user.require(STAFF)?;
    let id: i64 = path.parse().map_err(|_| AppError::NotFound)?;
    let scope = user.scope();
    let org = state
        .db(move |conn| store::get(conn, id))
        .await?
        .filter(|(_, path)| scope.contains_path(path))
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(org.0))
}

/// `POST /api/v1/organizations` `{name,kind,region_code,address?}` → 201 (admins, in
/// their region).
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<OrgBody>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let new = rules::check(&body)?;
    let code = new.region_code.clone();
    let region = state
        .db(move |conn| crate::regions::store::find(conn, &code))
        .await?
        .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
    if !user.scope().contains_path(&region.path) {
        return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
    }
    rules::check_level(new.kind, region.level()).map_err(|m| AppError::field("region_code", m))?;
    let actor = user.actor();
    let org = state
        .db(move |conn| store::insert(conn, &new, &actor, time::now()))
        .await?;
    Ok(HttpResponse::Created().json(org))
}
