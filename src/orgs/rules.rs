//! Which level of the region tree each kind of organization sits on.

use super::{NewOrg, OrgBody, OrgKind};
use crate::access::Role;
use crate::error::{AppResult, Problems};
use crate::regions::{Level, RegionCode};

/// The levels an organization of this kind may be registered at: a clinic in a village,
/// a township centre in a township, hospitals at their level, and training bases or
/// promotion centres at any level from township to city.
pub fn allowed_levels(kind: OrgKind) -> &'static [Level] {
    match kind {
        OrgKind::VillageClinic => &[Level::Village],
        OrgKind::TownshipCenter => &[Level::Township],
        OrgKind::CountyHospital => &[Level::County],
        OrgKind::CityHospital => &[Level::City],
        OrgKind::TrainingBase | OrgKind::PromotionCenter => {
            &[Level::City, Level::County, Level::Township]
        }
    }
}

/// A clinic's name from its village's (`…村` → `…村卫生室`).
pub fn clinic_name(village_name: &str) -> String {
    format!("{}卫生室", village_name.trim_end_matches("（演示）"))
}

/// Who sees the organizations of their region: instructors and administrators.
pub const STAFF: &[Role] = &[
    Role::Instructor,
    Role::CountyAdmin,
    Role::CityAdmin,
    Role::Sysadmin,
];

/// Check the shape of a new organization (the region is looked up afterwards): a name
/// of 1–100 characters, a known kind, a well-formed region code, an address of at most
/// 200 characters.
pub fn check(body: &OrgBody) -> AppResult<NewOrg> {
    let mut p = Problems::new();
    let name = body.name.as_deref().unwrap_or("").trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        p.add("name", "机构名称应为 1–100 个字符");
    }
    let kind = p.field(
        "kind",
        OrgKind::parse(body.kind.as_deref().unwrap_or(""))
            .ok_or_else(|| "机构类型应为 village_clinic、township_center、county_hospital、city_hospital、training_base 或 promotion_center".to_owned()),
    );
    let region = p.field(
        "region_code",
        RegionCode::parse(body.region_code.as_deref().unwrap_or("")),
    );
    let address = body
        .address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
        p.add("address", "地址不能超过 200 个字符");
    }
    let central_village_clinic = body.central_village_clinic.unwrap_or(false);
    if central_village_clinic && kind.as_ref().is_ok_and(|k| *k != OrgKind::VillageClinic) {
        p.add("central_village_clinic", "只有村卫生室可以设为中心村卫生室");
    }
    p.build(|| {
        Ok(NewOrg {
            name,
            kind: kind?,
            region_code: region?.as_str().to_owned(),
            address,
            central_village_clinic,
        })
    })
}

/// Is this organization a place a doctor practises (a village clinic or a township
/// centre)?
pub fn is_practice(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::VillageClinic | OrgKind::TownshipCenter)
}

/// The level check as a message.
pub fn check_level(kind: OrgKind, level: Level) -> Result<(), String> {
    let allowed = allowed_levels(kind);
    if allowed.contains(&level) {
        Ok(())
    } else {
        let labels: Vec<&str> = allowed.iter().map(|l| l.label()).collect();
        Err(format!(
            "{}应登记在{}级区划",
            kind.label(),
            labels.join("、")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clinics_live_in_villages_and_bases_anywhere_from_township_up() {
        assert!(check_level(OrgKind::VillageClinic, Level::Village).is_ok());
        assert!(check_level(OrgKind::VillageClinic, Level::County).is_err());
        assert!(check_level(OrgKind::TrainingBase, Level::County).is_ok());
        assert!(check_level(OrgKind::TrainingBase, Level::Village).is_err());
        assert!(is_practice(OrgKind::TownshipCenter) && !is_practice(OrgKind::CountyHospital));
    }

    #[test]
    fn clinic_names_follow_their_village() {
        assert_eq!(clinic_name("东村（演示）"), "东村卫生室");
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = check(&OrgBody::default()).unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "region_code"]);
    }
}
