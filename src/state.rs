//! The state every handler shares: the pool, the configuration, the token keys.

use std::sync::Arc;

use actix_web::web;
use anyhow::Context;

use crate::audit::{self, Actor, Entry};
use crate::auth::{password, token::TokenKeys};
use crate::config::Config;
use crate::db::{self, AnyConnection, Pool};
use crate::error::{AppError, AppResult};
use crate::{regions, time};

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenKeys>,
    /// An argon2id hash of nothing anyone knows, verified for unknown usernames.
    pub dummy_hash: Arc<String>,
    /// Encryption and blind index of ID-card numbers.
    pub pii: Arc<crate::pii::Pii>,
    /// What the exam engine keeps in memory: immutable papers' shapes, drawing pools.
    pub exams: Arc<crate::exams::store::Caches>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<crate::metrics::Registry>,
    /// What the token check reads, kept per account (see `auth::versions`).
    pub versions: Arc<crate::auth::versions::Versions>,
    /// The one writer of answer saves, committing them in batches (see `exams::saves`).
    pub answer_saves: Arc<crate::exams::saves::AnswerWriter>,
    /// Group commit of whole writes on SQLite: exam starts and submits (see `group_commit`).
    pub writes: Arc<crate::group_commit::GroupWriter>,
}

impl AppState {
    /// Connect, migrate, load the shipped regions and the token secret. Every instance
    /// does this at start; migrations are serialised by an advisory lock on PostgreSQL.
    pub fn init(config: Config) -> anyhow::Result<AppState> {
        Self::init_for(config, crate::secrets::Need::Serve)
    }

    /// [`AppState::init`] for a command that needs only the ID key (a token secret it is
    /// not given is made up for the run).
    pub fn init_for(config: Config, need: crate::secrets::Need) -> anyhow::Result<AppState> {
        password::configure(
            config.password_memory_mb,
            std::time::Duration::from_secs(config.password_queue_secs),
        );
        let url = config.database_url.expose().clone();
        let pool = db::build_pool(&url, config.pool_size)
            .with_context(|| format!("cannot open the database {}", config.database_display()))?;
        let mut conn = pool
            .get()
            .context("cannot take a connection from the pool")?;
        // Migrations and shipped data under one lock: any number of instances may start
        // together on a fresh database.
        db::with_startup_lock(&mut conn, |conn| {
            let applied =
                db::run_migrations(conn).map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
            if !applied.is_empty() {
                tracing::info!(?applied, "applied migrations");
            }
            // Doctors without a stored standing (rows a migration added): computed here,
            // since the pace is float arithmetic SQL cannot reproduce exactly.
            let computed = db::write(conn, crate::study::refresh_uncomputed_standing)
                .context("cannot compute the doctors' progress standing")?;
            if computed > 0 {
                tracing::info!(computed, "doctors' progress standing computed");
            }
            let now = time::now();
            regions::store::seed_builtin(conn, now).context("cannot load the shipped regions")?;
            let (shipped, problems) = crate::bank::files::shipped();
            if !problems.is_empty() || shipped.is_empty() {
                anyhow::bail!("the embedded question bank is empty or has problems: {problems:?}");
            }
            let synced = crate::bank::ops::sync_core(conn, &shipped, now)
                .context("cannot load the shipped question bank")?;
            if synced.added + synced.updated + synced.retired > 0 {
                tracing::info!(?synced, "question bank `core` updated");
            }
            let (stations, problems) = crate::skills::files::shipped();
            if !problems.is_empty() {
                anyhow::bail!("the embedded skill stations have problems: {problems:?}");
            }
            let synced = crate::skills::store::stations::sync_shipped(conn, &stations, now)
                .context("cannot load the shipped skill stations")?;
            if synced.added + synced.updated + synced.retired > 0 {
                tracing::info!(?synced, "skill stations updated");
            }
            Ok(())
        })?;
        // The secrets come from the environment or the secrets file, never the database;
        // a database that still holds an older version's secrets is refused until they are
        // moved out, and a wrong ID key is refused by its fingerprint.
        crate::secrets::refuse_legacy(&mut conn)?;
        let secrets = crate::secrets::resolve(&config, need)?;
        let tokens = TokenKeys::new(secrets.jwt_secret.as_bytes(), config.token_ttl_minutes);
        let id_key = secrets.id_key;
        let pii = crate::pii::Pii::from_hex(&id_key).map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::secrets::check_id_key(&mut conn, &pii, time::now())?;
        let dummy_hash = password::dummy_hash().map_err(|e| anyhow::anyhow!("{e}"))?;
        let versions = match db::Backend::of_url(&url) {
            db::Backend::Postgres => crate::auth::versions::Versions::shared(&url),
            db::Backend::Sqlite => crate::auth::versions::Versions::local(),
        };
        Ok(AppState {
            versions: Arc::new(versions),
            answer_saves: Arc::new(crate::exams::saves::AnswerWriter::new(pool.clone())),
            writes: Arc::new(crate::group_commit::GroupWriter::new(
                pool.clone(),
                db::Backend::of_url(&url),
            )),
            pool,
            config: Arc::new(config),
            tokens: Arc::new(tokens),
            dummy_hash: Arc::new(dummy_hash),
            exams: Arc::default(),
            metrics: Arc::default(),
            pii: Arc::new(pii),
        })
    }

    /// Run blocking store code on a pooled connection, off the async executor.
    pub async fn db<T, E, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(AppError::from)?;
            let result = f(&mut conn).map_err(Into::into);
            if let Err(AppError::Denied(denial)) = &result {
                audit_denial(&mut conn, denial);
            }
            result
        })
        .await?
    }

    /// Audit a refusal made outside [`AppState::db`] and pass the result on.
    pub async fn audited<T>(&self, result: AppResult<T>) -> AppResult<T> {
        if let Err(AppError::Denied(denial)) = &result {
            let denial = denial.clone();
            let outcome = self
                .db(move |conn| {
                    audit_denial(conn, &denial);
                    Ok::<_, AppError>(())
                })
                .await;
            if let Err(e) = outcome {
                tracing::error!(error = %e, "could not write the audit log");
            }
        }
        result
    }

    /// Record an event on its own (for denials and failures, which change nothing
    /// else). A failure to write is logged; it never changes the answer.
    pub async fn audit(&self, actor: Actor, entry: Entry) {
        let action = entry.action;
        let outcome = self
            .db(move |conn| audit::record(conn, &actor, &entry, time::now()))
            .await;
        if let Err(e) = outcome {
            tracing::error!(action, error = %e, "could not write the audit log");
        }
    }
}

/// The `access.denied` entry of a refusal; a failure to write is logged, never shown.
fn audit_denial(conn: &mut AnyConnection, denial: &crate::error::Denial) {
    let entry = Entry::new("access.denied")
        .target(denial.target.clone())
        .detail(serde_json::json!({ "attempt": denial.attempt, "status": 404 }));
    if let Err(e) = audit::record(conn, &denial.actor, &entry, time::now()) {
        tracing::error!(attempt = denial.attempt, error = %e, "could not write the audit log");
    }
}
