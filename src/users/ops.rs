//! Account use cases, shared by the API, the pages and other areas (a doctor's or an
//! instructor's account is prepared here and stored with its record).

use crate::access::{Caller, Lookup, Role};
use crate::audit;
use crate::auth::password;
use crate::auth::rules::NewPassword;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::regions::{self, Region};
use crate::state::AppState;
use crate::time;

use super::{CreateUserBody, ListQuery, NewUser, User, UserFilter, rules, store};

/// A 403 written to the audit log as an `access.denied`.
async fn refuse(
    state: &AppState,
    caller: &Caller,
    attempt: &'static str,
    target: Option<String>,
    message: String,
) -> AppError {
    state
        .audit(caller.actor(), audit::denial(attempt, target, 403))
        .await;
    AppError::Forbidden(message)
}

/// Admins only; a refusal is audited.
async fn require_admin(state: &AppState, caller: &Caller, attempt: &'static str) -> AppResult<()> {
    match caller.require(Role::ADMINS) {
        Ok(()) => Ok(()),
        Err(e) => Err(refuse(state, caller, attempt, None, e.to_string()).await),
    }
}

/// An account checked and hashed, ready to insert (alone, or with the record it
/// belongs to in the same transaction).
pub struct PreparedAccount {
    pub new: NewUser,
    pub hash: String,
    pub region: Region,
}

/// Every check of account creation — role, fields, region existence, scope and level
/// ([`rules`]) — and the password hash; nothing is written.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn prepare_account(
    state: &AppState,
    caller: &Caller,
    body: &CreateUserBody,
) -> AppResult<PreparedAccount> {
    require_admin(state, caller, "user.create").await?;
    let new = rules::check_new_user(body)?;
    if !rules::may_create(caller.role, new.role) {
        let message = format!("{}不能创建{}账号", caller.role.label(), new.role.label());
        return Err(refuse(state, caller, "user.create", None, message).await);
    }
    let code = new.region_code.as_str().to_owned();
    let region = state
        .db(move |conn| regions::find(conn, &code))
        .await?
        .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
    if !caller.scope().contains_path(&region.path) {
        let target = Some(format!("region:{}", region.code));
        let message = "该行政区划不在您的管辖范围内".to_owned();
        return Err(refuse(state, caller, "user.create", target, message).await);
    }
    rules::check_region_level(new.role, region.level())
        .map_err(|m| AppError::field("region_code", m))?;
    let hash = password::hash(new.password.expose().to_owned()).await?;
    Ok(PreparedAccount { new, hash, region })
}

/// Create an account (`POST /api/v1/users`, the page's form).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &CreateUserBody,
) -> AppResult<(User, Region)> {
    let email = rules::check_email(body.email.as_deref());
    let prepared = match (prepare_account(state, caller, body).await, &email) {
        (Ok(p), Ok(_)) => p,
        (Err(AppError::Validation(mut errors)), Err(m)) => {
            errors.push(crate::error::FieldError {
                field: "email".into(),
                message: m.clone(),
            });
            return Err(AppError::Validation(errors));
        }
        (Err(e), _) => return Err(e),
        (Ok(_), Err(m)) => return Err(AppError::field("email", m.clone())),
    };
    let email = email.unwrap_or_default();
    let actor = caller.actor();
    let created = state
        .db(move |conn| {
            crate::db::write(conn, |conn| {
                let now = time::now();
                let mut user = super::store_account(conn, &prepared, &actor, now)?;
                if let Some(email) = &email {
                    user = store::set_email(conn, user.id, Some(email), &actor, now)?;
                }
                Ok::<_, AppError>((user, prepared.region))
            })
        })
        .await?;
    Ok(created)
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

/// A page of the accounts in the caller's subtree (admins), filtered; a `region` outside
/// the subtree is a 404.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<(User, Region)>> {
    require_admin(state, caller, "user.list").await?;
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let role = given(&query.role)
        .and_then(|r| p.take("role", Role::parse(r).ok_or_else(|| "未知角色".to_owned())));
    let disabled =
        given(&query.disabled).and_then(|d| p.take("disabled", rules::disabled_filter(d)));
    p.finish()?;
    let region = given(&query.region).map(str::to_owned);
    let mut filter = UserFilter {
        q: query.q.clone(),
        role,
        region: None,
        disabled,
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            if let Some(code) = region {
                let region = regions::resolve(conn, &code)?
                    .filter(|r| caller.scope().contains_path(&r.path))
                    .ok_or(AppError::NotFound)?;
                filter.region = Some(region.scope());
            }
            let (rows, total) = store::list(
                conn,
                &caller.scope(),
                &filter,
                paging.offset(),
                paging.per_page,
            )?;
            Ok::<_, AppError>(ListPage::new(rows, total, paging))
        })
        .await
}

