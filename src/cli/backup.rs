//! `cunyi backup FILE` and `cunyi restore FILE [--force]`.
//!
//! SQLite: the backup is an online, consistent copy (`VACUUM INTO`, one read transaction:
//! the server keeps serving and writing; the copy is the database as of one instant),
//! written beside FILE and renamed into place once it passed `integrity_check`, mode 600.
//! A restore checks the file first — sound (`integrity_check`), a cunyi database (its
//! migrations table, no migration this binary does not know), encrypted with the
//! configured ID key (the `id_key_check` fingerprint, see `crate::secrets`) — refuses
//! while another process has the configured database open unless `--force`, keeps the
//! database it replaces as `<db>.before-restore-<time>`, and swaps the file in with one
//! rename.
//!
//! PostgreSQL: `pg_dump` / `pg_restore` do this better than we could; both commands
//! print how, and fail (so a scheduled job cannot mistake the advice for a backup).
//!
//! The secrets (token secret, ID key) are never in the database, so never in a backup:
//! keep the secrets file apart; without the ID key the ID numbers cannot be read.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::Config;
use crate::db::{self, AnyConnection, Backend, backup};
use crate::pii::Pii;
use crate::secrets::{self, Need};

/// `cunyi backup FILE`.
pub fn backup(file: &Path) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let url = config.database_url.expose();
    if Backend::of_url(url) == Backend::Postgres {
        bail!("{}", postgres_advice(&config, file));
    }
    let source = PathBuf::from(db::sqlite_path(url));
    if !source.exists() {
        bail!("{} does not exist: nothing to back up", source.display());
    }
    if file.exists() {
        bail!("{} exists already: choose a new name", file.display());
    }
    let partial = sibling(file, ".partial");
    remove_if_there(&partial)?;
    let mut conn = open(&source)?;
    diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA busy_timeout = 10000")?;
    let started = crate::time::now();
    backup::vacuum_into(&mut conn, &partial).with_context(|| {
        format!(
            "cannot copy {} into {}",
            source.display(),
            partial.display()
        )
    })?;
    drop(conn);
    let summary = match inspect(&partial) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("the copy failed its checks; nothing written"));
        }
    };
    private(&partial)?;
    File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, file)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), file.display()))?;
    sync_dir(file);
    println!(
        "{}: backup of {} as of {} — {} tables, {} rows, {} migrations, integrity ok",
        file.display(),
        source.display(),
        started.format("%Y-%m-%d %H:%M:%S"),
        summary.tables,
        summary.rows,
        summary.migrations.len()
    );
    if let Some(secrets) = secrets::file_for(&config).filter(|p| p.exists()) {
        println!(
            "The secrets are not in the backup: keep a copy of {} apart from it \
             (without the ID key the ID numbers cannot be read).",
            secrets.display()
        );
    }
    Ok(())
}

/// `cunyi restore FILE [--force]`.
pub fn restore(file: &Path, force: bool) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let url = config.database_url.expose();
    if Backend::of_url(url) == Backend::Postgres {
        bail!("{}", postgres_advice(&config, file));
    }
    let target = PathBuf::from(db::sqlite_path(url));
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let wal = sibling(file, "-wal");
    if wal.metadata().is_ok_and(|m| m.len() > 0) {
        bail!(
            "{} has a write-ahead log beside it ({}): it is a live database, not a backup; \
             make one with `cunyi backup`",
            file.display(),
            wal.display()
        );
    }
    if target.exists() && backup::open_elsewhere(&target)? {
        if !force {
            bail!(
                "{} is open in another process (a running `cunyi serve`?): stop it first, \
                 or pass --force if you are sure nothing writes to it",
                target.display()
            );
        }
        eprintln!(
            "warning: {} is open in another process; restoring anyway (--force). \
             Restart any server using it.",
            target.display()
        );
    }
    let incoming = sibling(&target, ".restoring");
    remove_if_there(&incoming)?;
    std::fs::copy(file, &incoming)
        .with_context(|| format!("cannot copy {} to {}", file.display(), incoming.display()))?;
    let checked = inspect(&incoming).and_then(|summary| {
        check_key(&config, &incoming)?;
        Ok(summary)
    });
    let summary = match checked {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&incoming);
            return Err(e.context(format!(
                "{} cannot be restored; {} is unchanged",
                file.display(),
                target.display()
            )));
        }
    };
    private(&incoming)?;
    File::open(&incoming)?.sync_all()?;
    let kept = if target.exists() {
        Some(keep_old(&target)?)
    } else {
        None
    };
    std::fs::rename(&incoming, &target).with_context(|| {
        format!(
            "cannot rename {} to {}",
            incoming.display(),
            target.display()
        )
    })?;
    // The old database's log and index must not be applied to the new file.
    remove_if_there(&sibling(&target, "-wal"))?;
    remove_if_there(&sibling(&target, "-shm"))?;
    sync_dir(&target);
    println!(
        "{}: restored from {} — {} tables, {} rows, {} migrations, integrity ok",
        target.display(),
        file.display(),
        summary.tables,
        summary.rows,
        summary.migrations.len()
    );
    if let Some(kept) = kept {
        println!("The database it replaced is kept as {}", kept.display());
    }
    Ok(())
}

