//! The region tree's use cases: browsing it, and importing townships and villages (API,
//! page; the command line has its own counterpart).

use super::{ImportReport, Region, rules, store};
use crate::access::{Caller, Role};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::time;

/// Largest region CSV accepted (about 40,000 village rows).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// Most rows in one region import.
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// A `dry_run` (or any true/false) query parameter: `true`/`1`, `false`/`0` or absent.
pub fn parse_dry_run(raw: Option<&str>) -> AppResult<bool> {
    rules::flag(raw).map_err(|m| AppError::field("dry_run", m))
}

/// The children of `parent` (a well-formed, existing code; 404 if unknown), or the roots.
/// The tree itself is public (GB/T 2260): any logged-in user may browse it.
#[tracing::instrument(skip(state))]
pub async fn children(state: &AppState, parent: Option<&str>) -> AppResult<Vec<Region>> {
    let parent = match parent.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(raw) => Some(
            rules::RegionCode::parse(raw)
                .map_err(|m| AppError::field("parent", m))?
                .as_str()
                .to_owned(),
        ),
    };
    state
        .db(move |conn| {
            if let Some(p) = &parent
                && store::find(conn, p)?.is_none()
            {
                return Err(AppError::NotFound);
            }
            Ok(store::children(conn, parent.as_deref())?)
        })
        .await
}

/// A region with its ancestors (root first, itself last); 404 if unknown.
#[tracing::instrument(skip(state))]
pub async fn with_lineage(state: &AppState, code: String) -> AppResult<(Region, Vec<Region>)> {
    state
        .db(move |conn| {
            let region = store::resolve(conn, &code)?.ok_or(AppError::NotFound)?;
            let lineage = store::lineage(conn, &region)?;
            Ok::<_, AppError>((region, lineage))
        })
        .await
}

/// What the browse page shows: a node, its ancestors and its children.
pub struct Browse {
    pub current: Region,
    pub ancestors: Vec<Region>,
    pub children: Vec<Region>,
    /// May the caller import below this node?
    pub can_import: bool,
}

/// The node `parent` (default: the caller's region), its ancestors and children.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn browse(state: &AppState, caller: &Caller, parent: Option<&str>) -> AppResult<Browse> {
    let parent = parent
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map_or_else(|| caller.region.code.clone(), str::to_owned);
    let (current, lineage, children) = state
        .db(move |conn| {
            let current = store::resolve(conn, &parent)?.ok_or(AppError::NotFound)?;
            let lineage = store::lineage(conn, &current)?;
            let children = store::children(conn, Some(&current.code))?;
            Ok::<_, AppError>((current, lineage, children))
        })
        .await?;
    let can_import = caller.is_admin() && caller.scope().contains_path(&current.path);
    Ok(Browse {
        ancestors: lineage
            .into_iter()
            .filter(|r| r.code != current.code)
            .collect(),
        current,
        children,
        can_import,
    })
}

/// Parse, check and (unless a dry run or any row is bad) write an import of townships
/// and villages inside the caller's region (admins), audited.
#[tracing::instrument(skip(state, caller, bytes), fields(caller = caller.user_id))]
pub async fn import_bytes(
    state: &AppState,
    caller: &Caller,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    caller.require(Role::ADMINS)?;
    let rows = super::csv::parse(bytes, MAX_IMPORT_ROWS).map_err(|e| AppError::field("file", e))?;
    let scope = caller.scope();
    let actor = caller.actor();
    state
        .db(move |conn| {
            let report = super::import::run(conn, &rows, &scope, dry_run, false, time::now())?;
            if !dry_run && report.errors.is_empty() {
                audit::record(
                    conn,
                    &actor,
                    &Entry::new("region.imported").detail(serde_json::json!({
                        "created": report.created,
                        "updated": report.updated,
                    })),
                    time::now(),
                )?;
            }
            Ok::<_, AppError>(report)
        })
        .await
}