/// An account the caller may see: admins their subtree, everyone else themselves.
/// Anything else is a 404, and one that exists is an audited denial.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn find_visible(state: &AppState, caller: &Caller, id: i64) -> AppResult<(User, Region)> {
    let caller = caller.clone();
    state
        .db(
            move |conn| match store::get_scoped(conn, id, &caller.scope())? {
                Lookup::Found(found) if caller.is_admin() || found.0.id == caller.user_id => {
                    Ok(found)
                }
                Lookup::Missing => Err(AppError::NotFound),
                _ => Err(caller.denied("user.read", format!("user:{id}"))),
            },
        )
        .await
}

/// An account the caller may manage (disable, enable, reset): visible, of a role the
/// caller may create, and not the caller.
async fn find_manageable(
    state: &AppState,
    caller: &Caller,
    id: i64,
    attempt: &'static str,
) -> AppResult<(User, Region)> {
    require_admin(state, caller, attempt).await?;
    let found = find_visible(state, caller, id).await?;
    if found.0.id == caller.user_id {
        return Err(AppError::Conflict("不能对自己的账号执行此操作".into()));
    }
    if !rules::may_manage(caller.role, found.0.role) {
        let message = format!(
            "{}不能管理{}账号",
            caller.role.label(),
            found.0.role.label()
        );
        let target = Some(format!("user:{id}"));
        return Err(refuse(state, caller, attempt, target, message).await);
    }
    Ok(found)
}

/// The roles of the accounts the caller may create (for the form's choices).
pub fn creatable_roles(caller: &Caller) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|r| rules::may_create(caller.role, *r))
        .collect()
}

/// May the caller manage this account (for showing the page's buttons)?
pub fn may_manage(caller: &Caller, target: &User) -> bool {
    caller.is_admin() && target.id != caller.user_id && rules::may_manage(caller.role, target.role)
}

/// Disable or enable an account; disabling ends its sessions at once.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    id: i64,
    disabled: bool,
) -> AppResult<(User, Region)> {
    let attempt = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    let (target, region) = find_manageable(state, caller, id, attempt).await?;
    let actor = caller.actor();
    let updated = state
        .db(move |conn| store::set_disabled(conn, target.id, disabled, &actor, time::now()))
        .await?;
    state.versions.forget(updated.id);
    Ok((updated, region))
}

/// Set a new password on an account the caller manages, ending its sessions. A weak
/// password is a 422 on `password`.
#[tracing::instrument(skip(state, caller, raw), fields(caller = caller.user_id))]
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    id: i64,
    raw: &str,
) -> AppResult<()> {
    let (target, _) = find_manageable(state, caller, id, "user.password_reset").await?;
    let new = NewPassword::parse(raw, Some(&target.username))
        .map_err(|m| AppError::field("password", m))?;
    let hash = password::hash(new.expose().to_owned()).await?;
    let actor = caller.actor();
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
    state.versions.forget(id);
    Ok(())
}

/// Set or clear an account's email address (`PUT /api/v1/users/{id}/email`, the page's
/// form): the user itself, or an admin who may manage the account. A bad address is a
/// 422 and nothing is written.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn set_email(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &super::EmailBody,
) -> AppResult<(User, Region)> {
    let (target, region) = find_visible(state, caller, id).await?;
    if target.id != caller.user_id && !may_manage(caller, &target) {
        let message = format!(
            "{}不能修改{}账号的邮箱",
            caller.role.label(),
            target.role.label()
        );
        let target = Some(format!("user:{id}"));
        return Err(refuse(state, caller, "user.email", target, message).await);
    }
    let email =
        rules::check_email(body.email.as_deref()).map_err(|m| AppError::field("email", m))?;
    let actor = caller.actor();
    let user = state
        .db(move |conn| store::set_email(conn, id, email.as_deref(), &actor, time::now()))
        .await?;
    state.versions.forget(id);
    Ok((user, region))
}
