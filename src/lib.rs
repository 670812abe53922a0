//! cunyi — 村医培训考核平台: training management and exams for China's village-doctor
//! programs. One crate: this library holds every area; `main.rs` is the CLI.
//!
//! Layout (see `../shared/docs/ARCHITECTURE.md`): each area is a folder with the same
//! rooms — `mod.rs` (types), `rules.rs` (pure policy), `store.rs` (queries), `api.rs`
//! (JSON handlers), `pages.rs` (HTML handlers).

pub mod access;
pub mod app;
pub mod archive;
pub mod areas;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod bank;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod dossier;
pub mod error;
pub mod exams;
pub mod extract;
pub mod group_commit;
pub mod instructors;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod orgs;
pub mod page;
pub mod pii;
pub mod points;
pub mod program;
pub mod regions;
pub mod reports;
pub mod roster;
pub mod secrets;
pub mod sessions;
pub mod shadowing;
pub mod sheet;
pub mod skills;
pub mod stash;
pub mod state;
pub mod study;
pub mod support;
pub mod time;
pub mod tutoring;
pub mod users;

pub use config::Config;
pub use state::AppState;
