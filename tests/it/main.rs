//! HTTP integration tests: every test talks to a real server on a real database, on
//! SQLite and (with `CUNYI_TEST_POSTGRES_URL`) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod archive;
mod assessment;
mod assessment_pages;
mod audit;
mod auth;
mod bank;
mod bank_cli;
mod bank_import;
mod bank_pages;
mod cli;
mod db;
mod documents;
mod dossier;
mod exam_enemies;
mod exam_pages;
mod exams;
mod hardening;
mod layout;
mod ledger_race;
mod orgs;
mod pages;
mod programs;
mod regions;
mod reports;
mod reports2;
mod roster;
mod roster_import;
mod roster_pages;
mod secrets;
mod sessions;
mod shadowing;
mod skills;
mod study;
mod study_pages;
mod support_visits;
mod tutoring;
mod users;
mod web;
