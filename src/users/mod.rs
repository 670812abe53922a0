//! Accounts: creating, listing, reading, disabling and resetting users, each within the
//! creator's region subtree and below its own role (API.md "Auth and users").

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::auth::Role;

pub use ops::{PreparedAccount, prepare_account};
pub use store::{escape_like, set_password};
pub use views::UserView;

/// Store an account prepared by [`prepare_account`] (inside the caller's transaction,
/// with the record it belongs to).
pub fn store_account(
    conn: &mut crate::db::AnyConnection,
    prepared: &PreparedAccount,
    actor: &crate::audit::Actor,
    now: NaiveDateTime,
) -> Result<User, crate::error::AppError> {
    store::insert(conn, &prepared.new, &prepared.hash, actor, now)
}

/// An account as stored, without its password hash (which only login reads).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_code: String,
    pub disabled: bool,
    pub token_version: i64,
    pub created_by: Option<i64>,
    pub last_login_at: Option<NaiveDateTime>,
    /// The login before the last one (shown to the user as 上次登录).
    pub previous_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Where reminders go (`None`: this user gets none).
    pub email: Option<String>,
}

impl User {
    pub fn role(&self) -> Role {
        self.role
    }
}

/// `POST /api/v1/users`, as sent. Every field is optional here so that a missing one is
/// reported by name with the others.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct CreateUserBody {
    pub username: Option<String>,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub region_code: Option<String>,
    /// Where reminders go (optional).
    pub email: Option<String>,
}

/// `PUT /api/v1/users/{id}/email`, as sent: an address, or `null`/empty to remove it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct EmailBody {
    pub email: Option<String>,
}

/// `GET /api/v1/users` (and `/users`) filters, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(ignore)]
    #[serde(flatten)]
    pub paging: crate::extract::PageParams,
    /// 用户名或姓名（部分匹配，不分大小写）
    pub q: Option<String>,
    /// 角色：sysadmin、city_admin、county_admin、instructor、doctor
    pub role: Option<String>,
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    pub region: Option<String>,
    /// true：只看已停用账号；false：只看在用账号
    pub disabled: Option<String>,
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
