//! The roster's use cases, shared by the API, the pages and the command line: each one
//! database hop that reads the facts, asks `rules`, and writes through `store`.

mod import;
mod read;
mod write;

pub use import::{
    StashedImport, counties, import_bytes, import_county, stash_import, take_stashed_import,
    upload_limits,
};
pub use read::{export, get, list, reveal_id, sub_regions, template};
pub use write::{change_status, create, open_account, update};

use crate::access::Caller;
use crate::audit;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::time;

/// A 403 for something the caller's role or region does not allow, written to the audit
/// log as an `access.denied` in the same hop.
fn forbidden(
    conn: &mut AnyConnection,
    caller: &Caller,
    attempt: &'static str,
    target: String,
    message: &str,
) -> AppError {
    let entry = audit::denial(attempt, Some(target), 403);
    if let Err(e) = audit::record(conn, &caller.actor(), &entry, time::now()) {
        tracing::error!(attempt, error = %e, "could not write the audit log");
    }
    AppError::Forbidden(message.to_owned())
}
