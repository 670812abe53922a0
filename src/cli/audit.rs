//! `cunyi audit verify`: recompute the audit log's hash chain.

use anyhow::bail;

use crate::config::Config;
use crate::state::AppState;

/// `cunyi audit verify`: exits non-zero at the first broken row.
pub fn verify() -> anyhow::Result<()> {
    let state = AppState::init_for(Config::from_env()?, crate::secrets::Need::IdKeyOnly)?;
    let report = crate::audit::verify_chain(&mut *state.pool.get()?)?;
    match report.first_break {
        None => {
            println!("audit log intact: {} row(s)", report.rows);
            Ok(())
        }
        Some(id) => bail!("audit log broken at row {id} (of {} checked)", report.rows),
    }
}
