//! Checking what the API and the pages send: a doctor's registration, a status change,
//! list filters.

use chrono::NaiveDate;

use super::{
    DoctorStatus, Education, Gender, IdNumber, PersonName, Phone, Qualification, cohort_year,
    effective_on, loose_date,
};
use crate::error::{AppResult, Problems};
use crate::regions::RegionCode;
use crate::roster::{DoctorBody, Person, Registration, StatusBody, StatusChange};

/// Longest status note, in characters.
pub const MAX_NOTE_CHARS: usize = 200;

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Check a `POST`/`PUT /api/v1/doctors` body, naming every bad field. Birth date and
/// gender may be left out (they come from the ID number — GB 11643); given, they must
/// agree with it. A village code, when given, names the region; else `region_code`.
pub fn check_body(body: &DoctorBody, today: NaiveDate) -> AppResult<Registration> {
    let mut p = Problems::new();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let name = p.field("name", PersonName::parse(&text(&body.name)));
    let id_number = p.field("id_number", IdNumber::parse(&text(&body.id_number), today));
    let phone = p.field("phone", Phone::parse(&text(&body.phone)));
    let gender = match given(&body.gender) {
        None => id_number.as_ref().map(IdNumber::gender).map_err(|e| *e),
        Some(g) => p.field(
            "gender",
            Gender::recognise(g).ok_or_else(|| "性别应为 male 或 female".to_owned()),
        ),
    };
    if let (Ok(g), Ok(id)) = (&gender, &id_number)
        && *g != id.gender()
    {
        p.add("gender", "性别与身份证号不一致");
    }
    let birth_date = match given(&body.birth_date) {
        None => id_number.as_ref().map(IdNumber::birth_date).map_err(|e| *e),
        Some(b) => p.field("birth_date", loose_date(b)),
    };
    if let (Ok(b), Ok(id)) = (&birth_date, &id_number)
        && *b != id.birth_date()
    {
        p.add("birth_date", "出生日期与身份证号不一致");
    }
    let education = p.field(
        "education",
        Education::recognise(&text(&body.education)).ok_or_else(|| {
            "学历应为 junior_high、secondary、college、bachelor 或 master".to_owned()
        }),
    );
    let qualification = p.field(
        "qualification",
        Qualification::recognise(&text(&body.qualification)).ok_or_else(|| {
            "执业资格应为 village_doctor_cert、assistant_physician、physician 或 none".to_owned()
        }),
    );
    let (region_field, region) = match given(&body.village_code) {
        Some(v) => (
            "village_code",
            p.field("village_code", RegionCode::parse(v)),
        ),
        None => (
            "region_code",
            p.field(
                "region_code",
                RegionCode::parse(body.region_code.as_deref().unwrap_or("")),
            ),
        ),
    };
    let program_id = p.field(
        "program_id",
        body.program_id
            .ok_or_else(|| "必填：学员参加的培训项目".to_owned()),
    );
    let cohort = p.field(
        "cohort_year",
        match body.cohort_year {
            Some(y) => cohort_year(&y.to_string()),
            None => Err("必填：培训年度".to_owned()),
        },
    );
    let status = match given(&body.status) {
        None => Ok(DoctorStatus::Active),
        Some(s) => p.field(
            "status",
            DoctorStatus::recognise(s)
                .ok_or_else(|| "状态应为 active、left_post 或 deceased".to_owned()),
        ),
    };
    p.build(|| {
        Ok(Registration {
            person: Person {
                name: name?,
                id_number: id_number?,
                phone: phone?,
                gender: gender?,
                birth_date: birth_date?,
                education: education?,
                qualification: qualification?,
                cohort_year: cohort?,
                status: status?,
            },
            region: region?,
            region_field,
            program_id: program_id?,
            clinic_id: body.clinic_id,
        })
    })
}

/// Check a status change: a known status, a date not after today (default today), a
/// note of at most [`MAX_NOTE_CHARS`] characters.
pub fn check_status(body: &StatusBody, today: NaiveDate) -> AppResult<StatusChange> {
    let mut p = Problems::new();
    let status = p.field(
        "status",
        DoctorStatus::recognise(body.status.as_deref().unwrap_or(""))
            .ok_or_else(|| "状态应为 active、left_post 或 deceased".to_owned()),
    );
    let on = p.field(
        "effective_on",
        effective_on(body.effective_on.as_deref(), today),
    );
    let note = p.field(
        "note",
        match given(&body.note) {
            Some(n) if n.chars().count() > MAX_NOTE_CHARS => {
                Err(format!("备注不能超过 {MAX_NOTE_CHARS} 个字符"))
            }
            n => Ok(n.map(str::to_owned)),
        },
    );
    p.build(|| {
        Ok(StatusChange {
            status: status?,
            on: on?,
            note: note?,
        })
    })
}

/// A list's status filter: a code or label.
pub fn status_filter(raw: &str) -> Result<DoctorStatus, String> {
    DoctorStatus::recognise(raw).ok_or_else(|| "未知状态".to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::id_number::tests::{today, with_check};
    use super::*;

    fn body() -> DoctorBody {
        DoctorBody {
            name: Some("王某华".into()),
            id_number: Some(with_check("37040219800101123")),
            phone: Some("13800138000".into()),
            education: Some("college".into()),
            qualification: Some("village_doctor_cert".into()),
            region_code: Some("370402".into()),
            program_id: Some(1),
            cohort_year: Some(2024),
            ..DoctorBody::default()
        }
    }

    fn fields(e: crate::error::AppError) -> Vec<String> {
        e.field_errors().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_complete_body_is_a_registration_with_what_the_id_says() {
        let r = check_body(&body(), today()).unwrap();
        assert_eq!(r.person.gender, Gender::Male);
        assert_eq!(r.person.status, DoctorStatus::Active);
        assert_eq!(
            (r.region_field, r.region.as_str()),
            ("region_code", "370402")
        );
        let village = DoctorBody {
            village_code: Some("370402001101".into()),
            ..body()
        };
        let r = check_body(&village, today()).unwrap();
        assert_eq!(r.region_field, "village_code");
    }

    #[test]
    fn every_missing_or_bad_field_is_named_at_once() {
        let e = check_body(&DoctorBody::default(), today()).unwrap_err();
        assert_eq!(
            fields(e),
            [
                "name",
                "id_number",
                "phone",
                "education",
                "qualification",
                "region_code",
                "program_id",
                "cohort_year"
            ]
        );
        let wrong = DoctorBody {
            name: Some("王某华\u{202E}".into()),
            gender: Some("female".into()),
            birth_date: Some("1985-05-06".into()),
            ..body()
        };
        assert_eq!(
            fields(check_body(&wrong, today()).unwrap_err()),
            ["name", "gender", "birth_date"]
        );
    }

    #[test]
    fn status_changes_are_dated_and_bounded() {
        let ok = check_status(
            &StatusBody {
                status: Some("离岗".into()),
                effective_on: None,
                note: Some(" 调往县医院 ".into()),
            },
            today(),
        )
        .unwrap();
        assert_eq!(ok.status, DoctorStatus::LeftPost);
        assert_eq!(ok.on, today());
        assert_eq!(ok.note.as_deref(), Some("调往县医院"));
        let bad = check_status(
            &StatusBody {
                status: Some("fired".into()),
                effective_on: Some("2099-01-01".into()),
                note: Some("长".repeat(MAX_NOTE_CHARS + 1)),
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(fields(bad), ["status", "effective_on", "note"]);
    }
}
