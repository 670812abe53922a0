//! Organizations (机构): village clinics (村卫生室), township health centres (镇卫生院 /
//! 社区卫生服务中心), county and city hospitals, training bases (乡村医生培训基地) and
//! technique-promotion centres (适宜技术推广中心), each on the region tree.

pub mod api;
pub mod rules;
pub mod store;

pub use store::get;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    VillageClinic,
    TownshipCenter,
    CountyHospital,
    CityHospital,
    TrainingBase,
    PromotionCenter,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::VillageClinic,
        OrgKind::TownshipCenter,
        OrgKind::CountyHospital,
        OrgKind::CityHospital,
        OrgKind::TrainingBase,
        OrgKind::PromotionCenter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::VillageClinic => "village_clinic",
            OrgKind::TownshipCenter => "township_center",
            OrgKind::CountyHospital => "county_hospital",
            OrgKind::CityHospital => "city_hospital",
            OrgKind::TrainingBase => "training_base",
            OrgKind::PromotionCenter => "promotion_center",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::VillageClinic => "村卫生室",
            OrgKind::TownshipCenter => "乡镇卫生院（社区卫生服务中心）",
            OrgKind::CountyHospital => "县级医院",
            OrgKind::CityHospital => "市级医院",
            OrgKind::TrainingBase => "乡村医生培训基地",
            OrgKind::PromotionCenter => "适宜技术推广中心",
        }
    }
}

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = crate::db::schema::organizations)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub address: Option<String>,
    pub is_demo: bool,
}

/// `POST /api/v1/organizations`, as sent.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct OrgBody {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
}

/// A checked new organization.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub kind: OrgKind,
    pub region_code: String,
    pub address: Option<String>,
}
