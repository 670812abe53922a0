//! The two secrets — the token-signing secret and the ID-number key — and where they
//! live: the environment (`CUNYI_JWT_SECRET`, `CUNYI_ID_KEY`) or a secrets file readable
//! by its owner only (`CUNYI_SECRETS_FILE`, or `<database>.secrets` beside a SQLite
//! file). Never in the database: a copy of the data must not carry the keys to it.
//!
//! The database keeps only a fingerprint of the ID key (a keyed hash that cannot decrypt
//! anything), so that a server started with the wrong key refuses instead of writing ID
//! numbers no one can read back.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::Config;
use crate::db::schema::settings;
use crate::db::{self, AnyConnection, Backend};
use crate::per_backend;
use crate::pii::Pii;

/// The environment names, which are also the keys of a secrets file.
pub const JWT_VAR: &str = "CUNYI_JWT_SECRET";
pub const ID_KEY_VAR: &str = "CUNYI_ID_KEY";

/// The `settings` rows where older versions stored the secrets themselves.
const LEGACY_JWT: &str = "jwt_secret";
const LEGACY_ID_KEY: &str = "id_key";
/// The `settings` row with the ID key's fingerprint.
const ID_KEY_CHECK: &str = "id_key_check";

/// The secrets a process runs with.
#[derive(Clone)]
pub struct Secrets {
    pub jwt_secret: String,
    pub id_key: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

/// What a command needs: `serve` signs tokens; the other commands only read and write ID
/// numbers (a token secret they are not given is made up for the run and forgotten).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Serve,
    IdKeyOnly,
}

impl Secrets {
    /// Fresh random secrets.
    pub fn generate() -> Secrets {
        Secrets {
            jwt_secret: crate::auth::token::generate_secret(),
            id_key: Pii::generate_key(),
        }
    }
}

/// The secrets file this configuration points at: `CUNYI_SECRETS_FILE`, else
/// `<file>.secrets` beside a SQLite database. PostgreSQL has no default.
pub fn file_for(config: &Config) -> Option<PathBuf> {
    if let Some(path) = &config.secrets_file {
        return Some(path.clone());
    }
    let url = config.database_url.expose();
    match Backend::of_url(url) {
        Backend::Sqlite => Some(PathBuf::from(format!("{}.secrets", db::sqlite_path(url)))),
        Backend::Postgres => None,
    }
}

/// The values a secrets file holds (either may be missing).
#[derive(Default)]
struct Partial {
    jwt_secret: Option<String>,
    id_key: Option<String>,
}

/// Parse `NAME=value` lines (blank lines and `#` comments allowed).
fn parse(text: &str) -> anyhow::Result<Partial> {
    let mut out = Partial::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            bail!("line {}: expected NAME=value", n + 1);
        };
        let value = value.trim().to_owned();
        match name.trim() {
            JWT_VAR => out.jwt_secret = Some(value),
            ID_KEY_VAR => out.id_key = Some(value),
            other => bail!("line {}: unknown name {other}", n + 1),
        }
    }
    Ok(out)
}

/// Read a secrets file, refusing one that others may read.
fn read_file(path: &Path) -> anyhow::Result<Partial> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{} can be read by others (mode {:o}): run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text).with_context(|| format!("{} is not a secrets file", path.display()))
}

