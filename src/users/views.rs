//! What the users API answers, typed.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::User;
use crate::auth::Role;
use crate::regions::Region;

/// A user as the API shows it: `{id,username,display_name,role,region_code}` plus extras.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_code: String,
    pub region_name: Option<String>,
    pub disabled: bool,
    /// Where reminders go.
    pub email: Option<String>,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub last_login_at: Option<NaiveDateTime>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

impl User {
    /// The account as the API shows it, with its region's name when known.
    pub fn view(&self, region: Option<&Region>) -> UserView {
        UserView {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            region_code: self.region_code.clone(),
            region_name: region.map(|r| r.name.clone()),
            disabled: self.disabled,
            email: self.email.clone(),
            last_login_at: self.last_login_at,
            created_at: self.created_at,
        }
    }
}
