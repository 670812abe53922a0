//! `cunyi demo`: Zaozhuang's districts with synthetic townships and villages (flagged
//! `is_demo` and named 演示…), and one account per role. Safe to run again: regions
//! are upserted and the demo accounts get fresh passwords, printed each time.
//! Later areas add their demo data here.

mod assessment;
mod exams;
mod reports;
mod roster;
mod skills;
mod study;
mod tutoring;

use anyhow::Context;
use chrono::NaiveDateTime;
use rand::Rng;

use crate::audit::Actor;
use crate::auth::Role;
use crate::auth::password;
use crate::auth::rules::{NewPassword, Username};
use crate::db::AnyConnection;
use crate::regions::{RegionCode, RegionRow, Scope, import as region_import};
use crate::users::{NewUser, store as user_store};

/// A demo account and the password it was given this time.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub password: String,
    pub role: Role,
    pub region_code: String,
    pub display_name: &'static str,
}

/// Zaozhuang's districts and how many demo townships each gets (roughly by quota).
pub const DISTRICTS: &[(&str, &str, usize)] = &[
    ("370481", "滕州", 8),
    ("370402", "市中", 4),
    ("370403", "薛城", 4),
    ("370404", "峄城", 4),
    ("370405", "台儿庄", 4),
    ("370406", "山亭", 4),
];
pub const VILLAGES_PER_TOWNSHIP: usize = 12;
const TOWNSHIP_NAMES: [&str; 8] = ["东", "西", "南", "北", "中", "新", "安", "和"];
const VILLAGE_NAMES: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// The synthetic townships (`<county>9NN`) and villages (`<township>1NN`): codes in the
/// 9xx township range, which GB/T 2260 leaves unused for these districts.
pub fn demo_regions() -> Vec<(usize, RegionRow)> {
    let mut rows = Vec::new();
    for (county, short, townships) in DISTRICTS {
        for (t, direction) in TOWNSHIP_NAMES.iter().enumerate().take(*townships) {
            let township = format!("{county}9{:02}", t + 1);
            let township_name = format!("演示{short}{direction}镇");
            rows.push(RegionRow {
                code: township.clone(),
                name: township_name.clone(),
                parent_code: None,
                is_gb: false,
            });
            for (v, village) in VILLAGE_NAMES.iter().enumerate().take(VILLAGES_PER_TOWNSHIP) {
                rows.push(RegionRow {
                    code: format!("{township}1{:02}", v + 1),
                    name: format!("{township_name}{village}村（演示）"),
                    parent_code: None,
                    is_gb: false,
                });
            }
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .collect()
}

/// The village the demo doctor lives in.
pub const DEMO_VILLAGE: &str = "370402901101";

fn accounts() -> Vec<(&'static str, Role, &'static str, &'static str)> {
    vec![
        ("demo-sysadmin", Role::Sysadmin, "370000", "演示系统管理员"),
        ("demo-city", Role::CityAdmin, "370400", "演示枣庄市卫健委"),
        (
            "demo-county",
            Role::CountyAdmin,
            "370402",
            "演示市中区卫健局",
        ),
        (
            "demo-instructor",
            Role::Instructor,
            "370402",
            "演示带教老师",
        ),
        ("demo-doctor", Role::Doctor, DEMO_VILLAGE, "演示村医"),
    ]
}

/// A fresh, readable password that satisfies the policy (letters, digits, a dash).
fn fresh_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let mut part = || -> String {
        (0..4)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("{}-{}-{}", part(), part(), rng.random_range(10..100))
}

/// Load (or refresh) the demo data; returns the accounts with this run's passwords.
pub fn load(
    conn: &mut AnyConnection,
    pii: &crate::pii::Pii,
    now: NaiveDateTime,
) -> anyhow::Result<Vec<DemoAccount>> {
    let everything = Scope::new("", "/");
    let report = region_import::run(conn, &demo_regions(), &everything, false, true, now)?;
    if let Some(e) = report.errors.first() {
        anyhow::bail!("demo regions: row {} {}: {}", e.row, e.field, e.message);
    }
    let mut out = Vec::new();
    for (username, role, region, display_name) in accounts() {
        let password = fresh_password();
        let hash = password::hash_blocking(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
        let existing = crate::auth::store::for_login(conn, username)?;
        match existing {
            Some((user, _)) => {
                user_store::set_password(
                    conn,
                    user.id,
                    &hash,
                    &Actor::cli(),
                    "user.password_reset",
                    now,
                )?;
            }
            None => {
                let new = NewUser {
                    username: Username::parse(username).map_err(anyhow::Error::msg)?,
                    password: NewPassword::parse(&password, Some(username))
                        .map_err(anyhow::Error::msg)?,
                    display_name: display_name.to_owned(),
                    role,
                    region_code: RegionCode::parse(region).map_err(anyhow::Error::msg)?,
                };
                user_store::insert(conn, &new, &hash, &Actor::cli(), now)
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .with_context(|| format!("creating {username}"))?;
            }
        }
        out.push(DemoAccount {
            username,
            password,
            role,
            region_code: region.to_owned(),
            display_name,
        });
    }
    roster::load(conn, pii, now)?;
    exams::load(conn, now)?;
    tutoring::load(conn, now)?;
    skills::load(conn, now)?;
    assessment::load(conn, now)?;
    reports::load(conn, now)?;
    Ok(out)
}

/// Print where to go and how to log in.
pub fn print_banner(accounts: &[DemoAccount], bind: &str, database: &str) {
    println!();
    println!("村医培训考核平台 · 演示数据已就绪 (demo data loaded into {database})");
    println!("打开 Open  http://{bind}/login");
    println!();
    println!("  用户名 username   密码 password    角色 role    区划 region");
    for a in accounts {
        println!(
            "  {:<16} {:<16} {:<12} {} {}",
            a.username,
            a.password,
            a.role.as_str(),
            a.region_code,
            a.display_name
        );
    }
    println!();
    println!("（密码每次运行 demo 时重新生成 · passwords are regenerated on every run）");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_passwords_satisfy_the_policy() {
        for _ in 0..50 {
            assert!(NewPassword::parse(&fresh_password(), Some("demo-doctor")).is_ok());
        }
    }

    #[test]
    fn demo_regions_are_well_formed_and_marked() {
        let rows = demo_regions();
        assert_eq!(rows.len(), 28 * (1 + VILLAGES_PER_TOWNSHIP));
        for (_, row) in &rows {
            assert!(RegionCode::parse(&row.code).is_ok(), "{}", row.code);
            assert!(row.name.starts_with("演示"));
        }
        assert!(rows.iter().any(|(_, r)| r.code == DEMO_VILLAGE));
    }
}
