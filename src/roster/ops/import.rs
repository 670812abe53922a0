//! Importing a county's roster spreadsheet: which county, the upload's limits, the run
//! itself, and the page's check-then-confirm stash.

use serde::{Deserialize, Serialize};

use super::forbidden;
use crate::access::{Caller, Role};
use crate::error::{AppError, AppResult};
use crate::regions::{self, Level, Region};
use crate::roster::{ImportReport, import};
use crate::sheet::Limits;
use crate::stash::{self, Stashed};
use crate::state::AppState;
use crate::time;

/// Limits of a roster upload: 20 MB, 200,000 rows, 400 MB unzipped.
pub fn upload_limits() -> Limits {
    Limits::default()
}

/// The county an import goes into: a county admin's own; a city admin or sysadmin must
/// name one in its region (403, audited, outside it).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn import_county(
    state: &AppState,
    caller: &Caller,
    county: Option<&str>,
) -> AppResult<Region> {
    caller.require(Role::ADMINS)?;
    let county = county.map(str::trim).filter(|c| !c.is_empty());
    let code = match (caller.role, county) {
        (Role::CountyAdmin, None) => caller.region.code.clone(),
        (_, Some(c)) => c.to_owned(),
        (_, None) => return Err(AppError::field("county", "请指定导入的区（市）县代码")),
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let region = regions::resolve(conn, &code)?
                .ok_or_else(|| AppError::field("county", "未知的区县代码"))?;
            if !caller.scope().contains_path(&region.path) {
                return Err(forbidden(
                    conn,
                    &caller,
                    "roster.import",
                    format!("region:{code}"),
                    "不能向其他区县导入学员",
                ));
            }
            if region.level() != Level::County {
                return Err(AppError::field("county", "应为区（市）县代码"));
            }
            Ok(region)
        })
        .await
}

/// Run an import of spreadsheet bytes into `county` (checked by [`import_county`]).
#[tracing::instrument(skip(state, caller, county, bytes), fields(caller = caller.user_id, county = %county.code))]
pub async fn import_bytes(
    state: &AppState,
    caller: &Caller,
    county: Region,
    program_id: Option<i64>,
    dry_run: bool,
    bytes: Vec<u8>,
) -> AppResult<ImportReport> {
    let sheet =
        crate::sheet::read(&bytes, &upload_limits()).map_err(|m| AppError::field("file", m))?;
    let target = import::Target {
        county,
        program_id,
        dry_run,
    };
    let actor = caller.actor();
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            import::run(
                conn,
                &pii,
                &sheet,
                &target,
                &actor,
                time::today_cst(),
                time::now(),
                &|_| {},
            )
        })
        .await
}

/// The counties a caller may import into (code, name): a county admin its own.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn counties(state: &AppState, caller: &Caller) -> AppResult<Vec<(String, String)>> {
    if caller.role == Role::CountyAdmin {
        return Ok(vec![(
            caller.region.code.clone(),
            caller.region.name.clone(),
        )]);
    }
    let scope = caller.scope();
    let found = state
        .db(move |conn| regions::counties_in(conn, &scope))
        .await?;
    Ok(found.into_iter().map(|r| (r.code, r.name)).collect())
}

const STASH_PURPOSE: &str = "roster_import";

/// What the page keeps with a checked file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StashParams {
    county: String,
}

/// A checked file taken back for its confirmation.
#[derive(Debug, Clone)]
pub struct StashedImport {
    pub filename: Option<String>,
    pub county: String,
    pub content: Vec<u8>,
}

/// Keep a checked file for its confirmation; the token that claims it.
#[tracing::instrument(skip(state, caller, county, filename, content), fields(caller = caller.user_id))]
pub async fn stash_import(
    state: &AppState,
    caller: &Caller,
    county: &Region,
    filename: Option<String>,
    content: Vec<u8>,
) -> AppResult<String> {
    let params = serde_json::to_value(StashParams {
        county: county.code.clone(),
    })
    .map_err(AppError::internal)?;
    let stashed = Stashed {
        filename,
        params,
        content,
    };
    let user_id = caller.user_id;
    let pii = state.pii.clone();
    state
        .db(move |conn| stash::put(conn, &pii, user_id, STASH_PURPOSE, &stashed, time::now()))
        .await
}

/// Claim a checked file (its owner only, within the hour); `None` once gone.
#[tracing::instrument(skip(state, caller, token), fields(caller = caller.user_id))]
pub async fn take_stashed_import(
    state: &AppState,
    caller: &Caller,
    token: String,
) -> AppResult<Option<StashedImport>> {
    let user_id = caller.user_id;
    let pii = state.pii.clone();
    let stashed = state
        .db(move |conn| stash::take(conn, &pii, &token, user_id, STASH_PURPOSE, time::now()))
        .await?;
    stashed
        .map(|s| {
            let params: StashParams =
                serde_json::from_value(s.params).map_err(AppError::internal)?;
            Ok(StashedImport {
                filename: s.filename,
                county: params.county,
                content: s.content,
            })
        })
        .transpose()
}
