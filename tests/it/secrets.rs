//! The secrets live in the environment or a 0600 file beside the data, never in the
//! database: `serve` refuses to start without them, the demo makes its own file, an
//! older database's secrets are moved out, a wrong ID key is refused, and rotation
//! re-encrypts every ID number.

use std::path::Path;
use std::process::{Command, Output};

use cunyi::db::schema::{doctors, settings};
use cunyi::pii::Pii;
use diesel::prelude::*;

fn cunyi(db: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cunyi"));
    cmd.args(args)
        .env("CUNYI_DATABASE_URL", db)
        .env("CUNYI_LOG", "warn")
        .env("CUNYI_BIND", "127.0.0.1:1")
        .env_remove("CUNYI_JWT_SECRET")
        .env_remove("CUNYI_ID_KEY")
        .env_remove("CUNYI_SECRETS_FILE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_secrets(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let get = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_owned()
    };
    (get("CUNYI_JWT_SECRET"), get("CUNYI_ID_KEY"))
}

fn settings_keys(conn: &mut SqliteConnection) -> Vec<String> {
    settings::table
        .select(settings::key)
        .order(settings::key)
        .load(conn)
        .unwrap()
}

#[test]
fn serve_refuses_to_start_without_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prod.db");
    let out = cunyi(&db, &[], &["serve"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("CUNYI_ID_KEY is not set"),
        "{}",
        stderr(&out)
    );
    let only_key = cunyi(&db, &[("CUNYI_ID_KEY", &Pii::generate_key())], &["serve"]);
    assert!(!only_key.status.success());
    assert!(
        stderr(&only_key).contains("CUNYI_JWT_SECRET is not set"),
        "{}",
        stderr(&only_key)
    );
}

#[cfg(unix)]
#[test]
fn the_demo_keeps_its_secrets_in_a_private_file_and_rotation_reencrypts_every_id() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let file = dir.path().join("demo.db.secrets");

    let demo = cunyi(
        &db,
        &[],
        &["demo", "--database", db.to_str().unwrap(), "--no-serve"],
    );
    assert!(demo.status.success(), "{}", stderr(&demo));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    let (jwt, key) = read_secrets(&file);
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    let keys = settings_keys(&mut conn);
    assert!(
        !keys.iter().any(|k| k == "jwt_secret" || k == "id_key"),
        "{keys:?}"
    );
    let dump = std::fs::read(&db).unwrap();
    for secret in [&jwt, &key] {
        assert!(
            !dump.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a secret is in the database file"
        );
    }
    let (id, enc): (i64, String) = doctors::table
        .select((doctors::id, doctors::id_number_enc))
        .first(&mut conn)
        .unwrap();
    let plain = Pii::from_hex(&key).unwrap().decrypt(&enc).unwrap();

    let wrong = cunyi(
        &db,
        &[("CUNYI_ID_KEY", &Pii::generate_key())],
        &["audit", "verify"],
    );
    assert!(!wrong.status.success(), "a wrong ID key is refused");
    assert!(stderr(&wrong).contains("not the key"), "{}", stderr(&wrong));

    let rotate = cunyi(&db, &[], &["secrets", "rotate", "--id-key", "--jwt"]);
    assert!(rotate.status.success(), "{}", stderr(&rotate));
    let (jwt2, key2) = read_secrets(&file);
    assert_ne!(jwt, jwt2);
    assert_ne!(key, key2);
    let enc2: String = doctors::table
        .find(id)
        .select(doctors::id_number_enc)
        .first(&mut conn)
        .unwrap();
    assert_eq!(Pii::from_hex(&key2).unwrap().decrypt(&enc2).unwrap(), plain);
    assert!(Pii::from_hex(&key).unwrap().decrypt(&enc2).is_err());
    let index: String = doctors::table
        .find(id)
        .select(doctors::id_number_index)
        .first(&mut conn)
        .unwrap();
    assert_eq!(index, Pii::from_hex(&key2).unwrap().blind_index(&plain));
    let after = cunyi(&db, &[], &["audit", "verify"]);
    assert!(after.status.success(), "{}", stderr(&after));
    let old_key = cunyi(&db, &[("CUNYI_ID_KEY", &key)], &["audit", "verify"]);
    assert!(!old_key.status.success(), "the retired key is refused");
}

#[test]
fn secrets_an_older_version_kept_in_the_database_are_moved_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let migrate = cunyi(&db, &[], &["migrate"]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let (jwt, key) = ("j".repeat(48), Pii::generate_key());
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    for (k, v) in [("jwt_secret", &jwt), ("id_key", &key)] {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(k),
                settings::value.eq(v),
                settings::created_at.eq(cunyi::time::now()),
            ))
            .execute(&mut conn)
            .unwrap();
    }

    let refused = cunyi(&db, &[], &["audit", "verify"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("secrets move-out"),
        "{}",
        stderr(&refused)
    );
    let moved = cunyi(&db, &[], &["secrets", "move-out"]);
    assert!(moved.status.success(), "{}", stderr(&moved));

    assert_eq!(read_secrets(&dir.path().join("old.db.secrets")), (jwt, key));
    assert!(
        !settings_keys(&mut conn)
            .iter()
            .any(|k| k == "jwt_secret" || k == "id_key")
    );
    let runs = cunyi(&db, &[], &["audit", "verify"]);
    assert!(runs.status.success(), "{}", stderr(&runs));
    let again = cunyi(&db, &[], &["secrets", "init"]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}
