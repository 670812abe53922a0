//! Checking an instructor.

use chrono::NaiveDate;

use super::{InstructorBody, NewInstructor};
use crate::error::{AppResult, Problems};
use crate::regions::{Level, RegionCode};
use crate::roster::{IdNumber, PersonName, Phone};

fn optional_text(p: &mut Problems, field: &str, v: &Option<String>, max: usize) -> Option<String> {
    let t = v.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > max || t.chars().any(char::is_control) {
        p.add(field, format!("不能超过 {max} 个字符"));
        return None;
    }
    Some(t.to_owned())
}

/// Check every field at once: a person's name ([`PersonName`]), an optional mobile
/// number and ID number, bounded title and specialty, a region code; a username only
/// with a password.
pub fn check(body: &InstructorBody, today: NaiveDate) -> AppResult<NewInstructor> {
    let mut p = Problems::new();
    let name = p.field(
        "name",
        PersonName::parse(body.name.as_deref().unwrap_or("")),
    );
    let phone = match body.phone.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(ph) => p.field("phone", Phone::parse(ph).map(Some)),
    };
    let id_number = match body.id_number.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(id) => p.field("id_number", IdNumber::parse(id, today).map(Some)),
    };
    let title = optional_text(&mut p, "title", &body.title, 30);
    let specialty = optional_text(&mut p, "specialty", &body.specialty, 50);
    let region = p.field(
        "region_code",
        RegionCode::parse(body.region_code.as_deref().unwrap_or("")),
    );
    if body.username.is_some() != body.password.is_some() {
        p.add("password", "建立登录账号需同时填写用户名和密码");
    }
    p.build(|| {
        Ok(NewInstructor {
            name: name?.into_string(),
            phone: phone?,
            id_number: id_number?,
            organization_id: body.organization_id,
            title,
            specialty,
            region_code: region?,
        })
    })
}

/// Instructors belong to a city, county or township (their affiliation's level).
pub fn check_level(level: Level) -> Result<(), String> {
    match level {
        Level::City | Level::County | Level::Township => Ok(()),
        _ => Err("师资应登记在市、区县或乡镇级区划".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_needs_a_password_and_fields_are_bounded() {
        let body = InstructorBody {
            name: Some("李老师".into()),
            region_code: Some("370402".into()),
            username: Some("li.teacher".into()),
            title: Some("主".repeat(31)),
            ..InstructorBody::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let e = check(&body, today).unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["title", "password"]);
    }

    #[test]
    fn names_are_person_names() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let body = |name: &str| InstructorBody {
            name: Some(name.into()),
            region_code: Some("370402".into()),
            ..InstructorBody::default()
        };
        assert_eq!(check(&body("李老师"), today).unwrap().name, "李老师");
        for bad in ["李老师2", "李\u{200D}老师", "李老师👍", "Ａ老师"] {
            let e = check(&body(bad), today).unwrap_err();
            let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["name"], "{bad:?}");
        }
        assert!(check_level(Level::Township).is_ok() && check_level(Level::Village).is_err());
    }
}
