//! The shape of what is sent, checked before anything is read or written: every bad
//! field named at once.

use chrono::{Duration, NaiveDateTime};

use super::Month;
use crate::error::{AppResult, Problems};
use crate::points::Points;
use crate::regions::RegionCode;
use crate::tutoring::{
    ActivityBody, ActivityKind, EvaluationBody, GroupBody, HomeLevel, MemberBody, MemberRole,
    TeamBody,
};

/// Trimmed text of 1–`max` characters, or the message.
pub fn text(raw: &Option<String>, max: usize, what: &str) -> Result<String, String> {
    let t = raw.as_deref().unwrap_or("").trim().to_owned();
    if t.is_empty() || t.chars().count() > max {
        Err(format!("请填写{what}（{max} 字以内）"))
    } else {
        Ok(t)
    }
}

fn optional_text(
    p: &mut Problems,
    field: &str,
    raw: &Option<String>,
    max: usize,
) -> Option<String> {
    let t = raw.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > max {
        p.add(field, format!("不能超过 {max} 字"));
        return None;
    }
    Some(t.to_owned())
}

/// Distinct ids, at least one (and at most `max`).
fn ids(p: &mut Problems, field: &str, raw: &Option<Vec<i64>>, max: usize) -> Vec<i64> {
    let mut ids = raw.clone().unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > max {
        p.add(field, format!("请选择 1–{max} 名学员"));
    }
    ids
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub instructor_id: i64,
    pub role: MemberRole,
    pub dispatched: bool,
    pub home_org_id: Option<i64>,
    pub level: Option<HomeLevel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    pub name: String,
    pub region_code: String,
    pub program_id: Option<i64>,
    pub members: Vec<NewMember>,
}

/// A team: a name, a region, 1–20 distinct members each with a profession (医生、护士、
/// 药师、技师、其他); a dispatched member (下沉专家) also names the level it comes from.
pub fn check_team(body: &TeamBody) -> AppResult<NewTeam> {
    let mut p = Problems::new();
    let name = p.take("name", text(&body.name, 100, "团队名称"));
    let region = p.take(
        "region_code",
        RegionCode::parse(body.region_code.as_deref().unwrap_or("")),
    );
    let raw = body.members.clone().unwrap_or_default();
    if raw.is_empty() || raw.len() > 20 {
        p.add("members", "团队应有 1–20 名成员");
    }
    let mut members = Vec::new();
    for (i, m) in raw.iter().enumerate() {
        if let Some(n) = member(&mut p, i, m) {
            if members
                .iter()
                .any(|x: &NewMember| x.instructor_id == n.instructor_id)
            {
                p.add(format!("members[{i}].instructor_id"), "成员重复");
            }
            members.push(n);
        }
    }
    p.finish()?;
    match (name, region) {
        (Some(name), Some(region)) => Ok(NewTeam {
            name,
            region_code: region.as_str().to_owned(),
            program_id: body.program_id,
            members,
        }),
        _ => Err(crate::error::AppError::field(
            "name",
            "请填写团队名称和区划",
        )),
    }
}

