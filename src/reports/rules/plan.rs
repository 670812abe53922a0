//! The annual training plan's body (年度培训计划): planned centralized sessions,
//! shadowing places, tutoring groups, headcounts against the quota and the ≥ 1/3
//! centralized rule, and the budget by line in integer fen — Zaozhuang annex 2 §四、§六.

use serde::{Deserialize, Serialize};

use crate::error::Problems;
use crate::program::Share;

/// A planned centralized session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedSession {
    pub title: String,
    /// One of the nine content areas.
    pub topic: String,
    /// 1–12.
    pub month: u32,
    pub capacity: i32,
}

/// The budget by line, integer fen (分).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    /// 讲课费
    pub lecture_fee: i64,
    /// 伙食费
    pub meals: i64,
    /// 场地费
    pub venue: i64,
    /// 印刷费
    pub printing: i64,
    /// 交通费
    pub transport: i64,
}

impl Budget {
    /// The lines with their Chinese names, in the order of the form.
    pub fn lines(&self) -> [(&'static str, &'static str, i64); 5] {
        [
            ("lecture_fee", "讲课费", self.lecture_fee),
            ("meals", "伙食费", self.meals),
            ("venue", "场地费", self.venue),
            ("printing", "印刷费", self.printing),
            ("transport", "交通费", self.transport),
        ]
    }

    pub fn total(&self) -> i64 {
        self.lines().iter().map(|l| l.2).sum()
    }
}

/// A checked plan, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plan {
    pub sessions: Vec<PlannedSession>,
    pub shadowing_places: i32,
    pub tutoring_groups: i32,
    /// Doctors to train this year (against the quota).
    pub planned_trainees: i32,
    /// Of those, in centralized learning this year (≥ 1/3 of the district's doctors).
    pub planned_centralized: i32,
    pub budget: Budget,
}

/// How a plan measures up: what the page and the submission check show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanCheck {
    pub quota_places: i32,
    /// planned_trainees ≤ quota places.
    pub within_quota: bool,
    /// Doctors of the district (the 1/3 rule's base).
    pub doctors: i64,
    /// ⌈doctors × share⌉.
    pub centralized_required: i64,
    pub centralized_share_met: bool,
    pub budget_total_fen: i64,
}

/// Check a plan as sent (JSON), naming each bad field under `plan.`.
pub fn parse(raw: &serde_json::Value) -> Result<Plan, Problems> {
    let mut p = Problems::new();
    let plan: Plan = match serde_json::from_value(raw.clone()) {
        Ok(plan) => plan,
        Err(e) => {
            p.add("plan", format!("年度计划格式不正确：{e}"));
            return Err(p);
        }
    };
    for (i, s) in plan.sessions.iter().enumerate() {
        if s.title.trim().is_empty() || s.title.chars().count() > 100 {
            p.add(
                format!("plan.sessions[{i}].title"),
                "请填写培训主题（100 字以内）",
            );
        }
        if !crate::areas::is_area(&s.topic) {
            p.add(
                format!("plan.sessions[{i}].topic"),
                format!("培训内容应为 {} 之一", crate::areas::codes()),
            );
        }
        if !(1..=12).contains(&s.month) {
            p.add(format!("plan.sessions[{i}].month"), "月份应为 1 至 12");
        }
        if !(1..=10_000).contains(&s.capacity) {
            p.add(
                format!("plan.sessions[{i}].capacity"),
                "人数应为 1 至 10000",
            );
        }
    }
    for (field, value) in [
        ("plan.shadowing_places", plan.shadowing_places),
        ("plan.tutoring_groups", plan.tutoring_groups),
        ("plan.planned_trainees", plan.planned_trainees),
        ("plan.planned_centralized", plan.planned_centralized),
    ] {
        if !(0..=100_000).contains(&value) {
            p.add(field, "应为 0 至 100000 的整数");
        }
    }
    if plan.planned_centralized > plan.planned_trainees {
        p.add(
            "plan.planned_centralized",
            "集中学习人数不能多于计划培训人数",
        );
    }
    for (code, name, fen) in plan.budget.lines() {
        if !(0..=10_000_000_000).contains(&fen) {
            p.add(
                format!("plan.budget.{code}"),
                format!("{name}应为 0 至 1 亿元之间的整数分"),
            );
        }
    }
    if p.is_empty() { Ok(plan) } else { Err(p) }
}

/// The plan against the quota and the ≥ 1/3 centralized rule (Zaozhuang annex 2 §四(二):
/// 每年各区（市）参加集中学习的人数不少于本区（市）乡村医生总数的1/3).
pub fn check(plan: &Plan, quota_places: i32, doctors: i64, share: Share) -> PlanCheck {
    let required = required_share(doctors, share);
    PlanCheck {
        quota_places,
        within_quota: plan.planned_trainees <= quota_places,
        doctors,
        centralized_required: required,
        centralized_share_met: i64::from(plan.planned_centralized) >= required,
        budget_total_fen: plan.budget.total(),
    }
}

/// ⌈n × numerator / denominator⌉: the least headcount meeting a share.
pub fn required_share(n: i64, share: Share) -> i64 {
    let num = i64::from(share.numerator.max(0));
    let den = i64::from(share.denominator.max(1));
    (n * num + den - 1) / den
}

/// Yuan with two decimals, from fen (for pages and sheets).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const THIRD: Share = Share {
        numerator: 1,
        denominator: 3,
    };

    fn good() -> serde_json::Value {
        json!({"sessions": [{"title": "高血压规范管理", "topic": "public_health", "month": 3, "capacity": 50}],
               "shadowing_places": 30, "tutoring_groups": 8, "planned_trainees": 100,
               "planned_centralized": 34,
               "budget": {"lecture_fee": 1_200_000, "meals": 800_000, "venue": 300_000, "printing": 50_000, "transport": 150_050}})
    }

    #[test]
    fn a_good_plan_checks_against_quota_and_the_third() {
        let plan = parse(&good()).unwrap();
        let c = check(&plan, 100, 100, THIRD);
        assert_eq!(c.centralized_required, 34);
        assert!(c.centralized_share_met && c.within_quota);
        assert_eq!(c.budget_total_fen, 2_500_050);
        assert_eq!(yuan(c.budget_total_fen), "25000.50");
        let c = check(&plan, 90, 103, THIRD);
        assert_eq!(c.centralized_required, 35);
        assert!(!c.centralized_share_met && !c.within_quota);
    }

    #[test]
    fn bad_lines_are_named() {
        let mut raw = good();
        raw["sessions"][0]["topic"] = json!("astrology");
        raw["sessions"][0]["month"] = json!(13);
        raw["budget"]["meals"] = json!(-1);
        raw["planned_centralized"] = json!(101);
        let fields: Vec<String> = match parse(&raw) {
            Err(p) => match p.finish() {
                Err(crate::error::AppError::Validation(f)) => {
                    f.into_iter().map(|f| f.field).collect()
                }
                _ => vec![],
            },
            Ok(_) => vec![],
        };
        assert_eq!(
            fields,
            [
                "plan.sessions[0].topic",
                "plan.sessions[0].month",
                "plan.planned_centralized",
                "plan.budget.meals"
            ]
        );
        assert!(parse(&json!({"budget": "lots"})).is_err());
    }

    proptest! {
        /// The required headcount is the least n with n ≥ doctors / 3.
        #[test]
        fn required_share_is_the_ceiling(n in 0i64..100_000) {
            let r = required_share(n, THIRD);
            prop_assert!(3 * r >= n);
            prop_assert!(r == 0 || 3 * (r - 1) < n);
        }
    }
}
