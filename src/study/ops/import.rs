//! Platform-import use cases: which county, run it (API, page, CLI), and the page's
//! check-then-confirm with the upload kept in the stash.

use serde::{Deserialize, Serialize};

use crate::access::{Caller, Role};
use crate::audit::Entry;
use crate::error::{AppError, AppResult};
use crate::regions::{Level, Region};
use crate::state::AppState;
use crate::study::import::{self, ImportReport, ImportTarget};
use crate::study::rules::records;
use crate::time;

/// The largest upload an import reads.
pub fn upload_limits() -> crate::sheet::Limits {
    crate::sheet::Limits::default()
}

/// `POST /api/v1/study-records/import` query.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// true：只校验、报告错误，不写入任何数据
    pub dry_run: Option<String>,
    /// 县（市、区）代码（市级及以上账号须给出）
    pub county: Option<String>,
    /// 学习平台代码（1–30 个字符）
    pub platform: Option<String>,
}

/// The county an import goes into: a county admin's own; a city admin or sysadmin must
/// name one in its region. Another county's is refused (403, audited).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn county(state: &AppState, caller: &Caller, county: Option<&str>) -> AppResult<Region> {
    caller.require(Role::ADMINS)?;
    let code = match (
        caller.role(),
        county.map(str::trim).filter(|c| !c.is_empty()),
    ) {
        (Role::CountyAdmin, None) => caller.region.code.clone(),
        (_, Some(c)) => c.to_owned(),
        (_, None) => return Err(AppError::field("county", "请指定导入的区（市）县代码")),
    };
    let region = state
        .db({
            let code = code.clone();
            move |conn| crate::regions::resolve(conn, &code)
        })
        .await?
        .ok_or_else(|| AppError::field("county", "未知的区县代码"))?;
    if !caller.scope().contains_path(&region.path) {
        let entry = Entry::new("access.denied")
            .target(format!("region:{code}"))
            .detail(serde_json::json!({ "attempt": "study.import", "status": 403 }));
        state.audit(caller.actor(), entry).await;
        return Err(AppError::Forbidden("不能向其他区县导入学习记录".into()));
    }
    if region.level() != Level::County {
        return Err(AppError::field("county", "应为区（市）县代码"));
    }
    Ok(region)
}

/// The target an API query names.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn target(
    state: &AppState,
    caller: &Caller,
    query: &ImportQuery,
) -> AppResult<ImportTarget> {
    let dry_run =
        records::flag(query.dry_run.as_deref()).map_err(|m| AppError::field("dry_run", m))?;
    let county = county(state, caller, query.county.as_deref()).await?;
    let platform = query
        .platform
        .as_deref()
        .unwrap_or("ncme")
        .trim()
        .to_owned();
    if !(1..=30).contains(&platform.chars().count()) {
        return Err(AppError::field("platform", "平台代码应为 1–30 个字符"));
    }
    Ok(ImportTarget {
        county,
        platform,
        dry_run,
    })
}

/// Check (and, unless a dry run, write) an export's bytes.
#[tracing::instrument(skip(state, caller, target, bytes), fields(caller = caller.user_id, county = %target.county.code))]
pub async fn run(
    state: &AppState,
    caller: &Caller,
    target: ImportTarget,
    bytes: Vec<u8>,
) -> AppResult<ImportReport> {
    let sheet =
        crate::sheet::read(&bytes, &upload_limits()).map_err(|m| AppError::field("file", m))?;
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
            )
        })
        .await
}

/// What the stash keeps beside a checked upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    county: String,
    platform: String,
}

/// Keep a checked upload for confirmation; returns the token that claims it.
#[tracing::instrument(skip(state, caller, filename, bytes), fields(caller = caller.user_id))]
pub async fn keep(
    state: &AppState,
    caller: &Caller,
    target: &ImportTarget,
    filename: Option<String>,
    bytes: Vec<u8>,
) -> AppResult<String> {
    let kept = Kept {
        county: target.county.code.clone(),
        platform: target.platform.clone(),
    };
    let stashed = crate::stash::Stashed {
        filename,
        params: serde_json::to_value(&kept).map_err(AppError::internal)?,
        content: bytes,
    };
    let user_id = caller.user_id;
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            crate::stash::put(conn, &pii, user_id, "study_import", &stashed, time::now())
        })
        .await
}

/// Claim a kept upload and import it; `None` when the token has expired or was used.
#[tracing::instrument(skip(state, caller, token), fields(caller = caller.user_id))]
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    token: String,
) -> AppResult<Option<ImportReport>> {
    let user_id = caller.user_id;
    let pii = state.pii.clone();
    let Some(stashed) = state
        .db(move |conn| {
            crate::stash::take(conn, &pii, &token, user_id, "study_import", time::now())
        })
        .await?
    else {
        return Ok(None);
    };
    let kept: Kept = serde_json::from_value(stashed.params).map_err(AppError::internal)?;
    let target = ImportTarget {
        county: county(state, caller, Some(&kept.county)).await?,
        platform: kept.platform,
        dry_run: false,
    };
    run(state, caller, target, stashed.content).await.map(Some)
}

/// The counties an admin may import into (the page's choice).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn counties(state: &AppState, caller: &Caller) -> AppResult<Vec<(String, String)>> {
    if caller.role() == Role::CountyAdmin {
        return Ok(vec![(
            caller.region.code.clone(),
            caller.region.name.clone(),
        )]);
    }
    let scope = caller.scope();
    state
        .db(move |conn| crate::study::store::accounts::counties(conn, &scope))
        .await
}
