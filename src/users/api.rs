//! `/api/v1/users`: create, list and read accounts in the caller's subtree; disable,
//! enable and reset the password of accounts below the caller's role.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::store;
use super::{CreateUserBody, User, UserFilter, rules};
use crate::access::Lookup;
use crate::audit::Entry;
use crate::auth::rules::NewPassword;
use crate::auth::{CurrentUser, Role, password};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging};
use crate::regions::Region;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::post().to(create))
        .route("/users", web::get().to(list))
        .route("/users/{id}", web::get().to(get))
        .route("/users/{id}/disable", web::post().to(disable))
        .route("/users/{id}/enable", web::post().to(enable))
        .route("/users/{id}/password", web::put().to(reset_password));
}

/// Record a denial and answer with it.
async fn deny(
    state: &AppState,
    user: &CurrentUser,
    what: &str,
    target: Option<String>,
    error: AppError,
) -> AppError {
    let mut entry = Entry::new("access.denied").detail(serde_json::json!({ "attempt": what, "status": actix_web::ResponseError::status_code(&error).as_u16() }));
    entry.target = target;
    state.audit(user.actor(), entry).await;
    error
}

/// Check an admin role, auditing a refusal.
async fn require_admin(state: &AppState, user: &CurrentUser, what: &str) -> AppResult<()> {
    match user.require(Role::ADMINS) {
        Ok(()) => Ok(()),
        Err(e) => Err(deny(state, user, what, None, e).await),
    }
}

/// `POST /api/v1/users` → 201 user.
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<CreateUserBody>,
) -> AppResult<HttpResponse> {
    let created = create_user(&state, &user, &body).await?;
    Ok(HttpResponse::Created().json(created.0.view(Some(&created.1))))
}

/// An account checked and hashed, ready to insert (alone, or with the record it
/// belongs to in the same transaction).
pub struct PreparedUser {
    pub new: super::NewUser,
    pub hash: String,
    pub region: Region,
}

/// Every check of account creation — role, fields, region existence, scope and level
/// — and the password hash; nothing is written.
pub async fn prepare_user(
    state: &AppState,
    user: &CurrentUser,
    body: &CreateUserBody,
) -> AppResult<PreparedUser> {
    require_admin(state, user, "user.create").await?;
    let new = rules::check_new_user(body)?;
    if !rules::may_create(user.role(), new.role) {
        let e = AppError::Forbidden(format!(
            "{}不能创建{}账号",
            user.role().label(),
            new.role.label()
        ));
        return Err(deny(state, user, "user.create", None, e).await);
    }
    let code = new.region_code.as_str().to_owned();
    let region = state
        .db(move |conn| crate::regions::store::find(conn, &code))
        .await?
        .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
    if !user.scope().contains_path(&region.path) {
        let e = AppError::Forbidden("该行政区划不在您的管辖范围内".into());
        return Err(deny(
            state,
            user,
            "user.create",
            Some(format!("region:{}", region.code)),
            e,
        )
        .await);
    }
    rules::check_region_level(new.role, region.level())
        .map_err(|m| AppError::field("region_code", m))?;
    let hash = password::hash(new.password.expose().to_owned()).await?;
    Ok(PreparedUser { new, hash, region })
}

/// The creation procedure shared with the page form.
pub async fn create_user(
    state: &AppState,
    user: &CurrentUser,
    body: &CreateUserBody,
) -> AppResult<(User, Region)> {
    let prepared = prepare_user(state, user, body).await?;
    let actor = user.actor();
    let created = state
        .db(move |conn| store::insert(conn, &prepared.new, &prepared.hash, &actor, time::now()))
        .await?;
    Ok((created, prepared.region))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: PageParams,
    pub q: Option<String>,
    pub role: Option<String>,
    pub region: Option<String>,
    pub disabled: Option<String>,
}