/// Write a secrets file (mode 0600) atomically: a temporary file beside it, then a rename.
pub fn write_file(path: &Path, secrets: &Secrets) -> anyhow::Result<()> {
    let tmp = path.with_extension("secrets-new");
    let body = format!(
        "# cunyi secrets — keep this file out of backups of the database and readable by the\n\
         # service account only. Rotate with `cunyi secrets rotate`.\n\
         {JWT_VAR}={}\n{ID_KEY_VAR}={}\n",
        secrets.jwt_secret, secrets.id_key
    );
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        file.write_all(body.as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The secrets of this configuration: the environment first, then the secrets file.
/// `Err` names what is missing and how to provide it.
pub fn resolve(config: &Config, need: Need) -> anyhow::Result<Secrets> {
    let mut jwt = config.jwt_secret.as_ref().map(|s| s.expose().clone());
    let mut key = config.id_key.as_ref().map(|s| s.expose().clone());
    let file = file_for(config);
    if (jwt.is_none() || key.is_none())
        && let Some(path) = &file
        && (path.exists() || config.secrets_file.is_some())
    {
        let found = read_file(path)?;
        jwt = jwt.or(found.jwt_secret);
        key = key.or(found.id_key);
    }
    if let Some(s) = &jwt
        && s.len() < 32
    {
        bail!("{JWT_VAR} must be at least 32 characters");
    }
    if let Some(k) = &key
        && Pii::from_hex(k).is_err()
    {
        bail!("{ID_KEY_VAR} must be 64 hexadecimal digits");
    }
    let where_to = match &file {
        Some(path) => format!(
            "set it in the environment, or create {} with `cunyi secrets init`",
            path.display()
        ),
        None => "set it in the environment or name a secrets file in CUNYI_SECRETS_FILE \
                 (`cunyi secrets init` writes one)"
            .to_owned(),
    };
    let id_key = key.ok_or_else(|| anyhow::anyhow!("{ID_KEY_VAR} is not set: {where_to}"))?;
    let jwt_secret = match (jwt, need) {
        (Some(s), _) => s,
        (None, Need::IdKeyOnly) => crate::auth::token::generate_secret(),
        (None, Need::Serve) => bail!("{JWT_VAR} is not set: {where_to}"),
    };
    Ok(Secrets { jwt_secret, id_key })
}

/// The secrets older versions kept in `settings`, if any are still there.
pub fn legacy(conn: &mut AnyConnection) -> QueryResult<Option<(Option<String>, Option<String>)>> {
    let read = |conn: &mut AnyConnection, key: &str| {
        settings::table
            .find(key)
            .select(settings::value)
            .first::<String>(conn)
            .optional()
    };
    let jwt = read(conn, LEGACY_JWT)?;
    let key = read(conn, LEGACY_ID_KEY)?;
    Ok((jwt.is_some() || key.is_some()).then_some((jwt, key)))
}

/// Refuse to run while older versions' secrets are still in the database.
pub fn refuse_legacy(conn: &mut AnyConnection) -> anyhow::Result<()> {
    if legacy(conn)?.is_some() {
        bail!(
            "this database still holds its secrets (written by an older version): run \
             `cunyi secrets move-out` once to move them into a secrets file and delete them \
             from the database"
        );
    }
    Ok(())
}

/// Check the ID key against the fingerprint the database keeps (recording it on first
/// use). A wrong key is refused before any ID number is written with it.
pub fn check_id_key(conn: &mut AnyConnection, pii: &Pii, now: NaiveDateTime) -> anyhow::Result<()> {
    let print = pii.fingerprint();
    let stored = settings::table
        .find(ID_KEY_CHECK)
        .select(settings::value)
        .first::<String>(conn)
        .optional()?;
    match stored {
        Some(stored) if stored == print => Ok(()),
        Some(_) => bail!(
            "{ID_KEY_VAR} is not the key this database's ID numbers are encrypted with; \
             use the key of its secrets file (after `cunyi secrets rotate --id-key`, the new one)"
        ),
        None => {
            let has_ids = doctors_with_ids(conn)? > 0;
            if has_ids && !can_decrypt_one(conn, pii)? {
                bail!(
                    "{ID_KEY_VAR} cannot decrypt the ID numbers already in this database: \
                     use the key they were written with"
                );
            }
            // Several instances may start together: the first fingerprint stored wins.
            if store_setting(conn, ID_KEY_CHECK, &print, now)? != print {
                bail!("{ID_KEY_VAR} differs from the key another instance started with");
            }
            Ok(())
        }
    }
}

fn doctors_with_ids(conn: &mut AnyConnection) -> QueryResult<i64> {
    use crate::db::schema::doctors;
    doctors::table.count().get_result(conn)
}

fn can_decrypt_one(conn: &mut AnyConnection, pii: &Pii) -> QueryResult<bool> {
    use crate::db::schema::doctors;
    let one: Option<String> = doctors::table
        .select(doctors::id_number_enc)
        .first(conn)
        .optional()?;
    Ok(one.is_none_or(|enc| pii.decrypt(&enc).is_ok()))
}

/// Record a setting unless another instance did first; the stored value wins.
fn store_setting(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    per_backend!(conn, |c| diesel::insert_into(settings::table)
        .values((
            settings::key.eq(key),
            settings::value.eq(value),
            settings::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
}

/// `cunyi secrets move-out`: write the secrets an older version kept in the database into
/// the secrets file, then delete them from the database. Returns the file written.
pub fn move_out(conn: &mut AnyConnection, config: &Config) -> anyhow::Result<PathBuf> {
    let Some((jwt, key)) = legacy(conn)? else {
        bail!("this database holds no secrets: nothing to move");
    };
    let path = file_for(config)
        .ok_or_else(|| anyhow::anyhow!("name the secrets file to write in CUNYI_SECRETS_FILE"))?;
    if path.exists() {
        bail!(
            "{} exists already: move it aside first, so no key is overwritten",
            path.display()
        );
    }
    let secrets = Secrets {
        jwt_secret: jwt.unwrap_or_else(crate::auth::token::generate_secret),
        id_key: key.ok_or_else(|| {
            anyhow::anyhow!("the database holds a token secret but no ID key; set {ID_KEY_VAR}")
        })?,
    };
    if let Some(env) = &config.id_key
        && env.expose() != &secrets.id_key
    {
        bail!("{ID_KEY_VAR} differs from the key stored in the database: unset it and run again");
    }
    write_file(&path, &secrets)?;
    db::write(conn, |conn| {
        diesel::delete(settings::table.filter(settings::key.eq_any([LEGACY_JWT, LEGACY_ID_KEY])))
            .execute(conn)
    })?;
    Ok(path)
}

/// What `cunyi secrets rotate` changed.
#[derive(Debug, Default)]
pub struct Rotated {
    pub file: Option<PathBuf>,
    pub doctors: usize,
    pub instructors: usize,
    pub new_secrets: Option<Secrets>,
}

/// `cunyi secrets rotate [--jwt] [--id-key]`: new token secret (every session ends), and/or
/// a new ID key with every stored ID number re-encrypted and re-indexed in one
/// transaction together with the key's fingerprint. With a secrets file the file is
/// rewritten; with environment variables the new values are returned to be set there.
pub fn rotate(
    conn: &mut AnyConnection,
    config: &Config,
    jwt: bool,
    id_key: bool,
    now: NaiveDateTime,
) -> anyhow::Result<Rotated> {
    if !jwt && !id_key {
        bail!("say what to rotate: --jwt, --id-key, or both");
    }
    refuse_legacy(conn)?;
    let old = resolve(config, Need::Serve)?;
    let old_pii = Pii::from_hex(&old.id_key).map_err(|e| anyhow::anyhow!("{e}"))?;
    check_id_key(conn, &old_pii, now)?;
    let fresh = Secrets::generate();
    let new = Secrets {
        jwt_secret: if jwt {
            fresh.jwt_secret
        } else {
            old.jwt_secret
        },
        id_key: if id_key { fresh.id_key } else { old.id_key },
    };
    let from_env = config.jwt_secret.is_some() || config.id_key.is_some();
    let file = (!from_env).then(|| file_for(config)).flatten();
    // The new file is written before the data changes and put in place after it commits;
    // a crash in between leaves both files, and the fingerprint tells which key is live.
    let staged = file.as_ref().map(|f| f.with_extension("secrets-rotated"));
    if let Some(staged) = &staged {
        write_file(staged, &new)?;
    }
    let mut out = Rotated::default();
    if id_key {
        let new_pii = Pii::from_hex(&new.id_key).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (d, i) = reencrypt(conn, &old_pii, &new_pii, now)?;
        out.doctors = d;
        out.instructors = i;
    }
    if let (Some(staged), Some(file)) = (&staged, &file) {
        std::fs::rename(staged, file)
            .with_context(|| format!("cannot put {} in place", file.display()))?;
        out.file = Some(file.clone());
    } else {
        out.new_secrets = Some(new);
    }
    Ok(out)
}

/// Re-encrypt and re-index every ID number under a new key, with the new fingerprint, in
/// one write transaction: all or nothing.
fn reencrypt(
    conn: &mut AnyConnection,
    old: &Pii,
    new: &Pii,
    now: NaiveDateTime,
) -> anyhow::Result<(usize, usize)> {
    use crate::db::schema::{doctors, instructors};
    let print = new.fingerprint();
    db::write(conn, |conn| -> anyhow::Result<(usize, usize)> {
        let rows: Vec<(i64, String)> = doctors::table
            .select((doctors::id, doctors::id_number_enc))
            .load(conn)?;
        for (id, enc) in &rows {
            let plain = old
                .decrypt(enc)
                .map_err(|_| anyhow::anyhow!("doctor {id}: the ID number does not decrypt"))?;
            diesel::update(doctors::table.find(id))
                .set((
                    doctors::id_number_enc.eq(new.encrypt(&plain)),
                    doctors::id_number_index.eq(new.blind_index(&plain)),
                ))
                .execute(conn)?;
        }
        let teachers: Vec<(i64, Option<String>)> = instructors::table
            .select((instructors::id, instructors::id_number_enc))
            .load(conn)?;
        let mut n = 0;
        for (id, enc) in teachers {
            let Some(enc) = enc else { continue };
            let plain = old
                .decrypt(&enc)
                .map_err(|_| anyhow::anyhow!("instructor {id}: the ID number does not decrypt"))?;
            diesel::update(instructors::table.find(id))
                .set((
                    instructors::id_number_enc.eq(Some(new.encrypt(&plain))),
                    instructors::id_number_index.eq(Some(new.blind_index(&plain))),
                ))
                .execute(conn)?;
            n += 1;
        }
        // Uploads waiting for confirmation were sealed with the old key.
        diesel::delete(crate::db::schema::upload_stash::table).execute(conn)?;
        diesel::delete(settings::table.find(ID_KEY_CHECK)).execute(conn)?;
        store_setting(conn, ID_KEY_CHECK, &print, now)?;
        Ok((rows.len(), n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secrets_file_reads_back_and_rejects_unknown_names() {
        let p = parse("# c\n\nCUNYI_JWT_SECRET=abc\nCUNYI_ID_KEY = 00ff \n").unwrap();
        assert_eq!(p.jwt_secret.as_deref(), Some("abc"));
        assert_eq!(p.id_key.as_deref(), Some("00ff"));
        assert!(parse("CUNYI_DATABASE_URL=x").is_err());
        assert!(parse("no equals sign").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_written_for_its_owner_only_and_others_readable_ones_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.secrets");
        let s = Secrets::generate();
        write_file(&path, &s).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let back = read_file(&path).unwrap();
        assert_eq!(back.id_key.as_deref(), Some(s.id_key.as_str()));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_file(&path).err().unwrap().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }
}
