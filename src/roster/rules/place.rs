//! Where a doctor may be registered, by whom, under which program and clinic; and what
//! an ID number already on the roster means for a new registration.

use super::super::Person;
use crate::access::{Caller, program_visible};
use crate::orgs::Organization;
use crate::program::Program;
use crate::regions::{Level, Region, Scope};

/// The county-level district of a region path: its deepest 6-digit code (townships
/// and villages have 9 and 12 digits) — GB/T 2260 code lengths.
pub fn county_of_path(path: &str) -> Option<String> {
    path.split('/').rfind(|c| c.len() == 6).map(str::to_owned)
}

/// The subtree of the ancestor `code` of a node with this path (empty if not an ancestor).
pub fn ancestor_scope(path: &str, code: &str) -> Scope {
    let marker = format!("/{code}/");
    let prefix = path
        .find(&marker)
        .map(|i| &path[..i + marker.len()])
        .unwrap_or("//");
    Scope::new(code, prefix)
}

/// What the database knows about a registration's region, program and clinic.
#[derive(Debug, Clone)]
pub struct PlaceFacts {
    /// The region the body names, if it exists.
    pub region: Option<Region>,
    /// The program the body names, with its city, if it exists.
    pub program: Option<(Program, Region)>,
    /// The clinic the body names, with its region path, if it exists.
    pub clinic: Option<(Organization, String)>,
}

/// Where a registered doctor sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub region_code: String,
    pub county_code: String,
    pub program_id: i64,
    pub clinic_id: Option<i64>,
}

/// Why a registration cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceRefusal {
    /// A bad field: 422.
    Field(&'static str, String),
    /// The region lies outside the caller's subtree: 403, audited.
    OutOfReach { region_code: String },
}

fn field(name: &'static str, message: impl Into<String>) -> PlaceRefusal {
    PlaceRefusal::Field(name, message.into())
}

/// Place a doctor registered through the API: the region exists, lies in the caller's
/// subtree at county level or below; the program is the city's (visible to the caller,
/// covering the region and the cohort year); a clinic is a village clinic or township
/// centre of the doctor's county (Zaozhuang annex 1: 乡村医生 are registered where they
/// practise, under their city's programme).
pub fn place(
    caller: &Caller,
    person: &Person,
    region_field: &'static str,
    program_id: i64,
    clinic_id: Option<i64>,
    facts: &PlaceFacts,
) -> Result<Placement, PlaceRefusal> {
    let region = facts
        .region
        .as_ref()
        .ok_or_else(|| field(region_field, "未知的行政区划代码"))?;
    if !caller.scope().contains_path(&region.path) {
        return Err(PlaceRefusal::OutOfReach {
            region_code: region.code.clone(),
        });
    }
    if !matches!(
        region.level(),
        Level::County | Level::Township | Level::Village
    ) {
        return Err(field(region_field, "学员应登记到区（市）县、乡镇或村"));
    }
    let county_code =
        county_of_path(&region.path).ok_or_else(|| field(region_field, "找不到所属区县"))?;
    let (program, program_region) = facts
        .program
        .as_ref()
        .ok_or_else(|| field("program_id", "未知的培训项目"))?;
    if !program_visible(program_region, caller)
        || !program_region.scope().contains_path(&region.path)
    {
        return Err(field("program_id", "该培训项目不覆盖学员所在地区"));
    }
    if !program.years().contains(&person.cohort_year) {
        return Err(field(
            "cohort_year",
            format!(
                "培训年度应在 {}—{} 之间",
                program.row.start_year, program.row.end_year
            ),
        ));
    }
    if clinic_id.is_some() {
        let county = ancestor_scope(&region.path, &county_code);
        let fits = facts.clinic.as_ref().is_some_and(|(org, path)| {
            county.contains_path(path) && crate::orgs::is_practice(org.kind)
        });
        if !fits {
            return Err(field(
                "clinic_id",
                "执业机构应为本区县的村卫生室或乡镇卫生院",
            ));
        }
    }
    Ok(Placement {
        region_code: region.code.clone(),
        county_code,
        program_id,
        clinic_id,
    })
}

/// What an ID number already on the roster means for registering (or editing) a doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdClash {
    /// Nobody else has it.
    Free,
    /// Another doctor the caller can see has it: say so (409).
    Visible { doctor_id: i64 },
    /// A doctor outside the caller's subtree has it: refuse without saying where, so
    /// that a county learns nothing of another county's roster (409, audited); the city
    /// sorts out transfers.
    Hidden { doctor_id: i64 },
}

