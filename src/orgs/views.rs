//! What the organizations API answers, typed.

use serde::Serialize;

use super::{OrgKind, Organization};

/// An organization as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgView {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub region_code: String,
    pub address: Option<String>,
    pub is_demo: bool,
    pub central_village_clinic: bool,
}

impl From<&Organization> for OrgView {
    fn from(o: &Organization) -> Self {
        OrgView {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind,
            region_code: o.region_code.clone(),
            address: o.address.clone(),
            is_demo: o.is_demo,
            central_village_clinic: o.central_village_clinic,
        }
    }
}
