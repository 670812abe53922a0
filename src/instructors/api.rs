//! `/api/v1/instructors`.

use actix_web::{HttpResponse, web};

use super::{InstructorBody, rules, store};
use crate::access::Lookup;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/instructors", web::post().to(create))
        .route("/instructors", web::get().to(list))
        .route("/instructors/{id}", web::get().to(get));
}

/// `POST /api/v1/instructors` → 201 instructor (admins, in their region). With
/// `username` and `password`, an instructor account is opened and linked.
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<InstructorBody>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let new = rules::check(&body, time::today_cst())?;
    let code = new.region_code.as_str().to_owned();
    let region = state
        .db(move |conn| crate::regions::store::find(conn, &code))
        .await?
        .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
    if !user.scope().contains_path(&region.path) {
        return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
    }
    rules::check_level(region.level()).map_err(|m| AppError::field("region_code", m))?;
    if let Some(org) = new.organization_id {
        let scope = user.scope();
        let ok = state
            .db(move |conn| crate::orgs::store::get(conn, org))
            .await?
            .is_some_and(|(_, path)| scope.contains_path(&path));
        if !ok {
            return Err(AppError::field(
                "organization_id",
                "未知的机构，或不在您的管辖范围内",
            ));
        }
    }
    let account = match (&body.username, &body.password) {
        (Some(_), Some(_)) => {
            let account = crate::users::CreateUserBody {
                username: body.username.clone(),
                password: body.password.clone(),
                display_name: Some(new.name.clone()),
                role: Some("instructor".into()),
                region_code: Some(region.code.clone()),
            };
            Some(crate::users::api::prepare_user(&state, &user, &account).await?)
        }
        _ => None,
    };
    let actor = user.actor();
    let pii = state.pii.clone();
    let created = state
        .db(move |conn| {
            crate::db::write(conn, |conn| {
                let now = time::now();
                let user_id = match &account {
                    Some(a) => {
                        Some(crate::users::store::insert(conn, &a.new, &a.hash, &actor, now)?.id)
                    }
                    None => None,
                };
                store::insert(conn, &pii, &new, user_id, &actor, now)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// `GET /api/v1/instructors` → admins: their region's; an instructor: itself.
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query, &mut p);
    p.finish()?;
    match user.role() {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {
            let scope = user.scope();
            let (items, total) = state
                .db(move |conn| store::list(conn, &scope, paging.offset(), paging.per_page))
                .await?;
            Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)))
        }
        Role::Instructor => {
            let id = user.id();
            let own: Vec<_> = state
                .db(move |conn| store::by_user(conn, id))
                .await?
                .into_iter()
                .collect();
            let total = own.len() as i64;
            Ok(HttpResponse::Ok().json(ListPage::new(own, total, paging)))
        }
        Role::Doctor => Err(AppError::forbidden()),
    }
}

/// `GET /api/v1/instructors/{id}`; outside the caller's region → 404.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id: i64 = path.parse().map_err(|_| AppError::NotFound)?;
    let scope = user.scope();
    let found = state
        .db(move |conn| store::get_scoped(conn, id, &scope))
        .await?;
    match found {
        Lookup::Found(i) if user.role().is_admin() || i.user_id == Some(user.id()) => {
            Ok(HttpResponse::Ok().json(i))
        }
        _ => Err(AppError::NotFound),
    }
}
