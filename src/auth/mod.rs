//! Identity: roles, passwords (argon2id), tokens (HS256 JWT), the [`CurrentUser`]
//! extractor, login throttling, and the login/logout/me API and pages.
//! Account management (creating, listing, disabling users) is the `users` area.

pub mod api;
mod current_user;
pub mod ops;
pub mod pages;
pub mod password;
pub mod rules;
pub mod store;
pub mod token;
pub mod versions;
pub mod views;

pub use current_user::{CSRF_HEADER, CurrentUser, PageUser, SESSION_COOKIE, optional_page_user};
/// The attempt counters, for other guessable secrets (the check-in code).
pub use rules::{ThrottlePolicy, retry_after_secs};
pub use store::{admit_attempt, refund_attempt};

crate::text_enum! {
    /// A role. Each account has exactly one, bound to a region; stored as its code.
    pub enum Role {
        /// 村医 — a village doctor (trainee).
        Doctor = "doctor" / "乡村医生",
        /// 师资/带教 — an instructor or tutor.
        Instructor = "instructor" / "带教老师",
        /// 区（市）县卫生健康局 — a county bureau administrator.
        CountyAdmin = "county_admin" / "区县管理员",
        /// 市卫生健康委 — a city commission administrator.
        CityAdmin = "city_admin" / "市级管理员",
        /// 系统管理员 — runs the installation.
        Sysadmin = "sysadmin" / "系统管理员",
    }
}

impl Role {
    /// County, city and system administrators: they manage what lies in their region.
    pub const ADMINS: &'static [Role] = &[Role::CountyAdmin, Role::CityAdmin, Role::Sysadmin];

    /// Who may read full ID-card numbers: county and city administrators (audited).
    pub const REVEALERS: &'static [Role] = &[Role::CountyAdmin, Role::CityAdmin];

    /// County, city and system administrators manage accounts in their region.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin)
    }
}
