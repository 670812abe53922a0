//! The county-wide 一人一册 export: a county administrator starts it; a background
//! thread renders each doctor's dossier PDF in turn and writes it straight into a zip
//! file on disk (one PDF in memory at a time), recording progress (done of total) after
//! each; the finished zip is downloaded in chunks. ID numbers in the bulk export are
//! masked (a zip of a whole county leaves the platform); the single dossier download
//! keeps the full number for county and city administrators.
//!
//! The zip files live in the export directory: `CUNYI_EXPORT_DIR`, or `cunyi-exports`
//! under the system's temporary directory. Several `serve` processes must share it.

use std::io::{Read, Write};
use std::path::PathBuf;

use actix_web::web;
use futures_util::Stream;
use rand::RngCore;

use crate::access::{Caller, Role};
use crate::dossier::views::{ExportView, ExportsView};
use crate::dossier::{ExportRow, ExportStatus};
use crate::dossier::{rules, store};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::time;

/// Where the zips are written.
pub fn export_dir() -> PathBuf {
    std::env::var_os("CUNYI_EXPORT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("cunyi-exports"))
}

/// `POST /api/v1/dossier-exports`: the county administrator's county, every doctor
/// (by name). One export runs per county at a time (a second start answers the running
/// one); a running one with no dossier written for [`rules::STALLED_AFTER`] was
/// interrupted (a restart) and is closed as failed first. 403 for other roles.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn start(state: &AppState, caller: &Caller) -> AppResult<ExportView> {
    caller.require(&[Role::CountyAdmin])?;
    let county = caller.region.code.clone();
    let who = caller.clone();
    let (id, doctors, fresh) = state
        .db(move |conn| {
            let now = time::now();
            store::close_stalled(
                conn,
                &county,
                now - rules::STALLED_AFTER,
                rules::STALLED_WHY,
                now,
            )?;
            if let Some(id) = store::running_export(conn, &county)? {
                return Ok::<_, AppError>((id, Vec::new(), false));
            }
            let doctors: Vec<i64> = store::doctors_in(conn, &county)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let total = i32::try_from(doctors.len()).unwrap_or(i32::MAX);
            let id = store::insert_export(conn, &county, total, &who.actor(), time::now())?;
            Ok((id, doctors, true))
        })
        .await?;
    if fresh {
        let state = state.clone();
        let caller = caller.clone();
        std::thread::Builder::new()
            .name(format!("dossier-export-{id}"))
            .spawn(move || run(&state, &caller, id, &doctors))
            .map_err(AppError::internal)?;
    }
    get(state, caller, id).await
}

/// Build the zip, then close the row (done or failed).
fn run(state: &AppState, caller: &Caller, id: i64, doctors: &[i64]) {
    let outcome = build(state, caller, id, doctors).map_err(|e| e.to_string());
    if let Err(e) = &outcome {
        tracing::warn!(export = id, error = %e, "dossier export failed");
    }
    let closed = state
        .pool
        .get()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            store::export_finished(&mut conn, id, outcome, time::now()).map_err(|e| e.to_string())
        });
    if let Err(e) = closed {
        tracing::error!(export = id, error = %e, "could not close a dossier export");
    }
}

fn build(
    state: &AppState,
    caller: &Caller,
    id: i64,
    doctors: &[i64],
) -> anyhow::Result<(String, i64)> {
    let dir = export_dir();
    std::fs::create_dir_all(&dir)?;
    let mut nonce = [0u8; 8];
    rand::rng().fill_bytes(&mut nonce);
    let name = format!(
        "dossiers-{}-{id}-{}.zip",
        caller.region.code,
        hex::encode(nonce)
    );
    let part = dir.join(format!("{name}.part"));
    let file = std::fs::File::create(&part)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    let mut used = std::collections::HashSet::new();
    for (i, doctor) in doctors.iter().enumerate() {
        let (file_name, bytes) = {
            let mut conn = state.pool.get()?;
            let view = super::dossier_with(&mut conn, &state.pii, caller, *doctor, false)?;
            drop(conn);
            super::render_pdf(&view)?
        };
        // Two doctors of one name: the id keeps the entries apart.
        let entry = if used.insert(file_name.clone()) {
            file_name
        } else {
            format!("{}-{doctor}.pdf", file_name.trim_end_matches(".pdf"))
        };
        zip.start_file(entry, opts)?;
        zip.write_all(&bytes)?;
        let mut conn = state.pool.get()?;
        store::export_progress(
            &mut conn,
            id,
            i32::try_from(i + 1).unwrap_or(i32::MAX),
            time::now(),
        )?;
    }
    let mut inner = zip.finish()?;
    inner.flush()?;
    drop(inner);
    let done = dir.join(&name);
    std::fs::rename(&part, &done)?;
    let size = i64::try_from(std::fs::metadata(&done)?.len()).unwrap_or(i64::MAX);
    Ok((name, size))
}

/// An export the caller may see: administrators whose region holds the county (another
/// county's → 404, audited); other roles 403.
fn find(conn: &mut crate::db::AnyConnection, caller: &Caller, id: i64) -> AppResult<ExportRow> {
    caller.require(Role::ADMINS)?;
    let (row, path) = store::export(conn, id)?.ok_or(AppError::NotFound)?;
    if !caller.scope().contains_path(&path) {
        return Err(caller.denied("dossier.export", format!("dossier_export:{id}")));
    }
    Ok(row)
}

/// `GET /api/v1/dossier-exports/{id}`: its progress.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn get(state: &AppState, caller: &Caller, id: i64) -> AppResult<ExportView> {
    let caller = caller.clone();
    state
        .db(move |conn| find(conn, &caller, id).map(|r| ExportView::of(&r)))
        .await
}

/// `GET /api/v1/dossier-exports`: the newest exports of the caller's counties.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(state: &AppState, caller: &Caller) -> AppResult<ExportsView> {
    caller.require(Role::ADMINS)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let items = store::exports_in(conn, &caller.scope(), 20)?
                .iter()
                .map(ExportView::of)
                .collect();
            Ok::<_, AppError>(ExportsView {
                can_start: caller.role() == Role::CountyAdmin,
                items,
            })
        })
        .await
}

/// A finished export's zip, to stream: (download name, length, chunks). 409 while it is
/// still running or if it failed.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn download(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(
    String,
    u64,
    impl Stream<Item = Result<web::Bytes, std::io::Error>> + use<>,
)> {
    let caller = caller.clone();
    let row = state.db(move |conn| find(conn, &caller, id)).await?;
    let file_name = match (row.status, row.file_name) {
        (ExportStatus::Done, Some(f)) => f,
        _ => {
            return Err(AppError::Conflict(format!(
                "导出{}，尚不能下载",
                row.status.label()
            )));
        }
    };
    let path = export_dir().join(&file_name);
    let file = web::block(move || std::fs::File::open(path))
        .await?
        .map_err(|_| AppError::NotFound)?;
    let len = file.metadata().map_err(AppError::internal)?.len();
    let name = format!("一人一册-{}-{}.zip", row.county_code, row.id);
    Ok((name, len, chunks(file)))
}

/// A file read 64 KB at a time on the blocking pool.
fn chunks(file: std::fs::File) -> impl Stream<Item = Result<web::Bytes, std::io::Error>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = web::block(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((Ok(web::Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    })
}
