//! Who may create and manage whom (foundation issue §5): a sysadmin anyone; a city
//! admin county admins, instructors and doctors in its city; a county admin instructors
//! and doctors in its county; nobody a role above its own; doctors and instructors no one.

use crate::auth::Role;
use crate::auth::rules::{NewPassword, Username};
use crate::error::{AppResult, Problems};
use crate::regions::{Level, RegionCode};
use crate::roster::PersonName;

use super::{CreateUserBody, NewUser};

/// May an account of role `actor` create one of role `target`?
pub fn may_create(actor: Role, target: Role) -> bool {
    match actor {
        Role::Sysadmin => true,
        Role::CityAdmin => matches!(target, Role::CountyAdmin | Role::Instructor | Role::Doctor),
        Role::CountyAdmin => matches!(target, Role::Instructor | Role::Doctor),
        Role::Instructor | Role::Doctor => false,
    }
}

/// May `actor` disable, enable or reset the password of an account of role `target`
/// (its region in the actor's subtree being checked by the store)? The same as who may
/// create it, so an admin never locks out a peer or a superior.
pub fn may_manage(actor: Role, target: Role) -> bool {
    may_create(actor, target)
}

/// The levels of the tree an account of each role may be bound to.
pub fn allowed_levels(role: Role) -> &'static [Level] {
    match role {
        Role::Sysadmin => &[Level::Province, Level::City],
        Role::CityAdmin => &[Level::City],
        Role::CountyAdmin => &[Level::County],
        Role::Instructor => &[Level::City, Level::County, Level::Township],
        Role::Doctor => &[Level::County, Level::Township, Level::Village],
    }
}

/// An account of `role` must be bound to a region of one of its allowed levels.
pub fn check_region_level(role: Role, level: Level) -> Result<(), String> {
    let allowed = allowed_levels(role);
    if allowed.contains(&level) {
        return Ok(());
    }
    let labels: Vec<&str> = allowed.iter().map(|l| l.label()).collect();
    Err(format!(
        "{}账号应绑定到{}级区划",
        role.label(),
        labels.join("、")
    ))
}

/// Check the shape of every field at once; region existence and scope are checked
/// against the database afterwards. The display name is a person's name
/// ([`PersonName`]): no digits, invisible characters or emoji.
pub fn check_new_user(body: &CreateUserBody) -> AppResult<NewUser> {
    let mut p = Problems::new();
    let required = |v: &Option<String>| v.clone().unwrap_or_default();
    let username = p.field("username", Username::parse(&required(&body.username)));
    let password = p.field(
        "password",
        NewPassword::parse(
            &required(&body.password),
            username.as_ref().ok().map(Username::as_str),
        ),
    );
    let display = p.field(
        "display_name",
        PersonName::parse(&required(&body.display_name)),
    );
    let role = p.field(
        "role",
        Role::parse(&required(&body.role)).ok_or_else(|| {
            "角色应为 doctor、instructor、county_admin、city_admin 或 sysadmin".to_owned()
        }),
    );
    let region = p.field(
        "region_code",
        RegionCode::parse(&required(&body.region_code)),
    );
    p.build(|| {
        Ok(NewUser {
            username: username?,
            password: password?,
            display_name: display?.into_string(),
            role: role?,
            region_code: region?,
        })
    })
}

/// The `disabled` filter of a list: `true` or `false`.
pub fn disabled_filter(raw: &str) -> Result<bool, String> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("应为 true 或 false".into()),
    }
}

/// An email address reminders can be sent to (issue 12 item 5): empty means none; at
/// most 254 characters, a mailbox that SMTP accepts (RFC 5321), a domain with a dot.
pub fn check_email(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let bad = || "电子邮箱格式不正确（例如 name@example.com）".to_owned();
    if raw.chars().count() > 254 {
        return Err("电子邮箱不能超过 254 个字符".into());
    }
    let address: lettre::Address = raw.parse().map_err(|_| bad())?;
    let domain = address.domain();
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(bad());
    }
    Ok(Some(format!(
        "{}@{}",
        address.user(),
        domain.to_ascii_lowercase()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_creation_matrix_of_the_issue() {
        use Role::*;
        assert!(Role::ALL.iter().all(|&t| may_create(Sysadmin, t)));
        assert!(may_create(CityAdmin, CountyAdmin));
        assert!(!may_create(CityAdmin, CityAdmin));
        assert!(!may_create(CountyAdmin, CityAdmin));
        assert!(!may_create(CountyAdmin, CountyAdmin));
        assert!(may_create(CountyAdmin, Doctor) && may_create(CountyAdmin, Instructor));
        assert!(
            Role::ALL
                .iter()
                .all(|&t| !may_create(Doctor, t) && !may_create(Instructor, t))
        );
    }

    #[test]
    fn accounts_bind_to_regions_of_their_level() {
        assert!(check_region_level(Role::CountyAdmin, Level::County).is_ok());
        assert!(check_region_level(Role::CountyAdmin, Level::City).is_err());
        assert!(check_region_level(Role::Doctor, Level::Village).is_ok());
        assert!(check_region_level(Role::Doctor, Level::Province).is_err());
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let e = check_new_user(&CreateUserBody::default()).unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "username",
                "password",
                "display_name",
                "role",
                "region_code"
            ]
        );
    }

    #[test]
    fn display_names_are_person_names() {
        let body = |name: &str| CreateUserBody {
            username: Some("doc.wang".into()),
            password: Some("wang-2026!".into()),
            display_name: Some(name.into()),
            role: Some("doctor".into()),
            region_code: Some("370402".into()),
            email: None,
        };
        assert_eq!(
            check_new_user(&body("王医生")).unwrap().display_name,
            "王医生"
        );
        for bad in ["王医生1", "王\u{202E}医生", "王医生😀", "王\u{200B}医生"] {
            let e = check_new_user(&body(bad)).unwrap_err();
            let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["display_name"], "{bad:?}");
        }
        assert_eq!(disabled_filter("true"), Ok(true));
        assert!(disabled_filter("yes").is_err());
    }

    proptest! {
        /// Nobody creates a role above its own.
        #[test]
        fn nobody_creates_a_role_above_its_own(a in 0usize..5, t in 0usize..5) {
            let (actor, target) = (Role::ALL[a], Role::ALL[t]);
            if may_create(actor, target) {
                prop_assert!(target <= actor);
            }
        }
    }

    #[test]
    fn email_addresses_are_checked() {
        assert_eq!(check_email(None), Ok(None));
        assert_eq!(check_email(Some("  ")), Ok(None));
        assert_eq!(
            check_email(Some(" Wang.Li@County.Example.CN ")),
            Ok(Some("Wang.Li@county.example.cn".into()))
        );
        for bad in [
            "wang",
            "wang@",
            "@example.com",
            "wang@localhost",
            "a b@example.com",
            "wang@example.com.",
        ] {
            assert!(check_email(Some(bad)).is_err(), "{bad}");
        }
        assert!(check_email(Some(&format!("{}@example.com", "a".repeat(250)))).is_err());
    }

    proptest::proptest! {
        /// A checked address is sendable: lettre parses what `check_email` returns.
        #[test]
        fn checked_addresses_parse(user in "[a-z0-9._-]{1,20}", host in "[a-z0-9]{1,10}", tld in "[a-z]{2,5}") {
            if let Ok(Some(ok)) = check_email(Some(&format!("{user}@{host}.{tld}"))) {
                proptest::prop_assert!(ok.parse::<lettre::Address>().is_ok());
            }
        }
    }
}
