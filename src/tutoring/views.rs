//! What the tutoring API answers, typed.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{
    ActivityKind, ActivityRow, Evaluation, Group, HomeLevel, MemberRole, Membership, Team,
    TeamMember,
};
use crate::points::Points;

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub instructor_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub role: MemberRole,
    pub role_label: &'static str,
    pub dispatched: bool,
    pub home_org: Option<String>,
    pub level: Option<HomeLevel>,
    pub level_label: Option<&'static str>,
}

impl From<&TeamMember> for MemberView {
    fn from(m: &TeamMember) -> Self {
        MemberView {
            instructor_id: m.instructor_id,
            name: m.name.clone(),
            phone: m.phone.clone(),
            role: m.role,
            role_label: m.role.label(),
            dispatched: m.dispatched,
            home_org: m.home_org.clone(),
            level: m.level,
            level_label: m.level.map(HomeLevel::label),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub program_id: Option<i64>,
    pub members: Vec<MemberView>,
}

impl TeamView {
    pub fn of(team: &Team, members: &[TeamMember]) -> TeamView {
        TeamView {
            id: team.id,
            name: team.name.clone(),
            region_code: team.region_code.clone(),
            program_id: team.program_id,
            members: members.iter().map(MemberView::from).collect(),
        }
    }
}

/// A doctor's time in a group.
#[derive(Debug, Clone, Serialize)]
pub struct MembershipView {
    pub doctor_id: i64,
    pub name: String,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub joined_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339::option")]
    pub left_at: Option<NaiveDateTime>,
}

impl MembershipView {
    /// When it joined, Beijing time, for pages.
    pub fn joined(&self) -> String {
        crate::time::display_cst(self.joined_at)
    }

    /// When it left, Beijing time, for pages.
    pub fn left(&self) -> Option<String> {
        self.left_at.map(crate::time::display_cst)
    }
}

impl From<&Membership> for MembershipView {
    fn from(m: &Membership) -> Self {
        MembershipView {
            doctor_id: m.doctor_id,
            name: m.doctor_name.clone(),
            joined_at: m.joined_at,
            left_at: m.left_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    pub id: i64,
    pub group_id: i64,
    pub month: String,
    pub score: Points,
    pub progress: String,
    pub remarks: String,
    pub instructor_id: Option<i64>,
}

impl From<&Evaluation> for EvaluationView {
    fn from(e: &Evaluation) -> Self {
        EvaluationView {
            id: e.id,
            group_id: e.group_id,
            month: e.month.clone(),
            score: e.score,
            progress: e.progress.clone(),
            remarks: e.remarks.clone(),
            instructor_id: e.instructor_id,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityView {
    pub id: i64,
    pub group_id: i64,
    pub kind: ActivityKind,
    pub kind_label: &'static str,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub starts_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub ends_at: NaiveDateTime,
    pub minutes: i64,
    pub topic: String,
    pub note: Option<String>,
    pub attendees: Vec<String>,
}

impl ActivityView {
    /// When it started, Beijing time, for pages.
    pub fn starts(&self) -> String {
        crate::time::display_cst(self.starts_at)
    }

    pub fn of(a: &ActivityRow, attendees: Vec<String>) -> ActivityView {
        ActivityView {
            id: a.id,
            group_id: a.group_id,
            kind: a.kind,
            kind_label: a.kind.label(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            minutes: (a.ends_at - a.starts_at).num_minutes(),
            topic: a.topic.clone(),
            note: a.note.clone(),
            attendees,
        }
    }
}

/// `GET /api/v1/tutoring/groups/{id}`: the group's record (its archive).
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub program_id: i64,
    pub criteria: String,
    pub team: TeamView,
    /// Members now.
    pub members: Vec<MembershipView>,
    /// Every membership, moves included, oldest first.
    pub history: Vec<MembershipView>,
    pub evaluations: Vec<EvaluationView>,
    pub activities: Vec<ActivityView>,
}

impl GroupView {
    pub fn of(
        group: &Group,
        team: TeamView,
        history: &[Membership],
        evaluations: &[Evaluation],
        activities: Vec<ActivityView>,
    ) -> GroupView {
        GroupView {
            id: group.id,
            name: group.name.clone(),
            region_code: group.region_code.clone(),
            program_id: group.program_id,
            criteria: group.criteria.clone(),
            team,
            members: history
                .iter()
                .filter(|m| m.left_at.is_none())
                .map(MembershipView::from)
                .collect(),
            history: history.iter().map(MembershipView::from).collect(),
            evaluations: evaluations.iter().map(EvaluationView::from).collect(),
            activities,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupListItem {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub program_id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub members: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposedGroup {
    pub name: String,
    pub criteria: String,
    pub doctor_ids: Vec<i64>,
    /// The same doctors with their names (for the county's editing page).
    pub members: Vec<ProposedMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposedMember {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub groups: Vec<ProposedGroup>,
    /// Ungrouped doctors left out because the gate refuses them this year (named, with
    /// the failed year): only those who pass go on.
    pub held_back: Vec<HeldBack>,
}

/// A doctor a proposal leaves out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct HeldBack {
    pub id: i64,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissingItem {
    pub group_id: i64,
    pub name: String,
    pub region_code: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A doctor's group(s) now, each with its team and evaluations.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorGroup {
    pub id: i64,
    pub name: String,
    pub program_id: i64,
    pub team: TeamView,
    pub evaluations: Vec<EvaluationView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DoctorTutoring {
    pub doctor_id: i64,
    pub groups: Vec<DoctorGroup>,
}

/// `GET /api/v1/tutoring/evaluations/missing`.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub month: String,
    pub items: Vec<MissingItem>,
}
