//! What the support-visit API answers, typed.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Absence, Visit, VisitMode};
use crate::program::rules::DispatchTargets;

#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub id: i64,
    pub team_id: i64,
    pub clinic_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: Option<i32>,
    pub full_day: bool,
    pub modes: Vec<VisitMode>,
    pub doctor_ids: Vec<i64>,
}

impl VisitView {
    pub fn of(v: &Visit, full_day: bool, doctor_ids: Vec<i64>) -> VisitView {
        VisitView {
            id: v.id,
            team_id: v.team_id,
            clinic_id: v.clinic_id,
            starts_on: v.starts_on,
            ends_on: v.ends_on,
            hours: v.hours,
            full_day,
            modes: v.modes(),
            doctor_ids,
        }
    }
}

/// A line of `GET /api/v1/support/compliance`.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceItem {
    pub team_id: i64,
    pub team_name: String,
    pub clinic_id: Option<i64>,
    pub clinic_name: Option<String>,
    pub visits: u32,
    pub full_day_visits: u32,
    pub compliant: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    pub month: String,
    pub items: Vec<ComplianceItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AbsenceView {
    pub id: i64,
    pub instructor_id: i64,
    pub occurred_on: NaiveDate,
    pub justified: bool,
    pub reason: String,
}

impl From<&Absence> for AbsenceView {
    fn from(a: &Absence) -> Self {
        AbsenceView {
            id: a.id,
            instructor_id: a.instructor_id,
            occurred_on: a.occurred_on,
            justified: a.justified,
            reason: a.reason.clone(),
        }
    }
}

/// A dispatched expert's year: absences and the assessment they decide.
#[derive(Debug, Clone, Serialize)]
pub struct StaffYear {
    pub instructor_id: i64,
    pub name: String,
    pub level: Option<&'static str>,
    pub justified_absences: usize,
    pub unjustified_absences: usize,
    /// Two or more unjustified absences: the year's assessment fails.
    pub failed: bool,
}

/// `GET /api/v1/support/dispatched?region=&year=&program_id=`.
#[derive(Debug, Clone, Serialize)]
pub struct Dispatched {
    pub year: i32,
    pub items: Vec<StaffYear>,
    /// Dispatched staff registered, by the level they come from.
    pub counts: LevelCounts,
    /// The program's yearly targets (its preset's), when it states them.
    pub targets: Option<DispatchTargets>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LevelCounts {
    pub county_hospital: i32,
    pub township_centre: i32,
    pub village_clinic: i32,
    pub total: i32,
}