/// Check list filters; `region` must lie in the caller's subtree (else 404).
pub async fn parse_filter(
    state: &AppState,
    user: &CurrentUser,
    query: &ListQuery,
) -> AppResult<(UserFilter, Paging)> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let role = match query
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(r) => p.take("role", Role::parse(r).ok_or_else(|| "未知角色".to_owned())),
    };
    let disabled = match query
        .disabled
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            p.add("disabled", "应为 true 或 false");
            None
        }
    };
    p.finish()?;
    let region = match query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(code) => {
            let code = code.to_owned();
            let region = state
                .db(move |conn| crate::regions::store::resolve(conn, &code))
                .await?
                .filter(|r| user.scope().contains_path(&r.path))
                .ok_or(AppError::NotFound)?;
            Some(region.scope())
        }
    };
    Ok((
        UserFilter {
            q: query.q.clone(),
            role,
            region,
            disabled,
        },
        paging,
    ))
}

/// `GET /api/v1/users` → the accounts in the caller's subtree.
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    require_admin(&state, &user, "user.list").await?;
    let (filter, paging) = parse_filter(&state, &user, &query).await?;
    let scope = user.scope();
    let (rows, total) = state
        .db(move |conn| store::list(conn, &scope, &filter, paging.offset(), paging.per_page))
        .await?;
    let items = rows.iter().map(|(u, r)| u.view(Some(r))).collect();
    Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)))
}

/// Find an account the caller may see: admins their subtree, everyone else themselves.
/// Anything else is a 404, and one that exists is an audited denial.
pub async fn find_visible(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(User, Region)> {
    let scope = user.scope();
    let lookup = state
        .db(move |conn| store::get_scoped(conn, id, &scope))
        .await?;
    match lookup {
        Lookup::Found(found) if user.role().is_admin() || found.0.id == user.id() => Ok(found),
        Lookup::Missing => Err(AppError::NotFound),
        _ => Err(deny(
            state,
            user,
            "user.read",
            Some(format!("user:{id}")),
            AppError::NotFound,
        )
        .await),
    }
}

/// Find an account the caller may manage (disable, enable, reset): visible, of a role
/// the caller may create, and not the caller.
pub async fn find_manageable(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    what: &str,
) -> AppResult<(User, Region)> {
    require_admin(state, user, what).await?;
    let found = find_visible(state, user, id).await?;
    if found.0.id == user.id() {
        return Err(AppError::Conflict("不能对自己的账号执行此操作".into()));
    }
    if !rules::may_manage(user.role(), found.0.role()) {
        let e = AppError::Forbidden(format!(
            "{}不能管理{}账号",
            user.role().label(),
            found.0.role().label()
        ));
        return Err(deny(state, user, what, Some(format!("user:{id}")), e).await);
    }
    Ok(found)
}

/// `GET /api/v1/users/{id}` → user; outside the caller's subtree → 404.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (found, region) = find_visible(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(found.view(Some(&region))))
}

async fn set_disabled(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    disabled: bool,
) -> AppResult<HttpResponse> {
    let what = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    let (target, region) = find_manageable(state, user, id, what).await?;
    let actor = user.actor();
    let updated = state
        .db(move |conn| store::set_disabled(conn, target.id, disabled, &actor, time::now()))
        .await?;
    Ok(HttpResponse::Ok().json(updated.view(Some(&region))))
}

/// `POST /api/v1/users/{id}/disable` → the user; its tokens stop working at once.
async fn disable(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    set_disabled(&state, &user, path.into_inner(), true).await
}

/// `POST /api/v1/users/{id}/enable` → the user.
async fn enable(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    set_disabled(&state, &user, path.into_inner(), false).await
}

#[derive(Debug, Deserialize)]
struct ResetBody {
    password: Option<String>,
}

/// `PUT /api/v1/users/{id}/password` `{password}` → 204; the account's tokens stop working.
async fn reset_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<ResetBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    reset_password_of(
        &state,
        &user,
        id,
        body.password.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set a new password on an account the caller manages, ending its sessions; shared with
/// the page. A weak password is a 422 on `password`.
pub async fn reset_password_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    raw: &str,
) -> AppResult<()> {
    let (target, _) = find_manageable(state, user, id, "user.password_reset").await?;
    let new = NewPassword::parse(raw, Some(&target.username))
        .map_err(|m| AppError::field("password", m))?;
    let hash = password::hash(new.expose().to_owned()).await?;
    let actor = user.actor();
    state
        .db(move |conn| {
            store::set_password(
                conn,
                target.id,
                &hash,
                &actor,
                "user.password_reset",
                time::now(),
            )
        })
        .await?;
    Ok(())
}
