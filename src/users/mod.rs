//! Accounts: creating, listing, reading, disabling and resetting users, each within the
//! creator's region subtree and below its own role (API.md "Auth and users").

pub mod api;
pub mod pages;
pub mod rules;
pub mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::regions::Region;

/// An account as stored, without its password hash (which only login reads).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region_code: String,
    pub disabled: bool,
    pub token_version: i64,
    pub created_by: Option<i64>,
    pub last_login_at: Option<NaiveDateTime>,
    /// The login before the last one (shown to the user as 上次登录).
    pub previous_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl User {
    /// The role; the column's CHECK constraint keeps it valid, and an unreadable value
    /// would get the least privilege.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Doctor)
    }

    pub fn view(&self, region: Option<&Region>) -> UserView {
        UserView {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            region_code: self.region_code.clone(),
            region_name: region.map(|r| r.name.clone()),
            disabled: self.disabled,
            last_login_at: self.last_login_at,
            created_at: self.created_at,
        }
    }
}

/// A user as the API shows it: `{id,username,display_name,role,region_code}` plus extras.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_code: String,
    pub region_name: Option<String>,
    pub disabled: bool,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub last_login_at: Option<NaiveDateTime>,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub created_at: NaiveDateTime,
}

/// `POST /api/v1/users`, as sent. Every field is optional here so that a missing one is
/// reported by name with the others.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CreateUserBody {
    pub username: Option<String>,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub region_code: Option<String>,
}

/// A checked request to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: crate::auth::rules::Username,
    pub password: crate::auth::rules::NewPassword,
    pub display_name: String,
    pub role: Role,
    pub region_code: crate::regions::RegionCode,
}

/// List filters of `GET /api/v1/users`.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub region: Option<crate::regions::Scope>,
    pub disabled: Option<bool>,
}
