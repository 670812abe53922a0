//! What the programs API answers, and how the pages word hours and deadlines.

use serde::Serialize;

use super::rules::{self, Due, DueKind};
use super::{CatalogCourse, Deadlines, Program, Quota, QuotaUse, Requirements};

/// A program as the API shows it: `{id,name,region_code,start_year,end_year,requirements,
/// deadlines,quotas}` plus `preset`, `version` and the concrete `calendar`.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramView {
    pub id: i64,
    pub name: String,
    pub preset: Option<String>,
    pub region_code: String,
    pub start_year: i32,
    pub end_year: i32,
    pub version: i32,
    pub requirements: Requirements,
    pub deadlines: Deadlines,
    pub quotas: Vec<Quota>,
    pub catalog: Vec<CatalogCourse>,
    pub calendar: Vec<Due>,
}

impl Program {
    pub fn view(&self) -> ProgramView {
        ProgramView {
            id: self.row.id,
            name: self.row.name.clone(),
            preset: self.row.preset.clone(),
            region_code: self.row.region_code.clone(),
            start_year: self.row.start_year,
            end_year: self.row.end_year,
            version: self.row.version,
            requirements: self.policy.requirements.clone(),
            deadlines: self.policy.deadlines.clone(),
            quotas: self.quotas.clone(),
            catalog: self.catalog.clone(),
            calendar: rules::calendar(
                &self.policy.deadlines,
                self.row.start_year,
                self.row.end_year,
            ),
        }
    }
}

/// `GET /api/v1/programs` → `{items, total}`.
#[derive(Debug, Serialize)]
pub struct ProgramList {
    pub items: Vec<ProgramView>,
    pub total: usize,
}

/// A preset shipped, as `GET /api/v1/programs/presets` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PresetView {
    pub key: &'static str,
    pub name: String,
    pub region_code: String,
    pub start_year: i32,
    pub end_year: i32,
}

/// `GET /api/v1/programs/presets` → `{items}`.
#[derive(Debug, Serialize)]
pub struct PresetList {
    pub items: Vec<PresetView>,
}

/// `GET /api/v1/programs/{id}/quotas` → `{items}`.
#[derive(Debug, Serialize)]
pub struct QuotaList {
    pub items: Vec<QuotaUse>,
}

/// Minutes as the plans state them: whole 学时 of an hour, else class hours and hours.
pub fn hours_text(minutes: i32, class_hour_minutes: i32) -> String {
    if minutes == 0 {
        return "不作要求".into();
    }
    let hours = f64::from(minutes) / 60.0;
    let class_hours = f64::from(minutes) / f64::from(class_hour_minutes.max(1));
    if class_hour_minutes == 60 {
        format!("{hours:.0} 学时（{minutes} 分钟）")
    } else {
        format!("{class_hours:.1} 学时（{hours:.1} 小时）")
    }
}

/// How a due date reads on a page (`2025 年第 2 季度培训工作总结`).
pub fn due_label(d: &Due) -> String {
    match (d.kind, d.quarter) {
        (DueKind::AnnualPlan, _) => format!("{} 年度培训计划报市卫健委", d.year),
        (DueKind::QuarterlySummary, Some(q)) => format!("{} 年第 {q} 季度培训工作总结", d.year),
        (DueKind::QuarterlySummary, None) => format!("{} 年季度培训工作总结", d.year),
        (DueKind::TrainingDone, _) => format!("{} 年度培训任务完成", d.year),
        (DueKind::AnnualScores, _) => format!("{} 年度综合考核成绩报送", d.year),
        (DueKind::AnnualSummary, _) => format!("{} 年度培训工作总结", d.year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_read_as_the_plans_name_them() {
        let due = Due {
            kind: DueKind::QuarterlySummary,
            year: 2025,
            quarter: Some(2),
            due: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        };
        assert_eq!(due_label(&due), "2025 年第 2 季度培训工作总结");
        assert_eq!(
            serde_json::to_value(&due).unwrap()["kind"],
            "quarterly_summary"
        );
    }

    #[test]
    fn hours_read_as_class_hours() {
        assert_eq!(hours_text(0, 45), "不作要求");
        assert_eq!(hours_text(9480, 60), "158 学时（9480 分钟）");
        assert_eq!(hours_text(90, 45), "2.0 学时（1.5 小时）");
    }

    #[test]
    fn the_preset_program_answers_its_calendar() {
        let def = rules::preset("zaozhuang-2024").unwrap();
        let program = Program {
            row: super::super::ProgramRow {
                id: 3,
                name: def.name.clone(),
                preset: def.preset.clone(),
                region_code: def.region_code.clone(),
                start_year: def.start_year,
                end_year: def.end_year,
                policy: String::new(),
                version: 1,
                created_at: chrono::NaiveDateTime::default(),
                updated_at: chrono::NaiveDateTime::default(),
            },
            policy: def.policy,
            quotas: def.quotas,
            catalog: def.catalog,
        };
        let json = serde_json::to_value(program.view()).unwrap();
        assert_eq!(json["requirements"]["online_minutes"], 158 * 60);
        assert_eq!(json["calendar"].as_array().unwrap().len(), 21);
        assert_eq!(json["quotas"][0].get("program_id"), None);
    }
}
