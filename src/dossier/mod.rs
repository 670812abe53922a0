//! The 一人一册 dossier (学员档案, Zaozhuang annex 2 §五): everything about one trainee
//! in one record — identity (the ID number masked except for county and city admins),
//! program and cohort, every credited minute with its evidence, the sessions attended,
//! shadowing rotations with their sign-offs, exams sat — as JSON, a spreadsheet, and a
//! page for the doctor itself. Tutoring, visits, skills and assessment sections slot in
//! as those areas land.

pub mod api;
pub mod ops;
pub mod pages;
pub mod rules;
pub mod store;
pub mod views;

pub use views::DossierView;
