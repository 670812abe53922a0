//! `cunyi serve`: migrate, then serve the pages and the API.

use std::net::TcpListener;

use anyhow::Context;

use crate::app;
use crate::config::Config;
use crate::state::AppState;

/// `cunyi serve [--bind ADDR]`.
pub fn run(bind: Option<String>) -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    if let Some(bind) = bind {
        config.bind = bind;
    }
    serve(AppState::init(config)?)
}

/// Serve until stopped.
pub fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind.clone();
    let listener = TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!(
        address = %bind,
        database = %state.config.database_display(),
        "cunyi {} serving",
        env!("CARGO_PKG_VERSION")
    );
    actix_web::rt::System::new().block_on(async move {
        crate::notify::jobs::start(&state);
        app::server(state, listener, None)?.await
    })?;
    Ok(())
}
