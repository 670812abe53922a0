//! The binary's commands against a real database file.

use std::process::Command;

use crate::support::{Backend, TestDb, config_for, id_number, spawn_on};

fn cunyi(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cunyi"))
        .args(args)
        .env("CUNYI_DATABASE_URL", &db.url)
        .env("CUNYI_LOG", "warn")
        .env("CUNYI_ID_KEY", crate::support::ID_KEY)
        .env_remove("CUNYI_JWT_SECRET")
        .output()
        .unwrap()
}

/// `cunyi user create` of the sysadmin `root` with `password`.
fn create_root(db: &TestDb, password: &str) -> std::process::Output {
    cunyi(
        db,
        &[
            "user",
            "create",
            "--username",
            "root",
            "--password",
            password,
            "--role",
            "sysadmin",
            "--region",
            "370000",
        ],
    )
}

#[actix_web::test]
async fn the_first_sysadmin_is_made_on_the_command_line() {
    let db = TestDb::new(Backend::Sqlite);
    let migrate = cunyi(&db, &["migrate"]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let bad = create_root(&db, "short");
    let ok = create_root(&db, "root-2026!");
    let again = create_root(&db, "root-2026!");

    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--password"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(!again.status.success(), "a taken username is refused");
    let verify = cunyi(&db, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let app = spawn_on(db, |db| config_for(&db.url)).await;
    assert_eq!(app.login_reply("root", "root-2026!").await.status, 200);
}

#[actix_web::test]
async fn regions_import_from_the_command_line_is_all_or_nothing() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&good, "代码,名称\n370481001,北辛街道\n370481001101,一村\n").unwrap();
    std::fs::write(&bad, "代码,名称\n370481002,荆河街道\n370481999101,孤村\n").unwrap();

    let failed = cunyi(&db, &["regions", "import", bad.to_str().unwrap()]);
    let done = cunyi(&db, &["regions", "import", good.to_str().unwrap()]);

    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("row 3"));
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("2 created"));
}

#[actix_web::test]
async fn doctors_import_from_the_command_line_with_all_or_nothing() {
    let db = TestDb::new(Backend::Sqlite);
    let app = spawn_on(db, |db| config_for(&db.url)).await;
    app.program("zaozhuang-2024");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    let bad = dir.path().join("bad.csv");
    let header = "姓名,身份证号,手机号,学历,执业资格,培训年度\n";
    std::fs::write(&good, format!("{header}王某华,{},13800138000,中专,乡村医生,2024\n李某芳,{},13800138001,大专,执业助理医师,2025\n",
        id_number("37040219800101123"), id_number("37040219850202124"))).unwrap();
    std::fs::write(
        &bad,
        format!(
            "{header}赵某军,{},138,中专,乡村医生,2024\n",
            id_number("37040219900101126")
        ),
    )
    .unwrap();

    let first = cunyi(
        &app.db,
        &[
            "import",
            "doctors",
            good.to_str().unwrap(),
            "--county",
            "370402",
        ],
    );
    let again = cunyi(
        &app.db,
        &[
            "import",
            "doctors",
            good.to_str().unwrap(),
            "--county",
            "370402",
        ],
    );
    let failed = cunyi(
        &app.db,
        &[
            "import",
            "doctors",
            bad.to_str().unwrap(),
            "--county",
            "370402",
        ],
    );
    let not_county = cunyi(
        &app.db,
        &[
            "import",
            "doctors",
            good.to_str().unwrap(),
            "--county",
            "370400",
        ],
    );

    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("新增 2"));
    assert!(String::from_utf8_lossy(&again.stdout).contains("无变化 2"));
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("第 2 行"));
    assert!(!not_county.status.success());
    assert_eq!(app.doctor_count(), 2);
}

#[actix_web::test]
async fn a_platform_export_imports_from_the_command_line_once() {
    let db = TestDb::new(Backend::Sqlite);
    let app = spawn_on(db, |db| config_for(&db.url)).await;
    app.program("zaozhuang-2024");
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    let id = id_number("37040219800101123");
    std::fs::write(
        &roster,
        format!("姓名,身份证号,手机号,学历,执业资格,培训年度\n王某华,{id},13800138000,中专,乡村医生,2024\n"),
    )
    .unwrap();
    let roster = roster.to_str().unwrap();
    assert!(
        cunyi(
            &app.db,
            &["import", "doctors", roster, "--county", "370402"]
        )
        .status
        .success()
    );
    let good = dir.path().join("ncme.csv");
    let bad = dir.path().join("bad.csv");
    let header = "身份证号,平台账号,课程名称,学时,完成日期,单元成绩\n";
    std::fs::write(
        &good,
        format!("{header}{id},,ZZ-PH,10,2026-09-01,90\n{id},,ZZ-GP,8,2026-09-02,85\n"),
    )
    .unwrap();
    std::fs::write(
        &bad,
        format!("{header}{id},,不存在的课程,1,2026-09-03,90\n"),
    )
    .unwrap();
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());

    let dry = cunyi(
        &app.db,
        &["import", "study", good, "--county", "370402", "--dry-run"],
    );
    let first = cunyi(&app.db, &["import", "study", good, "--county", "370402"]);
    let again = cunyi(&app.db, &["import", "study", good, "--county", "370402"]);
    let failed = cunyi(&app.db, &["import", "study", bad, "--county", "370402"]);

    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(String::from_utf8_lossy(&dry.stdout).contains("未写入"));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("新增 2"));
    assert!(String::from_utf8_lossy(&again.stdout).contains("此前已导入 2"));
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("第 2 行"));
    let records: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        cunyi::db::schema::study_records::table
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(records, 2, "the dry run and the bad file wrote nothing");
}

/// On PostgreSQL a command's audit entries wait in `audit_pending`; the command chains
/// them before it exits, so the log shows them with no server running.
#[actix_web::test]
async fn a_command_chains_its_audit_entries_before_it_exits() {
    use diesel::prelude::*;
    if !Backend::Postgres.available() {
        return;
    }
    let db = TestDb::new(Backend::Postgres);
    assert!(cunyi(&db, &["migrate"]).status.success());
    let made = create_root(&db, "root-2026!");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let mut conn = cunyi::db::connect(&db.url).unwrap();
    let pending: i64 = {
        use cunyi::db::schema::audit_pending::dsl::*;
        audit_pending.count().get_result(&mut conn).unwrap()
    };
    let chained: Vec<String> = {
        use cunyi::db::schema::audit_log::dsl::*;
        audit_log.select(action).load(&mut conn).unwrap()
    };
    assert_eq!(pending, 0);
    assert!(
        chained.iter().any(|a| a.starts_with("user.")),
        "{chained:?}"
    );
}
