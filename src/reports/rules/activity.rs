//! The figures a summary takes from the other areas: tutoring groups' monthly
//! evaluations (done / missing), the 3331 visits and their monthly compliance, skills
//! exams sat and passed, the annual comprehensive assessment (平时/年度 scores, passes)
//! and make-ups. Each figure is the count of its rows ([`rows`]); the decisions come
//! from the owning areas' rules (`support::rules::compliance`, `tutoring::Month`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::stats::FigureRow;
use crate::points::Points;
use crate::skills::SkillExamKind;
use crate::support::rules::{VisitSpan, compliance};
use crate::tutoring::Month;

/// A tutoring group of the county, with the months it has an evaluation for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFacts {
    pub id: i64,
    pub name: String,
    /// The Beijing date the group was formed.
    pub formed_on: NaiveDate,
    /// `YYYY-MM` of each month evaluated.
    pub evaluated: BTreeSet<String>,
}

/// A 3331 visit of one of the county's teams, with the team's and clinic's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitFacts {
    pub span: VisitSpan,
    pub team: String,
    pub clinic: String,
}

/// A county doctor's complete result in a skills exam held in the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFacts {
    pub exam_id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub held_on: NaiveDate,
    pub doctor_id: i64,
    pub total: Points,
    pub passed: bool,
}

/// A confirmed attempt at a county doctor's annual comprehensive assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualFacts {
    pub doctor_id: i64,
    pub year: i32,
    pub attempt: i32,
    /// 平时考核
    pub ongoing: Points,
    pub exam: Option<Points>,
    /// 年度综合成绩
    pub score: Points,
    pub passed: bool,
    /// The Beijing date it was confirmed.
    pub confirmed_on: NaiveDate,
}

/// A county doctor sent to make-up study (补修补考), with its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeupFacts {
    pub doctor_id: i64,
    pub deadline: Option<NaiveDate>,
}

/// What the other areas contribute to a filing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFacts {
    pub groups: Vec<GroupFacts>,
    /// The county's teams that owe 3331 visits (a dispatched member), by id and name.
    pub teams: Vec<(i64, String)>,
    pub visits: Vec<VisitFacts>,
    pub skills: Vec<SkillFacts>,
    pub annual: Vec<AnnualFacts>,
    pub makeups: Vec<MakeupFacts>,
}

/// The figures this module answers for: key, label, unit.
pub const FIGURES: &[(&str, &str, &str)] = &[
    ("tutoring_groups", "辅导学习小组", "个"),
    ("tutoring_evaluated", "小组月度评估已完成", "组·月"),
    ("tutoring_unevaluated", "小组月度评估缺失", "组·月"),
    ("support_visits", "3331 巡诊带教", "次"),
    ("support_compliant", "3331 每月≥3次全天达标", "队·月"),
    ("support_short", "3331 每月不足3次", "队·月"),
    ("skills_sittings", "参加技能考核", "人次"),
    ("skills_passes", "技能考核合格", "人次"),
    ("skills_makeup_sittings", "参加技能补考", "人次"),
    ("annual_assessed", "年度综合考核已确认", "人"),
    ("annual_passed", "年度综合考核合格", "人"),
    ("makeup_doctors", "补修补考学员", "人"),
];

/// The months of the period that have ended by `as_of` (a month's evaluation or its
/// visits are owed only once it is over).
pub fn months_ended(period: (NaiveDate, NaiveDate), as_of: NaiveDate) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = Month::of(period.0);
    let last = Month::of(period.1);
    while m <= last && m.last_day() <= as_of {
        out.push(m);
        m = m.next();
    }
    out
}

/// Whole points of a score, as a figure row's value.
fn whole(p: Points) -> i64 {
    i64::from(p.as_tenths()) / 10
}

/// Each doctor's latest attempt confirmed by the period's end, for `year`.
pub fn latest_confirmed(
    facts: &ActivityFacts,
    year: i32,
    by: NaiveDate,
) -> BTreeMap<i64, &AnnualFacts> {
    let mut out: BTreeMap<i64, &AnnualFacts> = BTreeMap::new();
    for a in facts
        .annual
        .iter()
        .filter(|a| a.year == year && a.confirmed_on <= by)
    {
        let slot = out.entry(a.doctor_id).or_insert(a);
        if a.attempt > slot.attempt {
            *slot = a;
        }
    }
    out
}

/// What the rows need to know of the filing.
pub struct Frame<'a> {
    pub year: i32,
    pub period: (NaiveDate, NaiveDate),
    pub as_of: NaiveDate,
    /// Enrolled doctors' names by id (rows name doctors, and only enrolled ones count).
    pub names: &'a BTreeMap<i64, String>,
}

