//! Identity: roles, passwords (argon2id), tokens (HS256 JWT), the [`CurrentUser`]
//! extractor, login throttling, and the login/logout/me API and pages.
//! Account management (creating, listing, disabling users) is the `users` area.

pub mod api;
mod current_user;
pub mod login;
pub mod pages;
pub mod password;
pub mod rules;
pub mod store;
pub mod token;

use serde::{Deserialize, Serialize};

pub use current_user::{CSRF_HEADER, CurrentUser, PageUser, SESSION_COOKIE, optional_page_user};

/// A role. Each account has exactly one, bound to a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村医 — a village doctor (trainee).
    Doctor,
    /// 师资/带教 — an instructor or tutor.
    Instructor,
    /// 区（市）县卫生健康局 — a county bureau administrator.
    CountyAdmin,
    /// 市卫生健康委 — a city commission administrator.
    CityAdmin,
    /// 系统管理员 — runs the installation.
    Sysadmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Doctor,
        Role::Instructor,
        Role::CountyAdmin,
        Role::CityAdmin,
        Role::Sysadmin,
    ];

    /// County, city and system administrators: they manage what lies in their region.
    pub const ADMINS: &'static [Role] = &[Role::CountyAdmin, Role::CityAdmin, Role::Sysadmin];

    /// Who may read full ID-card numbers: county and city administrators (audited).
    pub const REVEALERS: &'static [Role] = &[Role::CountyAdmin, Role::CityAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Doctor => "doctor",
            Role::Instructor => "instructor",
            Role::CountyAdmin => "county_admin",
            Role::CityAdmin => "city_admin",
            Role::Sysadmin => "sysadmin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The Chinese name shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Doctor => "乡村医生",
            Role::Instructor => "带教老师",
            Role::CountyAdmin => "区县管理员",
            Role::CityAdmin => "市级管理员",
            Role::Sysadmin => "系统管理员",
        }
    }

    /// County, city and system administrators manage accounts in their region.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin)
    }
}