fn member(p: &mut Problems, i: usize, m: &MemberBody) -> Option<NewMember> {
    let instructor = m.instructor_id;
    if instructor.is_none() {
        p.add(format!("members[{i}].instructor_id"), "请选择带教老师");
    }
    let role = MemberRole::parse(m.role.as_deref().unwrap_or(""));
    if role.is_none() {
        p.add(
            format!("members[{i}].role"),
            format!("专业应为 {} 之一", MemberRole::codes()),
        );
    }
    let level = match m.level.as_deref().filter(|l| !l.trim().is_empty()) {
        None => None,
        Some(l) => {
            let parsed = HomeLevel::parse(l);
            if parsed.is_none() {
                p.add(
                    format!("members[{i}].level"),
                    format!("派出单位层级应为 {} 之一", HomeLevel::codes()),
                );
            }
            parsed
        }
    };
    let dispatched = m.dispatched.unwrap_or(false);
    if dispatched && level.is_none() && m.level.is_none() {
        p.add(format!("members[{i}].level"), "下沉专家请填写派出单位层级");
    }
    Some(NewMember {
        instructor_id: instructor?,
        role: role?,
        dispatched,
        home_org_id: m.home_org_id,
        level,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub name: String,
    pub program_id: i64,
    pub region_code: String,
    pub team_id: i64,
    pub criteria: String,
    pub doctor_ids: Vec<i64>,
}

/// A group: a name, its program, region and team, 1–[`super::MAX_GROUP_SIZE`] doctors.
pub fn check_group(body: &GroupBody) -> AppResult<NewGroup> {
    let mut p = Problems::new();
    let name = p.take("name", text(&body.name, 100, "小组名称"));
    if body.program_id.is_none() {
        p.add("program_id", "请选择培训项目");
    }
    let region = p.take(
        "region_code",
        RegionCode::parse(body.region_code.as_deref().unwrap_or("")),
    );
    if body.team_id.is_none() {
        p.add("team_id", "请选择带教团队");
    }
    let criteria = optional_text(&mut p, "criteria", &body.criteria, 200).unwrap_or_default();
    let doctor_ids = ids(
        &mut p,
        "doctor_ids",
        &body.doctor_ids,
        super::MAX_GROUP_SIZE as usize,
    );
    p.finish()?;
    match (name, body.program_id, region, body.team_id) {
        (Some(name), Some(program_id), Some(region), Some(team_id)) => Ok(NewGroup {
            name,
            program_id,
            region_code: region.as_str().to_owned(),
            team_id,
            criteria,
            doctor_ids,
        }),
        _ => Err(crate::error::AppError::field("name", "请完整填写小组信息")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub minutes: i32,
    pub topic: String,
    pub note: Option<String>,
    pub doctor_ids: Vec<i64>,
}

/// An activity: a kind (答疑、指导、授课), a start and an end (at most 24 h, not in the
/// future), a topic, who attended; the minutes are the time between.
pub fn check_activity(body: &ActivityBody, now: NaiveDateTime) -> AppResult<NewActivity> {
    let mut p = Problems::new();
    let kind = p.take(
        "kind",
        ActivityKind::parse(body.kind.as_deref().unwrap_or(""))
            .ok_or_else(|| format!("形式应为 {} 之一", ActivityKind::codes())),
    );
    let starts = p.take(
        "starts_at",
        crate::time::parse_instant(body.starts_at.as_deref().unwrap_or("")),
    );
    let ends = p.take(
        "ends_at",
        crate::time::parse_instant(body.ends_at.as_deref().unwrap_or("")),
    );
    let mut minutes = 0;
    if let (Some(s), Some(e)) = (starts, ends) {
        let d = e - s;
        if d <= Duration::zero() || d > Duration::hours(24) {
            p.add("ends_at", "结束时间应晚于开始时间，且不超过 24 小时");
        } else if e > now + Duration::minutes(5) {
            p.add("ends_at", "不能登记尚未结束的活动");
        }
        minutes = i32::try_from(d.num_minutes()).unwrap_or(0);
        if minutes < 1 && p.is_empty() {
            p.add("ends_at", "活动至少 1 分钟");
        }
    }
    let topic = p.take("topic", text(&body.topic, 200, "主题"));
    let note = optional_text(&mut p, "note", &body.note, 1000);
    let doctor_ids = ids(&mut p, "doctor_ids", &body.doctor_ids, 200);
    p.finish()?;
    match (kind, starts, ends, topic) {
        (Some(kind), Some(starts_at), Some(ends_at), Some(topic)) => Ok(NewActivity {
            kind,
            starts_at,
            ends_at,
            minutes,
            topic,
            note,
            doctor_ids,
        }),
        _ => Err(crate::error::AppError::field("kind", "请完整填写活动信息")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvaluation {
    pub month: Month,
    pub score: Points,
    pub progress: String,
    pub remarks: String,
}

/// An evaluation: a month not after this one, a score of 0–100 points, the progress
/// against the plan, remarks.
pub fn check_evaluation(body: &EvaluationBody, this_month: Month) -> AppResult<NewEvaluation> {
    let mut p = Problems::new();
    let month = p.take("month", Month::parse(body.month.as_deref().unwrap_or("")));
    if month.is_some_and(|m| m > this_month) {
        p.add("month", "不能评估尚未到来的月份");
    }
    let score = match body.score {
        Some(s) if s >= Points::ZERO && s <= Points::whole(100) => Some(s),
        _ => {
            p.add("score", "评分应为 0–100 分");
            None
        }
    };
    let progress = p.take("progress", text(&body.progress, 500, "学习进度"));
    let remarks = optional_text(&mut p, "remarks", &body.remarks, 1000).unwrap_or_default();
    p.finish()?;
    match (month, score, progress) {
        (Some(month), Some(score), Some(progress)) => Ok(NewEvaluation {
            month,
            score,
            progress,
            remarks,
        }),
        _ => Err(crate::error::AppError::field("month", "请完整填写评估")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: crate::error::AppError) -> Vec<String> {
        e.field_errors().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn every_bad_team_field_is_named() {
        let body = TeamBody {
            name: Some(" ".into()),
            region_code: Some("37".into()),
            program_id: None,
            members: Some(vec![MemberBody {
                instructor_id: Some(1),
                role: Some("surgeon".into()),
                ..MemberBody::default()
            }]),
        };
        assert_eq!(
            fields(check_team(&body).unwrap_err()),
            ["name", "region_code", "members[0].role"]
        );
    }

    #[test]
    fn an_activity_needs_a_real_interval() {
        let now = crate::time::parse_instant("2026-11-20T12:00").unwrap();
        let body = ActivityBody {
            kind: Some("qa".into()),
            starts_at: Some("2026-11-20T10:00".into()),
            ends_at: Some("2026-11-20T09:00".into()),
            topic: Some("高血压随访".into()),
            doctor_ids: Some(vec![3, 3]),
            note: None,
        };
        assert_eq!(fields(check_activity(&body, now).unwrap_err()), ["ends_at"]);
        let ok = ActivityBody {
            ends_at: Some("2026-11-20T11:30".into()),
            ..body
        };
        let a = check_activity(&ok, now).unwrap();
        assert_eq!((a.minutes, a.doctor_ids), (90, vec![3]));
    }

    #[test]
    fn evaluations_are_for_past_or_current_months_and_scored_0_to_100() {
        let this = Month::parse("2026-11").unwrap();
        let body = EvaluationBody {
            month: Some("2026-12".into()),
            score: Some(Points::whole(101)),
            progress: None,
            remarks: None,
        };
        assert_eq!(
            fields(check_evaluation(&body, this).unwrap_err()),
            ["month", "score", "progress"]
        );
    }
}
