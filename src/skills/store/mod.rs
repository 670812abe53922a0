//! Queries on stations, exams and sheets.

pub mod exams;
pub mod sheets;
pub mod stations;
