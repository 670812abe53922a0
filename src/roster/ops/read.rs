//! Reading the roster: one doctor, a filtered page, the audited reveal of an ID number,
//! the spreadsheet export and the import template.

use super::forbidden;
use crate::access::{self, Caller, DoctorSet, Role};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, Paging};
use crate::roster::rules::{self, IdNumber};
use crate::roster::{DoctorFilter, DoctorRecord, ExportQuery, ListQuery, sheets, store};
use crate::state::AppState;
use crate::{db, regions, time};

/// A doctor the caller may see (404, audited, otherwise).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<DoctorRecord> {
    access::load_doctor(state, caller, id).await
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The checked filters of a list (the region is resolved in the database hop).
fn check_filters(state: &AppState, query: &ListQuery) -> AppResult<(DoctorFilter, Paging)> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let status = given(&query.status).and_then(|s| p.take("status", rules::status_filter(&s)));
    let cohort_year =
        given(&query.cohort_year).and_then(|y| p.take("cohort_year", rules::cohort_year(&y)));
    let program_id = given(&query.program_id).and_then(|v| {
        p.take(
            "program_id",
            v.parse::<i64>().map_err(|_| "应为整数".to_owned()),
        )
    });
    p.finish()?;
    let q = given(&query.q);
    // A full ID number is looked up by its blind index, never by LIKE.
    let id_index = q
        .as_deref()
        .and_then(|q| IdNumber::parse(q, time::today_cst()).ok())
        .map(|id| state.pii.blind_index(id.as_str()));
    Ok((
        DoctorFilter {
            region: None,
            q: if id_index.is_some() { None } else { q },
            id_index,
            status,
            cohort_year,
            program_id,
        },
        paging,
    ))
}

/// Resolve a list's `region` filter: a region in the caller's subtree (404 otherwise).
fn region_filter(
    conn: &mut db::AnyConnection,
    caller: &Caller,
    raw: Option<String>,
) -> AppResult<Option<regions::Scope>> {
    let Some(code) = raw else {
        return Ok(None);
    };
    regions::resolve(conn, &code)?
        .filter(|r| caller.scope().contains_path(&r.path))
        .map(|r| Some(r.scope()))
        .ok_or(AppError::NotFound)
}

/// The doctors a caller may list: admins their region (filtered); a doctor itself; an
/// instructor the doctors it teaches.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
) -> AppResult<ListPage<DoctorRecord>> {
    let (mut filter, paging) = check_filters(state, query)?;
    let region = given(&query.region);
    let caller = caller.clone();
    state
        .db(move |conn| {
            filter.region = region_filter(conn, &caller, region)?;
            match access::doctor_set(conn, &caller)? {
                DoctorSet::Region(scope) => {
                    let (items, total) =
                        store::list(conn, &scope, &filter, paging.offset(), paging.per_page)?;
                    Ok::<_, AppError>(ListPage::new(items, total, paging))
                }
                DoctorSet::Only(ids) => {
                    let all = store::by_ids(conn, &ids)?;
                    let total = all.len() as i64;
                    let page = all
                        .into_iter()
                        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
                        .take(usize::try_from(paging.per_page).unwrap_or(0))
                        .collect();
                    Ok(ListPage::new(page, total, paging))
                }
            }
        })
        .await
}

/// The full ID number, audited; county and city admins only (403, audited, for others
/// who may see the doctor).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn reveal_id(state: &AppState, caller: &Caller, id: i64) -> AppResult<String> {
    let caller = caller.clone();
    let sealed = state
        .db(move |conn| {
            access::doctor(conn, &caller, id)?;
            if !Role::REVEALERS.contains(&caller.role) {
                return Err(forbidden(
                    conn,
                    &caller,
                    "doctor.reveal_id_number",
                    format!("doctor:{id}"),
                    "只有区县和市级管理员可以查看完整身份证号",
                ));
            }
            db::write(conn, |conn| {
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("pii.id_number_revealed").target(format!("doctor:{id}")),
                    time::now(),
                )?;
                store::encrypted_id(conn, id)
            })
            .map_err(AppError::from)
        })
        .await?;
    state.pii.decrypt(&sealed).map_err(AppError::internal)
}

/// The roster as `.xlsx`: the filtered list, every page; full ID numbers only for
/// county and city admins who ask. Audited either way.
#[tracing::instrument(skip(state, caller, query), fields(caller = caller.user_id))]
pub async fn export(state: &AppState, caller: &Caller, query: &ExportQuery) -> AppResult<Vec<u8>> {
    caller.require(Role::ADMINS)?;
    let full = regions::parse_dry_run(query.full_id.as_deref())
        .map_err(|_| AppError::field("full_id", "应为 true 或 false"))?;
    if full && !Role::REVEALERS.contains(&caller.role) {
        return Err(AppError::Forbidden(
            "只有区县和市级管理员可以导出完整身份证号".into(),
        ));
    }
    let (mut filter, _) = check_filters(state, &query.list)?;
    let region = given(&query.list.region);
    let caller = caller.clone();
    let pii = state.pii.clone();
    let rows = state
        .db(move |conn| {
            filter.region = region_filter(conn, &caller, region)?;
            let (records, total) = store::list(conn, &caller.scope(), &filter, 0, i64::MAX)?;
            let mut sealed = if full {
                let ids: Vec<i64> = records.iter().map(|r| r.doctor.id).collect();
                store::encrypted_ids(conn, &ids)?
            } else {
                Default::default()
            };
            let mut out = Vec::with_capacity(records.len());
            for r in records {
                let id_number = if full {
                    let s = match sealed.remove(&r.doctor.id) {
                        Some(s) => s,
                        None => store::encrypted_id(conn, r.doctor.id)?,
                    };
                    pii.decrypt(&s).map_err(AppError::internal)?
                } else {
                    r.doctor.id_number_masked.clone()
                };
                out.push((r, id_number));
            }
            audit::record(
                conn,
                &caller.actor(),
                &Entry::new("pii.roster_exported")
                    .detail(serde_json::json!({ "rows": total, "full_id_numbers": full })),
                time::now(),
            )?;
            Ok::<_, AppError>(out)
        })
        .await?;
    sheets::export(&rows).map_err(AppError::internal)
}

/// The import template, with drop-downs and notes (admins).
pub fn template(caller: &Caller) -> AppResult<Vec<u8>> {
    caller.require(Role::ADMINS)?;
    sheets::template().map_err(AppError::internal)
}

/// The regions one level below the caller's (code, name): districts for a city,
/// townships for a county — the list's place filter.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn sub_regions(state: &AppState, caller: &Caller) -> AppResult<Vec<(String, String)>> {
    let code = caller.region.code.clone();
    let children = state
        .db(move |conn| regions::children(conn, Some(&code)))
        .await?;
    Ok(children.into_iter().map(|r| (r.code, r.name)).collect())
}