/// The clash of an ID number held by `holder` (its id and region path), when the doctor
/// `editing` (none for a new one) is written by a caller seeing `scope`.
pub fn id_clash(holder: Option<(i64, &str)>, editing: Option<i64>, scope: &Scope) -> IdClash {
    match holder {
        None => IdClash::Free,
        Some((id, _)) if Some(id) == editing => IdClash::Free,
        Some((id, path)) if scope.contains_path(path) => IdClash::Visible { doctor_id: id },
        Some((id, _)) => IdClash::Hidden { doctor_id: id },
    }
}

impl IdClash {
    /// The 409's message, or `None` when free. Never names the other doctor's county.
    pub fn message(self, editing: bool) -> Option<&'static str> {
        match (self, editing) {
            (IdClash::Free, _) => None,
            (IdClash::Visible { .. }, false) => Some("该身份证号已在花名册中"),
            (IdClash::Visible { .. }, true) => Some("该身份证号已属于花名册中的另一名学员"),
            (IdClash::Hidden { .. }, _) => Some("该身份证号不能在本辖区登记，请联系市级管理员核实"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;
    use crate::orgs::OrgKind;
    use crate::regions::Level;
    use crate::roster::rules::id_number::tests::{today, with_check};
    use crate::roster::rules::{
        DoctorStatus, Education, IdNumber, PersonName, Phone, Qualification,
    };

    fn region(code: &str, level: Level, path: &str) -> Region {
        Region {
            code: code.into(),
            name: code.into(),
            level,
            parent_code: None,
            path: path.into(),
            is_gb: true,
            is_demo: false,
        }
    }

    const VILLAGE: &str = "/370000/370400/370402/370402001/370402001101/";

    fn caller(role: Role, code: &str, level: Level, path: &str) -> Caller {
        Caller {
            user_id: 1,
            username: "u".into(),
            role,
            region: region(code, level, path),
            doctor_id: None,
            instructor_id: None,
            client: None,
        }
    }

    fn county_admin() -> Caller {
        caller(
            Role::CountyAdmin,
            "370402",
            Level::County,
            "/370000/370400/370402/",
        )
    }

    fn person(cohort_year: i32) -> Person {
        let id = IdNumber::parse(&with_check("37040219800101123"), today()).unwrap();
        Person {
            name: PersonName::parse("王某华").unwrap(),
            gender: id.gender(),
            birth_date: id.birth_date(),
            id_number: id,
            phone: Phone::parse("13800138000").unwrap(),
            education: Education::College,
            qualification: Qualification::VillageDoctorCert,
            cohort_year,
            status: DoctorStatus::Active,
        }
    }

    fn zaozhuang() -> (Program, Region) {
        let def = crate::program::rules::preset("zaozhuang-2024").unwrap();
        let program = Program {
            row: crate::program::ProgramRow {
                id: 7,
                name: def.name.clone(),
                preset: def.preset.clone(),
                region_code: def.region_code.clone(),
                start_year: def.start_year,
                end_year: def.end_year,
                policy: String::new(),
                version: 1,
                created_at: chrono::NaiveDateTime::default(),
                updated_at: chrono::NaiveDateTime::default(),
            },
            policy: def.policy,
            quotas: def.quotas,
            catalog: def.catalog,
        };
        (program, region("370400", Level::City, "/370000/370400/"))
    }

    fn clinic(kind: OrgKind, path: &str) -> Option<(Organization, String)> {
        Some((
            Organization {
                id: 5,
                name: "东村卫生室".into(),
                kind,
                region_code: "370402001101".into(),
                address: None,
                is_demo: false,
                central_village_clinic: false,
            },
            path.into(),
        ))
    }

    fn facts(region_at: Option<(&str, Level, &str)>) -> PlaceFacts {
        PlaceFacts {
            region: region_at.map(|(c, l, p)| region(c, l, p)),
            program: Some(zaozhuang()),
            clinic: clinic(OrgKind::VillageClinic, VILLAGE),
        }
    }

    #[test]
    fn a_doctor_is_placed_in_a_village_of_the_callers_county() {
        let f = facts(Some(("370402001101", Level::Village, VILLAGE)));
        let placed = place(
            &county_admin(),
            &person(2025),
            "village_code",
            7,
            Some(5),
            &f,
        )
        .unwrap();
        assert_eq!(
            placed,
            Placement {
                region_code: "370402001101".into(),
                county_code: "370402".into(),
                program_id: 7,
                clinic_id: Some(5),
            }
        );
    }

    #[test]
    fn each_refusal_names_its_field_or_is_out_of_reach() {
        let admin = county_admin();
        let field = |r: Result<Placement, PlaceRefusal>| match r {
            Err(PlaceRefusal::Field(f, _)) => f,
            other => panic!("{other:?}"),
        };
        let unknown = facts(None);
        assert_eq!(
            field(place(
                &admin,
                &person(2025),
                "region_code",
                7,
                None,
                &unknown
            )),
            "region_code"
        );
        let elsewhere = facts(Some(("370403", Level::County, "/370000/370400/370403/")));
        assert_eq!(
            place(&admin, &person(2025), "region_code", 7, None, &elsewhere),
            Err(PlaceRefusal::OutOfReach {
                region_code: "370403".into()
            })
        );
        let city = caller(Role::CityAdmin, "370400", Level::City, "/370000/370400/");
        let city_level = facts(Some(("370400", Level::City, "/370000/370400/")));
        assert_eq!(
            field(place(
                &city,
                &person(2025),
                "region_code",
                7,
                None,
                &city_level
            )),
            "region_code"
        );
        let here = facts(Some(("370402", Level::County, "/370000/370400/370402/")));
        assert_eq!(
            field(place(&admin, &person(2030), "region_code", 7, None, &here)),
            "cohort_year"
        );
        let no_program = PlaceFacts {
            program: None,
            ..here.clone()
        };
        assert_eq!(
            field(place(
                &admin,
                &person(2025),
                "region_code",
                9,
                None,
                &no_program
            )),
            "program_id"
        );
        let hospital = PlaceFacts {
            clinic: clinic(OrgKind::CountyHospital, "/370000/370400/370402/"),
            ..here.clone()
        };
        assert_eq!(
            field(place(
                &admin,
                &person(2025),
                "region_code",
                7,
                Some(5),
                &hospital
            )),
            "clinic_id"
        );
        let weifang = PlaceFacts {
            program: Some((
                zaozhuang().0,
                region("370700", Level::City, "/370000/370700/"),
            )),
            ..here
        };
        assert_eq!(
            field(place(
                &admin,
                &person(2025),
                "region_code",
                7,
                None,
                &weifang
            )),
            "program_id"
        );
    }

    #[test]
    fn the_county_of_a_village_is_its_deepest_six_digit_code() {
        assert_eq!(
            county_of_path("/370000/370400/370402/370402001/370402001101/").as_deref(),
            Some("370402")
        );
        assert_eq!(
            county_of_path("/370000/370400/370481/").as_deref(),
            Some("370481")
        );
        let county = ancestor_scope("/370000/370400/370402/370402001/", "370402");
        assert!(county.contains_path("/370000/370400/370402/370402009/"));
        assert!(!county.contains_path("/370000/370400/370403/"));
        assert!(!ancestor_scope("/370000/370400/", "370402").contains_path("/370000/370400/"));
    }

    #[test]
    fn an_id_number_elsewhere_is_refused_without_saying_where() {
        let county = Scope::new("370402", "/370000/370400/370402/");
        let here = "/370000/370400/370402/370402001/";
        let there = "/370000/370400/370403/";
        assert_eq!(id_clash(None, None, &county), IdClash::Free);
        assert_eq!(id_clash(Some((7, here)), Some(7), &county), IdClash::Free);
        assert_eq!(
            id_clash(Some((7, here)), None, &county),
            IdClash::Visible { doctor_id: 7 }
        );
        let hidden = id_clash(Some((8, there)), None, &county);
        assert_eq!(hidden, IdClash::Hidden { doctor_id: 8 });
        let message = hidden.message(false).unwrap();
        assert!(message.contains("市级管理员"));
        assert!(!message.contains("370403") && !message.contains("其他区县"));
        assert_eq!(hidden.message(false), hidden.message(true));
        let city = Scope::new("370400", "/370000/370400/");
        assert_eq!(
            id_clash(Some((8, there)), None, &city),
            IdClash::Visible { doctor_id: 8 }
        );
    }
}
