//! Organizations (机构): village clinics (村卫生室), township health centres (镇卫生院 /
//! 社区卫生服务中心), county and city hospitals, training bases (乡村医生培训基地) and
//! technique-promotion centres (适宜技术推广中心), each on the region tree.

pub mod api;
pub mod ops;
pub mod rules;
pub mod store;
pub mod views;

use diesel::prelude::*;
use serde::Deserialize;

pub use rules::is_practice;
pub use store::{NewOrgRow, get};

crate::text_enum! {
    /// A kind of organization, stored as its code.
    pub enum OrgKind {
        VillageClinic = "village_clinic" / "村卫生室",
        TownshipCenter = "township_center" / "乡镇卫生院（社区卫生服务中心）",
        CountyHospital = "county_hospital" / "县级医院",
        CityHospital = "city_hospital" / "市级医院",
        TrainingBase = "training_base" / "乡村医生培训基地",
        PromotionCenter = "promotion_center" / "适宜技术推广中心",
    }
}

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::organizations)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub region_code: String,
    pub address: Option<String>,
    pub is_demo: bool,
    /// 中心村卫生室: a clinic the dispatched 3331 teams visit (名医基层工作站).
    pub central_village_clinic: bool,
}

/// `POST /api/v1/organizations`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct OrgBody {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    /// A 中心村卫生室 (village clinics only).
    pub central_village_clinic: Option<bool>,
}

/// `GET /api/v1/organizations` filters, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: crate::extract::PageParams,
    /// 机构类别代码
    pub kind: Option<String>,
    /// 机构名称（部分匹配）
    pub q: Option<String>,
}

/// A checked new organization.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub kind: OrgKind,
    pub region_code: String,
    pub address: Option<String>,
    pub central_village_clinic: bool,
}
