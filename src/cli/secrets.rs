//! `cunyi secrets init|move-out|rotate`: the token secret and the ID key live in the
//! environment or a secrets file (mode 0600), never in the database (`crate::secrets`).

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::config::Config;
use crate::secrets::{self, Secrets};
use crate::{db, time};

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Write a new secrets file (CUNYI_SECRETS_FILE, or `<database>.secrets` beside a SQLite
    /// file) with a fresh token secret and ID key; refuses to overwrite one.
    Init,
    /// Move the secrets an older version kept in the database into the secrets file and
    /// delete them from the database.
    MoveOut,
    /// New token secret (every session ends) and/or a new ID key (every stored ID number is
    /// re-encrypted in one transaction).
    Rotate {
        #[arg(long)]
        jwt: bool,
        #[arg(long)]
        id_key: bool,
    },
}

pub fn run(command: SecretsCommand) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match command {
        SecretsCommand::Init => {
            let path = secrets::file_for(&config).ok_or_else(|| {
                anyhow::anyhow!("name the secrets file to write in CUNYI_SECRETS_FILE")
            })?;
            if path.exists() {
                bail!("{} exists already: nothing written", path.display());
            }
            secrets::write_file(&path, &Secrets::generate())?;
            println!(
                "{}: new token secret and ID key written (mode 600). Keep it out of database \
                 backups; without it the ID numbers cannot be read.",
                path.display()
            );
        }
        SecretsCommand::MoveOut => {
            let mut conn = connect(&config)?;
            let path = secrets::move_out(&mut conn, &config)?;
            println!(
                "{}: the secrets were moved out of the database into this file (mode 600)",
                path.display()
            );
        }
        SecretsCommand::Rotate { jwt, id_key } => {
            let mut conn = connect(&config)?;
            let done = secrets::rotate(&mut conn, &config, jwt, id_key, time::now())?;
            if id_key {
                println!(
                    "ID numbers re-encrypted: {} doctors, {} instructors",
                    done.doctors, done.instructors
                );
            }
            match (&done.file, &done.new_secrets) {
                (Some(path), _) => println!("{}: new secrets written", path.display()),
                (None, Some(new)) => {
                    println!("The secrets come from the environment: set these and restart.");
                    if jwt {
                        println!("{}={}", secrets::JWT_VAR, new.jwt_secret);
                    }
                    if id_key {
                        println!("{}={}", secrets::ID_KEY_VAR, new.id_key);
                    }
                }
                (None, None) => {}
            }
        }
    }
    Ok(())
}

fn connect(config: &Config) -> anyhow::Result<db::AnyConnection> {
    db::connect(config.database_url.expose())
        .with_context(|| format!("cannot open {}", config.database_display()))
}
