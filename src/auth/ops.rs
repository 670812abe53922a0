//! The identity use cases shared by the API and the pages: logging in (throttle check,
//! password check — always a real argon2 verification —, counters, audit, token),
//! logging out, changing one's password, and where the caller sits.

use chrono::Utc;

use super::rules::{self, PER_CLIENT, PER_USERNAME, PasswordChange};
use super::token::Issued;
use super::{password, store};
use crate::access::Caller;
use crate::audit::{Actor, Entry, record};
use crate::error::{AppError, AppResult};
use crate::regions::Region;
use crate::state::AppState;
use crate::users::User;
use crate::{db, time};

/// A successful login.
pub struct LoggedIn {
    pub issued: Issued,
    pub user: User,
    pub region: Region,
}

const WRONG: &str = "用户名或密码错误";

fn throttle_keys(
    username: &str,
    client: Option<&str>,
) -> Vec<(String, &'static rules::ThrottlePolicy)> {
    let mut keys = vec![(format!("user:{username}"), &PER_USERNAME)];
    if let Some(client) = client {
        keys.push((format!("client:{client}"), &PER_CLIENT));
    }
    keys
}

/// Try a username and password. Errors: 429 while the username or client is locked
/// (whatever the password), 401 otherwise on any failure.
#[tracing::instrument(skip_all)]
pub async fn attempt(
    state: &AppState,
    username: &str,
    password: String,
    client: Option<String>,
) -> AppResult<LoggedIn> {
    let username = username.trim().to_ascii_lowercase();
    let keys = throttle_keys(&username, client.as_deref());
    let now = time::now();
    let actor = Actor::anonymous(client.clone());

    // Counted before the password is checked, in one locked transaction per key set, so
    // that simultaneous attempts cannot all slip under the limit.
    let (admitted, found) = {
        let (keys, username) = (keys.clone(), username.clone());
        state
            .db(move |conn| {
                let admitted = store::admit_attempt(conn, &keys, now)?;
                let found = match admitted {
                    Ok(()) => store::for_login(conn, &username)?,
                    Err(_) => None,
                };
                Ok::<_, diesel::result::Error>((admitted, found))
            })
            .await?
    };
    if let Err(remaining) = admitted {
        state
            .audit(
                actor,
                Entry::new("auth.login_throttled")
                    .detail(serde_json::json!({ "username": username })),
            )
            .await;
        return Err(AppError::TooManyRequests {
            retry_after_secs: rules::retry_after_secs(remaining),
        });
    }

    // Unknown users cost one real verification too, so timing does not tell them apart.
    let stored = found.as_ref().map_or_else(
        || state.dummy_hash.as_str().to_owned(),
        |(_, hash)| hash.clone(),
    );
    let password_ok = match password::verify(stored, password).await {
        Ok(ok) => ok,
        Err(e) => {
            // Not checked (hashing is saturated): the attempt does not count.
            let keys = keys.clone();
            state
                .db(move |conn| {
                    for (key, policy) in &keys {
                        store::refund_attempt(conn, key, policy, now)?;
                    }
                    Ok::<_, diesel::result::Error>(())
                })
                .await?;
            return Err(e);
        }
    };

    let user = match found {
        Some((user, _)) if password_ok && !user.disabled => user,
        other => {
            let reason = match &other {
                None => "unknown_user",
                Some(_) if !password_ok => "wrong_password",
                Some(_) => "disabled",
            };
            let target = other.as_ref().map(|(u, _)| format!("user:{}", u.id));
            state
                .db(move |conn| {
                    db::write(conn, |conn| {
                        let mut entry = Entry::new("auth.login_failed")
                            .detail(serde_json::json!({ "username": username, "reason": reason }));
                        entry.target = target;
                        record(conn, &actor, &entry, now)
                    })
                })
                .await?;
            return Err(AppError::Unauthorized(if reason == "disabled" {
                "该账号已停用，请联系管理员"
            } else {
                WRONG
            }));
        }
    };

    let (user, region) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                store::clear_throttle(conn, &keys[0].0)?;
                for (key, policy) in keys.iter().skip(1) {
                    store::refund_attempt(conn, key, policy, now)?;
                }
                store::mark_login(conn, user.id, now)?;
                let actor = Actor {
                    id: Some(user.id),
                    username: Some(user.username.clone()),
                    client: actor.client.clone(),
                };
                record(
                    conn,
                    &actor,
                    &Entry::new("auth.login").target(format!("user:{}", user.id)),
                    now,
                )?;
                let region = store::region_of(conn, &user)?;
                Ok::<_, diesel::result::Error>((user, region))
            })
        })
        .await?;
    state.versions.forget(user.id);
    let issued = state
        .tokens
        .issue(user.id, user.token_version, Utc::now())
        .map_err(AppError::internal)?;
    Ok(LoggedIn {
        issued,
        user,
        region,
    })
}

/// End every session of the account (logout): its token version moves on.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn logout(state: &AppState, caller: &Caller) -> AppResult<()> {
    let actor = caller.actor();
    let id = caller.user_id;
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let now = time::now();
                store::bump_token_version(conn, id, now)?;
                record(
                    conn,
                    &actor,
                    &Entry::new("auth.logout").target(format!("user:{id}")),
                    now,
                )
            })
        })
        .await?;
    state.versions.forget(id);
    Ok(())
}

/// Change one's own password: check the current one, store the new one, revoke every
/// earlier token, and issue a fresh one for this session. A wrong current password is a
/// 422 on `current_password`.
#[tracing::instrument(skip(state, caller, change), fields(caller = caller.user_id))]
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    change: PasswordChange,
) -> AppResult<LoggedIn> {
    let id = caller.user_id;
    let stored = state.db(move |conn| store::password_hash(conn, id)).await?;
    if !password::verify(stored, change.current).await? {
        return Err(AppError::field("current_password", "当前密码不正确"));
    }
    let hash = password::hash(change.new.expose().to_owned()).await?;
    let actor = caller.actor();
    let updated = state
        .db(move |conn| {
            crate::users::set_password(
                conn,
                id,
                &hash,
                &actor,
                "auth.password_changed",
                time::now(),
            )
        })
        .await?;
    state.versions.forget(id);
    let issued = state
        .tokens
        .issue(updated.id, updated.token_version, Utc::now())
        .map_err(AppError::internal)?;
    Ok(LoggedIn {
        issued,
        user: updated,
        region: caller.region.clone(),
    })
}

/// The names of the caller's region and its ancestors, root first (the landing page).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn lineage(state: &AppState, caller: &Caller) -> AppResult<Vec<String>> {
    let region = caller.region.clone();
    let lineage = state
        .db(move |conn| crate::regions::lineage(conn, &region))
        .await?;
    Ok(lineage.into_iter().map(|r| r.name).collect())
}
