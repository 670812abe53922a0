//! `/api/v1/users`: create, list and read accounts in the caller's subtree; disable,
//! enable and reset the password of accounts below the caller's role.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{CreateUserBody, ListQuery, ops};
use crate::access::Caller;
use crate::error::AppResult;
use crate::extract::{Body, ListPage};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::post().to(create))
        .route("/users", web::get().to(list))
        .route("/users/{id}", web::get().to(get))
        .route("/users/{id}/disable", web::post().to(disable))
        .route("/users/{id}/enable", web::post().to(enable))
        .route("/users/{id}/password", web::put().to(reset_password))
        .route("/users/{id}/email", web::put().to(set_email));
}

/// `PUT /api/v1/users/{id}/email` `{email}` → the user (itself, or an admin over it).
#[utoipa::path(
    put,
    path = "/users/{id}/email",
    operation_id = "users_set_email",
    tag = "users",
    params(("id" = i64, Path)),
    request_body = super::EmailBody,
    responses((status = 200, description = "成功", body = crate::users::UserView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn set_email(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<super::EmailBody>,
) -> AppResult<HttpResponse> {
    let (user, region) = ops::set_email(&state, &caller, path.into_inner(), &body).await?;
    Ok(HttpResponse::Ok().json(user.view(Some(&region))))
}

/// `POST /api/v1/users` → 201 user.
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "users_create",
    tag = "users",
    request_body = CreateUserBody,
    responses((status = 201, description = "成功", body = crate::users::UserView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<CreateUserBody>,
) -> AppResult<HttpResponse> {
    let (user, region) = ops::create(&state, &caller, &body).await?;
    Ok(HttpResponse::Created().json(user.view(Some(&region))))
}

/// `GET /api/v1/users` → the accounts in the caller's subtree.
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "users_list",
    tag = "users",
    params(crate::extract::PageParams, ListQuery),
    responses((status = 200, description = "成功", body = crate::extract::ListPage<crate::users::UserView>), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = ops::list(&state, &caller, &query).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items.iter().map(|(u, r)| u.view(Some(r))).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// `GET /api/v1/users/{id}` → user; outside the caller's subtree → 404.
#[utoipa::path(
    get,
    path = "/users/{id}",
    operation_id = "users_get",
    tag = "users",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::users::UserView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (user, region) = ops::find_visible(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(user.view(Some(&region))))
}

/// `POST /api/v1/users/{id}/disable` → the user; its tokens stop working at once.
#[utoipa::path(
    post,
    path = "/users/{id}/disable",
    operation_id = "users_disable",
    tag = "users",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::users::UserView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn disable(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (user, region) = ops::set_disabled(&state, &caller, path.into_inner(), true).await?;
    Ok(HttpResponse::Ok().json(user.view(Some(&region))))
}

/// `POST /api/v1/users/{id}/enable` → the user.
#[utoipa::path(
    post,
    path = "/users/{id}/enable",
    operation_id = "users_enable",
    tag = "users",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = crate::users::UserView), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn enable(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (user, region) = ops::set_disabled(&state, &caller, path.into_inner(), false).await?;
    Ok(HttpResponse::Ok().json(user.view(Some(&region))))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ResetBody {
    password: Option<String>,
}

/// `PUT /api/v1/users/{id}/password` `{password}` → 204; the account's tokens stop working.
#[utoipa::path(
    put,
    path = "/users/{id}/password",
    operation_id = "users_reset_password",
    tag = "users",
    params(("id" = i64, Path)),
    request_body = ResetBody,
    responses((status = 204, description = "成功，无内容"), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<ResetBody>,
) -> AppResult<HttpResponse> {
    let raw = body.password.unwrap_or_default();
    ops::reset_password(&state, &caller, path.into_inner(), &raw).await?;
    Ok(HttpResponse::NoContent().finish())
}
