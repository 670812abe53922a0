//! `cunyi demo`: demo data in a local SQLite file, the demo accounts printed, served.

use crate::config::{Config, Secret};
use crate::state::AppState;
use crate::{demo, time};

/// `cunyi demo [--database FILE] [--bind ADDR] [--no-serve]`.
pub fn run(database: String, bind: Option<String>, no_serve: bool) -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    config.database_url = Secret::new(database);
    if let Some(bind) = bind {
        config.bind = bind;
    }
    // The demo makes its own secrets, into a file beside its database (mode 600).
    if config.jwt_secret.is_none() || config.id_key.is_none() {
        let file = crate::secrets::file_for(&config);
        if let Some(path) = file.filter(|p| !p.exists()) {
            crate::secrets::write_file(&path, &crate::secrets::Secrets::generate())?;
            tracing::info!(file = %path.display(), "generated the demo's secrets");
        }
    }
    let state = AppState::init(config)?;
    let accounts = {
        let mut conn = state.pool.get()?;
        demo::load(&mut conn, &state.pii, time::now())?
    };
    demo::print_banner(
        &accounts,
        &state.config.bind,
        &state.config.database_display(),
    );
    if no_serve {
        Ok(())
    } else {
        super::serve::serve(state)
    }
}
