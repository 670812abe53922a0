//! The instructors' use cases.

use super::{Instructor, InstructorBody, ListQuery, rules, store};
use crate::access::{Caller, Lookup, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::state::AppState;
use crate::users::CreateUserBody;
use crate::{db, orgs, regions, time};

/// Register an instructor (admins, in their region); with `username` and `password`, an
/// instructor account is opened and linked in the same transaction.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &InstructorBody,
) -> AppResult<Instructor> {
    caller.require(Role::ADMINS)?;
    let new = rules::check(body, time::today_cst())?;
    let region = {
        let code = new.region_code.as_str().to_owned();
        let organization = new.organization_id;
        let caller = caller.clone();
        state
            .db(move |conn| {
                let region = regions::find(conn, &code)?
                    .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
                if !caller.scope().contains_path(&region.path) {
                    return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
                }
                rules::check_level(region.level())
                    .map_err(|m| AppError::field("region_code", m))?;
                if let Some(org) = organization {
                    let visible = orgs::get(conn, org)?
                        .is_some_and(|(_, path)| caller.scope().contains_path(&path));
                    if !visible {
                        return Err(AppError::field(
                            "organization_id",
                            "未知的机构，或不在您的管辖范围内",
                        ));
                    }
                }
                Ok(region)
            })
            .await?
    };
    let account = match (&body.username, &body.password) {
        (Some(_), Some(_)) => {
            let account = CreateUserBody {
                username: body.username.clone(),
                password: body.password.clone(),
                display_name: Some(new.name.clone()),
                role: Some("instructor".into()),
                region_code: Some(region.code.clone()),
                email: None,
            };
            Some(crate::users::prepare_account(state, caller, &account).await?)
        }
        _ => None,
    };
    let actor = caller.actor();
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let now = time::now();
                let user_id = match &account {
                    Some(a) => Some(crate::users::store_account(conn, a, &actor, now)?.id),
                    None => None,
                };
                store::insert(conn, &pii, &new, user_id, &actor, now)
            })
        })
        .await
}

/// The instructors a caller may list: admins their region's (within `region`, when
/// given — a region outside the caller's is a 404); an instructor itself.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<Instructor>> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    p.finish()?;
    if caller.role == Role::Doctor {
        return Err(AppError::forbidden());
    }
    let region = query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let caller = caller.clone();
    state
        .db(move |conn| {
            let region = match region {
                None => None,
                Some(code) => Some(
                    regions::resolve(conn, &code)?
                        .filter(|r| caller.scope().contains_path(&r.path))
                        .ok_or(AppError::NotFound)?
                        .scope(),
                ),
            };
            if caller.role == Role::Instructor {
                let own: Vec<Instructor> = store::by_user_with_path(conn, caller.user_id)?
                    .filter(|(_, path)| region.as_ref().is_none_or(|r| r.contains_path(path)))
                    .map(|(i, _)| i)
                    .into_iter()
                    .collect();
                let total = own.len() as i64;
                return Ok::<_, AppError>(ListPage::new(own, total, paging));
            }
            let (items, total) = store::list_in(
                conn,
                &caller.scope(),
                region.as_ref(),
                paging.offset(),
                paging.per_page,
            )?;
            Ok(ListPage::new(items, total, paging))
        })
        .await
}

/// An instructor the caller may see: admins those of their region, an instructor
/// itself; 404 otherwise.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<Instructor> {
    let caller = caller.clone();
    state
        .db(
            move |conn| match store::get_scoped(conn, id, &caller.scope())? {
                Lookup::Found(i) if caller.is_admin() || i.user_id == Some(caller.user_id) => Ok(i),
                _ => Err(AppError::NotFound),
            },
        )
        .await
}