/// The rows behind one of this module's figures, or `None` for a key it does not know.
pub fn rows(f: &Frame, facts: &ActivityFacts, key: &str) -> Option<Vec<FigureRow>> {
    let name = |id: i64| f.names.get(&id).cloned().unwrap_or_default();
    let months = months_ended(f.period, f.as_of);
    let in_period = |day: NaiveDate| f.period.0 <= day && day <= f.period.1;
    let skill_rows = |keep: &dyn Fn(&SkillFacts) -> bool| {
        facts
            .skills
            .iter()
            .filter(|s| in_period(s.held_on) && f.names.contains_key(&s.doctor_id) && keep(s))
            .map(|s| FigureRow {
                id: s.doctor_id,
                name: format!("{}：{}（{}）", name(s.doctor_id), s.title, s.held_on),
                value: whole(s.total),
            })
            .collect::<Vec<_>>()
    };
    Some(match key {
        "tutoring_groups" => facts
            .groups
            .iter()
            .filter(|g| g.formed_on <= f.as_of)
            .map(|g| FigureRow {
                id: g.id,
                name: g.name.clone(),
                value: g.evaluated.len() as i64,
            })
            .collect(),
        "tutoring_evaluated" | "tutoring_unevaluated" => {
            let want = key == "tutoring_evaluated";
            let mut out = Vec::new();
            for m in &months {
                for g in facts.groups.iter().filter(|g| g.formed_on <= m.last_day()) {
                    if g.evaluated.contains(&m.to_string()) == want {
                        out.push(FigureRow {
                            id: g.id,
                            name: format!("{} · {}", g.name, m.label()),
                            value: 1,
                        });
                    }
                }
            }
            out
        }
        "support_visits" => facts
            .visits
            .iter()
            .filter(|v| in_period(v.span.starts_on))
            .map(|v| FigureRow {
                id: v.span.team_id,
                name: format!("{} → {}（{}）", v.team, v.clinic, v.span.starts_on),
                value: 1,
            })
            .collect(),
        "support_compliant" | "support_short" => {
            let want = key == "support_compliant";
            let owed: Vec<i64> = facts.teams.iter().map(|t| t.0).collect();
            let spans: Vec<VisitSpan> = facts.visits.iter().map(|v| v.span).collect();
            let team_name = |id: i64| {
                facts
                    .teams
                    .iter()
                    .find(|t| t.0 == id)
                    .map(|t| t.1.clone())
                    .or_else(|| {
                        facts
                            .visits
                            .iter()
                            .find(|v| v.span.team_id == id)
                            .map(|v| v.team.clone())
                    })
                    .unwrap_or_default()
            };
            let clinic_name = |id: i64| {
                facts
                    .visits
                    .iter()
                    .find(|v| v.span.clinic_id == id)
                    .map(|v| v.clinic.clone())
                    .unwrap_or_default()
            };
            let mut out = Vec::new();
            for m in &months {
                for t in compliance(&owed, &spans, *m) {
                    if t.compliant == want {
                        let clinic = t.clinic_id.map_or("（无巡诊）".to_owned(), clinic_name);
                        out.push(FigureRow {
                            id: t.team_id,
                            name: format!("{} · {} · {}", team_name(t.team_id), clinic, m.label()),
                            value: i64::from(t.full_day_visits),
                        });
                    }
                }
            }
            out
        }
        "skills_sittings" => skill_rows(&|_| true),
        "skills_passes" => skill_rows(&|s| s.passed),
        "skills_makeup_sittings" => skill_rows(&|s| s.kind == SkillExamKind::Makeup),
        "annual_assessed" | "annual_passed" => latest_confirmed(facts, f.year, f.period.1)
            .into_values()
            .filter(|a| f.names.contains_key(&a.doctor_id))
            .filter(|a| key == "annual_assessed" || a.passed)
            .map(|a| FigureRow {
                id: a.doctor_id,
                name: format!(
                    "{}：平时考核 {}，年度综合 {}{}",
                    name(a.doctor_id),
                    a.ongoing,
                    a.score,
                    if a.passed {
                        "，合格"
                    } else {
                        "，不合格"
                    }
                ),
                value: whole(a.score),
            })
            .collect(),
        "makeup_doctors" => facts
            .makeups
            .iter()
            .filter(|m| f.names.contains_key(&m.doctor_id))
            .map(|m| FigureRow {
                id: m.doctor_id,
                name: match m.deadline {
                    Some(d) => format!("{}（补修补考截止 {d}）", name(m.doctor_id)),
                    None => name(m.doctor_id),
                },
                value: 1,
            })
            .collect(),
        _ => return None,
    })
}
