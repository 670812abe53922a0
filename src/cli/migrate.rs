//! `cunyi migrate`: apply pending migrations and load the shipped regions.

use anyhow::Context;

use crate::config::Config;
use crate::{db, regions, time};

/// `cunyi migrate`.
pub fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let mut conn = db::connect(config.database_url.expose())
        .with_context(|| format!("cannot open {}", config.database_display()))?;
    let applied = db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let seeded = regions::seed_builtin(&mut conn, time::now())?;
    println!(
        "{}: {} migration(s) applied, {} shipped region(s) added",
        config.database_display(),
        applied.len(),
        seeded
    );
    Ok(())
}