struct Summary {
    tables: usize,
    rows: i64,
    migrations: Vec<String>,
}

/// A file fit to be a cunyi database: sound, with migrations this binary knows.
fn inspect(path: &Path) -> anyhow::Result<Summary> {
    let mut conn = open(path)?;
    let integrity = backup::integrity_check(&mut conn)
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    if integrity != ["ok"] {
        bail!(
            "{} fails integrity_check: {}",
            path.display(),
            integrity.join("; ")
        );
    }
    let Some(migrations) = backup::applied_migrations(&mut conn)?.filter(|m| !m.is_empty()) else {
        bail!(
            "{} is not a cunyi database (no migrations table)",
            path.display()
        );
    };
    let known = db::known_migrations(Backend::Sqlite).map_err(|e| anyhow::anyhow!("{e}"))?;
    let unknown: Vec<&String> = migrations.iter().filter(|m| !known.contains(m)).collect();
    if !unknown.is_empty() {
        bail!(
            "{} was written by a newer cunyi (migrations {}): restore it with that version",
            path.display(),
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let counts = backup::row_counts(&mut conn)?;
    Ok(Summary {
        tables: counts.len(),
        rows: counts.iter().map(|(_, n)| n).sum(),
        migrations,
    })
}

/// The configured ID key is the one the file's ID numbers are encrypted with (its
/// fingerprint, or for a file without one, a number it decrypts: then recorded).
fn check_key(config: &Config, path: &Path) -> anyhow::Result<()> {
    let secrets = secrets::resolve(config, Need::IdKeyOnly)?;
    let pii = Pii::from_hex(&secrets.id_key).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = open(path)?;
    secrets::check_id_key(&mut conn, &pii, crate::time::now())
        .with_context(|| format!("{} belongs to another ID key", path.display()))
}

/// Keep the database about to be replaced (its log folded in first) under a new name.
fn keep_old(target: &Path) -> anyhow::Result<PathBuf> {
    {
        let mut conn = open(target)?;
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "PRAGMA busy_timeout = 10000; PRAGMA wal_checkpoint(TRUNCATE);",
        )?;
    }
    let stamp = crate::time::now().format("%Y%m%d-%H%M%S");
    let kept = sibling(target, &format!(".before-restore-{stamp}"));
    if std::fs::hard_link(target, &kept).is_err() {
        std::fs::copy(target, &kept)
            .with_context(|| format!("cannot keep {} as {}", target.display(), kept.display()))?;
    }
    Ok(kept)
}

fn open(path: &Path) -> anyhow::Result<AnyConnection> {
    db::connect(&path.to_string_lossy()).with_context(|| format!("cannot open {}", path.display()))
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// A backup holds password hashes and encrypted ID numbers: owner only.
fn private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    let _ = path;
    Ok(())
}

/// Make a rename durable (best effort: not every platform can open a directory).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// What to run instead on PostgreSQL (the URL's password hidden).
fn postgres_advice(config: &Config, file: &Path) -> String {
    let url = config.database_display();
    format!(
        "cunyi does not back up or restore PostgreSQL itself: use PostgreSQL's tools, which \
         take a consistent snapshot while the servers keep running.\n\
         \x20 back up:  pg_dump --format=custom --no-owner --file={file} '{url}'\n\
         \x20 restore:  createdb NEW && pg_restore --no-owner --exit-on-error --dbname=NEW {file}\n\
         \x20           then point CUNYI_DATABASE_URL at NEW and start cunyi (it applies any \
         newer migrations)\n\
         Keep the secrets (CUNYI_JWT_SECRET, CUNYI_ID_KEY or CUNYI_SECRETS_FILE) apart from \
         the dump: they are not in the database.",
        file = file.display()
    )
}
