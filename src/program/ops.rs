//! The programs' use cases, shared by the API and the pages.

pub use super::rules::QuotaLine;

use super::rules;
use super::views::PresetView;
use super::{Program, ProgramBody, QuotaUse, store};
use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult};
use crate::regions;
use crate::state::AppState;
use crate::time;

/// The programs visible from the caller's region: its own and its ancestors' (the city's
/// program seen from a county) and those inside its subtree.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(state: &AppState, caller: &Caller) -> AppResult<Vec<Program>> {
    let region = caller.region.clone();
    state
        .db(move |conn| store::list_visible(conn, &region))
        .await
}

/// The presets shipped (every logged-in user may read them).
pub fn presets() -> Vec<PresetView> {
    rules::preset_keys()
        .into_iter()
        .filter_map(|key| {
            rules::preset(key).ok().map(|d| PresetView {
                key,
                name: d.name,
                region_code: d.region_code,
                start_year: d.start_year,
                end_year: d.end_year,
            })
        })
        .collect()
}

/// A program the caller may see; 404 otherwise.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<Program> {
    access::load_program(state, caller, id).await
}

/// Create a program from a preset or a full definition: city admins for their city, the
/// sysadmin for any city in its region (403 otherwise).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn create(state: &AppState, caller: &Caller, body: &ProgramBody) -> AppResult<Program> {
    caller.require(&[Role::CityAdmin, Role::Sysadmin])?;
    let def = rules::definition_from_body(body)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let region = regions::find(conn, &def.region_code)?;
            if let Some(city) = &region
                && !rules::may_manage(&caller, &def.region_code, Some(&city.path))
            {
                return Err(AppError::Forbidden("只能为本市建立培训项目".into()));
            }
            store::insert(conn, &def, &caller.actor(), time::now())
        })
        .await
}

/// Replace a program's definition (not its preset or city); a stale `version` is a 409.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &ProgramBody,
) -> AppResult<Program> {
    let body = body.clone();
    let caller = caller.clone();
    state
        .db(move |conn| {
            let current = access::program(conn, &caller, id)?;
            caller.require(&[Role::CityAdmin, Role::Sysadmin])?;
            if caller.role != Role::Sysadmin
                && !rules::may_manage(&caller, &current.row.region_code, None)
            {
                return Err(AppError::Forbidden("只能修改本市的培训项目".into()));
            }
            // A program keeps the preset it came from; an edit is always a full
            // definition (a client that read the program sends its `preset` back).
            let body = ProgramBody {
                preset: None,
                ..body
            };
            let def = rules::definition_from_body(&body)?;
            store::update(conn, id, &def, body.version, &caller.actor(), time::now())
        })
        .await
}

/// The quota rows of a program a caller sees (admins): those of its districts.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn quota_rows(state: &AppState, caller: &Caller, id: i64) -> AppResult<Vec<QuotaUse>> {
    caller.require(Role::ADMINS)?;
    Ok(quotas(state, caller, id).await?.1)
}

async fn quotas(state: &AppState, caller: &Caller, id: i64) -> AppResult<(Program, Vec<QuotaUse>)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let program = access::program(conn, &caller, id)?;
            let uses = store::quota_use(conn, &program, &caller.scope())?;
            Ok::<_, AppError>((program, uses))
        })
        .await
}

/// The quota table of a program (admins): districts × years, with yearly totals.
pub struct QuotaTable {
    pub program: Program,
    pub years: Vec<i32>,
    pub rows: Vec<QuotaLine>,
    /// (places, enrolled) per year.
    pub totals: Vec<(i64, i64)>,
}

/// The quota table of a program (admins).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn quota_table(state: &AppState, caller: &Caller, id: i64) -> AppResult<QuotaTable> {
    caller.require(Role::ADMINS)?;
    let (program, uses) = quotas(state, caller, id).await?;
    let years: Vec<i32> = program.years().collect();
    let (rows, totals) = rules::quota_table(&uses, &years);
    Ok(QuotaTable {
        program,
        years,
        rows,
        totals,
    })
}

/// May the caller create programs (the list page's form)?
pub fn may_create(caller: &Caller) -> bool {
    matches!(caller.role, Role::CityAdmin | Role::Sysadmin)
}
