//! Sessions' use cases, shared by the API and the pages.

pub mod attendance;
pub mod code;
pub mod detail;

use serde::Deserialize;

use super::rules::{self, Access};
use super::store::{self, Located};
use super::{SessionBody, SessionView};
use crate::access::{self, Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::time;

/// A session the caller may see, with how it relates to it; anything else is 404.
pub fn find_in(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<(Located, Access)> {
    let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
    let teaches = match (caller.role(), caller.instructor_id) {
        (Role::Instructor, Some(t)) => store::sessions::teaches(conn, id, t)?,
        _ => false,
    };
    let how = rules::access(caller.role(), &caller.region.path, &found.path, teaches)
        .ok_or(AppError::NotFound)?;
    Ok((found, how))
}

/// [`find_in`] in a hop of its own.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn find(state: &AppState, caller: &Caller, id: i64) -> AppResult<(Located, Access)> {
    let caller = caller.clone();
    state.db(move |conn| find_in(conn, &caller, id)).await
}

/// Create a session (admins, in their region): its program is the one named or the
/// region's city program covering the year; its instructors must be in the region.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &SessionBody,
) -> AppResult<SessionView> {
    caller.require(Role::ADMINS)?;
    let new = rules::check_body(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let scope = caller.scope();
            let region = crate::regions::find(conn, &new.region_code)?
                .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
            if !scope.contains_path(&region.path) {
                return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
            }
            let year = chrono::Datelike::year(&rules::credited_on(new.starts_at));
            let program = match new.program_id {
                Some(id) => visible_program(conn, &caller, id)?
                    .filter(|p| p.years().contains(&year))
                    .filter(|p| region.path.contains(&format!("/{}/", p.row.region_code)))
                    .ok_or_else(|| AppError::field("program_id", "该培训项目不覆盖此地区或年度"))?,
                None => crate::program::covering(conn, &region, year)?.ok_or_else(|| {
                    AppError::field(
                        "region_code",
                        format!("该地区没有覆盖 {year} 年度的培训项目"),
                    )
                })?,
            };
            let mut p = Problems::new();
            for (i, instructor) in new.instructor_ids.iter().enumerate() {
                match crate::instructors::get_scoped(conn, *instructor, &scope)? {
                    access::Lookup::Found(_) => {}
                    _ => p.add(
                        format!("instructor_ids[{i}]"),
                        "未知的师资，或不在您的管辖范围内",
                    ),
                }
            }
            p.finish()?;
            let actor = caller.actor();
            let id = store::sessions::insert(conn, &new, program.row.id, &actor, time::now())?;
            let found = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            let mut views = store::sessions::views(conn, vec![(found.session, found.region_name)])?;
            views.pop().ok_or(AppError::NotFound)
        })
        .await
}

/// A program the caller sees, if any.
fn visible_program(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<Option<crate::program::Program>> {
    match access::program(conn, caller, id) {
        Ok(p) => Ok(Some(p)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /api/v1/sessions` filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: PageParams,
    /// `upcoming` (default), `past` or `all`.
    pub when: Option<String>,
    /// Only sessions in this region's subtree (a region outside an admin's is 404).
    pub region: Option<String>,
}

/// The sessions a caller sees: admins their region's, instructors those they teach,
/// doctors those of their county (and above, e.g. the city's).
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<SessionView>> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let when = p.take("when", rules::when(query.when.as_deref()));
    p.finish()?;
    let when = when.unwrap_or(rules::When::Upcoming);
    let region = query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let caller = caller.clone();
    let (items, total) = state
        .db(move |conn| {
            let region = match region {
                None => None,
                Some(code) => {
                    let found = crate::regions::resolve(conn, &code)?.ok_or(AppError::NotFound)?;
                    if caller.is_admin() && !caller.scope().contains_path(&found.path) {
                        return Err(AppError::NotFound);
                    }
                    Some(found.scope())
                }
            };
            let filter = match caller.role() {
                Role::Instructor => store::sessions::Filter {
                    scope: None,
                    region,
                    instructor: Some(caller.instructor_id.unwrap_or(-1)),
                    when,
                },
                Role::Doctor => {
                    let path = &caller.region.path;
                    let county = crate::roster::rules::county_of_path(path).unwrap_or_default();
                    store::sessions::Filter {
                        scope: Some(crate::roster::rules::ancestor_scope(path, &county)),
                        region,
                        instructor: None,
                        when,
                    }
                }
                _ => store::sessions::Filter {
                    scope: Some(caller.scope()),
                    region,
                    instructor: None,
                    when,
                },
            };
            Ok::<_, AppError>(store::sessions::list(
                conn,
                &filter,
                time::now(),
                paging.offset(),
                paging.per_page,
            )?)
        })
        .await?;
    Ok(ListPage::new(items, total, paging))
}

/// The next `n` sessions the caller sees (the doctor's page).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn upcoming(state: &AppState, caller: &Caller, n: usize) -> AppResult<Vec<SessionView>> {
    let mut items = list(state, caller, &ListQuery::default()).await?.items;
    items.truncate(n);
    Ok(items)
}

/// The instructors an admin may assign (the new-session page).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn instructor_choices(
    state: &AppState,
    caller: &Caller,
) -> AppResult<Vec<(i64, String)>> {
    let scope = caller.scope();
    let (instructors, _) = state
        .db(move |conn| crate::instructors::list(conn, &scope, 0, 500))
        .await?;
    Ok(instructors.into_iter().map(|i| (i.id, i.name)).collect())
}
