//! The 3331 rules: what a visit counts for, monthly compliance, absences.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{AbsenceBody, VisitBody, VisitMode};
use crate::error::{AppError, AppResult, Problems};
use crate::tutoring::Month;

/// Visits a team owes each central village clinic a month (每月不少于3次 — Zaozhuang
/// annex 3 §二).
pub const MIN_VISITS: u32 = 3;

/// A working day, in hours: a visit at least this long is a full day.
pub const WORKING_DAY_HOURS: i32 = 8;

/// Unjustified absences that fail a dispatched expert's assessment (无故缺勤2次及以上
/// 考核不合格).
pub const ABSENCES_TO_FAIL: usize = 2;

/// What compliance needs of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitSpan {
    pub team_id: i64,
    pub clinic_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: Option<i32>,
}

/// A visit of at least one day (每次不少于1天): several days, or one day without
/// shorter hours recorded.
pub fn is_full_day(v: &VisitSpan) -> bool {
    v.ends_on > v.starts_on || v.hours.is_none_or(|h| h >= WORKING_DAY_HOURS)
}

/// A visit counts for the month it starts in, and only that one.
pub fn counts_in(v: &VisitSpan, month: Month) -> bool {
    month.contains(v.starts_on)
}

/// One team's month at one clinic (or at none: `clinic_id` None when it made no visit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub team_id: i64,
    pub clinic_id: Option<i64>,
    pub visits: u32,
    pub full_day_visits: u32,
    pub compliant: bool,
}

/// Monthly compliance per team and clinic: compliant = at least [`MIN_VISITS`] visits
/// of at least a day that month (Zaozhuang annex 3 §二). Every team owed is listed: a
/// team with no visit that month is one non-compliant line without a clinic.
pub fn compliance(teams: &[i64], visits: &[VisitSpan], month: Month) -> Vec<Tally> {
    let mut by: BTreeMap<(i64, i64), (u32, u32)> = BTreeMap::new();
    for v in visits.iter().filter(|v| counts_in(v, month)) {
        let e = by.entry((v.team_id, v.clinic_id)).or_default();
        e.0 += 1;
        if is_full_day(v) {
            e.1 += 1;
        }
    }
    let mut out: Vec<Tally> = by
        .into_iter()
        .map(|((team_id, clinic_id), (visits, full))| Tally {
            team_id,
            clinic_id: Some(clinic_id),
            visits,
            full_day_visits: full,
            compliant: full >= MIN_VISITS,
        })
        .collect();
    for t in teams {
        if !out.iter().any(|x| x.team_id == *t) {
            out.push(Tally {
                team_id: *t,
                clinic_id: None,
                visits: 0,
                full_day_visits: 0,
                compliant: false,
            });
        }
    }
    out.sort_by_key(|t| (t.team_id, t.clinic_id));
    out
}

/// Two or more unjustified absences fail the year's assessment (Zaozhuang annex 3 §二).
pub fn absences_fail(unjustified: usize) -> bool {
    unjustified >= ABSENCES_TO_FAIL
}

/// A checked visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub team_id: i64,
    pub clinic_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: Option<i32>,
    pub modes: Vec<VisitMode>,
    pub doctor_ids: Vec<i64>,
}

fn date(p: &mut Problems, field: &str, raw: &Option<String>) -> Option<NaiveDate> {
    p.take(
        field,
        crate::roster::loose_date(raw.as_deref().unwrap_or("")),
    )
}

/// A visit: a team, a clinic, dates (not in the future, at most 31 days), hours only for
/// a single day (1–23), one or more modes, the doctors taught (any number).
pub fn check_visit(body: &VisitBody, today: NaiveDate) -> AppResult<NewVisit> {
    let mut p = Problems::new();
    if body.team_id.is_none() {
        p.add("team_id", "请选择帮扶团队");
    }
    if body.clinic_id.is_none() {
        p.add("clinic_id", "请选择中心村卫生室");
    }
    let starts = date(&mut p, "starts_on", &body.starts_on);
    let ends = date(&mut p, "ends_on", &body.ends_on);
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s || (e - s).num_days() > 31 {
            p.add("ends_on", "结束日期应不早于开始日期，且不超过 31 天");
        } else if e > today {
            p.add("ends_on", "不能登记尚未结束的帮扶");
        }
        if let Some(h) = body.hours
            && (e != s || !(1..24).contains(&h))
        {
            p.add("hours", "仅单日帮扶可填写时长（1–23 小时）");
        }
    }
    let mut modes = Vec::new();
    for m in body.modes.clone().unwrap_or_default() {
        match VisitMode::parse(&m) {
            Some(v) if !modes.contains(&v) => modes.push(v),
            Some(_) => {}
            None => p.add("modes", format!("帮扶形式应为 {} 之一", VisitMode::codes())),
        }
    }
    if modes.is_empty() && p.is_empty() {
        p.add("modes", "请至少选择一种帮扶形式");
    }
    let mut doctor_ids = body.doctor_ids.clone().unwrap_or_default();
    doctor_ids.sort_unstable();
    doctor_ids.dedup();
    if doctor_ids.len() > 200 {
        p.add("doctor_ids", "一次最多登记 200 名学员");
    }
    p.finish()?;
    modes.sort();
    match (body.team_id, body.clinic_id, starts, ends) {
        (Some(team_id), Some(clinic_id), Some(starts_on), Some(ends_on)) => Ok(NewVisit {
            team_id,
            clinic_id,
            starts_on,
            ends_on,
            hours: body.hours,
            modes,
            doctor_ids,
        }),
        _ => Err(AppError::field("team_id", "请完整填写帮扶信息")),
    }
}

/// A checked absence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAbsence {
    pub instructor_id: i64,
    pub occurred_on: NaiveDate,
    pub justified: bool,
    pub reason: String,
}

/// An absence: who, a day not in the future, justified or not, a reason (≤ 200).
pub fn check_absence(body: &AbsenceBody, today: NaiveDate) -> AppResult<NewAbsence> {
    let mut p = Problems::new();
    if body.instructor_id.is_none() {
        p.add("instructor_id", "请选择下沉人员");
    }
    let day = date(&mut p, "occurred_on", &body.occurred_on);
    if day.is_some_and(|d| d > today) {
        p.add("occurred_on", "不能登记未来的缺勤");
    }
    if body.justified.is_none() {
        p.add("justified", "请说明是否有正当理由");
    }
    let reason = body.reason.as_deref().unwrap_or("").trim().to_owned();
    if reason.chars().count() > 200 {
        p.add("reason", "原因不能超过 200 字");
    }
    p.finish()?;
    match (body.instructor_id, day, body.justified) {
        (Some(instructor_id), Some(occurred_on), Some(justified)) => Ok(NewAbsence {
            instructor_id,
            occurred_on,
            justified,
            reason,
        }),
        _ => Err(AppError::field("instructor_id", "请完整填写缺勤信息")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn visit(team: i64, starts: NaiveDate, ends: NaiveDate, hours: Option<i32>) -> VisitSpan {
        VisitSpan {
            team_id: team,
            clinic_id: 9,
            starts_on: starts,
            ends_on: ends,
            hours,
        }
    }

    #[test]
    fn three_full_days_in_the_month_comply() {
        let march = Month::parse("2026-03").unwrap();
        let v = [
            visit(1, day(3, 2), day(3, 2), None),
            visit(1, day(3, 9), day(3, 10), None),
            visit(1, day(3, 16), day(3, 16), Some(4)),
            visit(1, day(2, 27), day(2, 27), None),
        ];
        let t = compliance(&[1, 2], &v, march);
        assert_eq!(
            t,
            vec![
                Tally {
                    team_id: 1,
                    clinic_id: Some(9),
                    visits: 3,
                    full_day_visits: 2,
                    compliant: false
                },
                Tally {
                    team_id: 2,
                    clinic_id: None,
                    visits: 0,
                    full_day_visits: 0,
                    compliant: false
                },
            ]
        );
        let mut more = v.to_vec();
        more.push(visit(1, day(3, 30), day(4, 1), None));
        assert!(compliance(&[1], &more, march)[0].compliant);
    }

    #[test]
    fn two_unjustified_absences_fail() {
        assert!(!absences_fail(0));
        assert!(!absences_fail(1));
        assert!(absences_fail(2));
        assert!(absences_fail(5));
    }

    #[test]
    fn a_short_visit_must_be_a_single_day() {
        let body = VisitBody {
            team_id: Some(1),
            clinic_id: Some(2),
            starts_on: Some("2026-03-02".into()),
            ends_on: Some("2026-03-03".into()),
            hours: Some(4),
            modes: Some(vec!["tour".into(), "dance".into()]),
            doctor_ids: None,
        };
        let e = check_visit(&body, day(11, 1)).unwrap_err();
        let f: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(f, ["hours", "modes"]);
    }

    fn spans() -> impl Strategy<Value = Vec<VisitSpan>> {
        prop::collection::vec(
            (1i64..3, 0i64..120, 0i64..3, prop::option::of(1i32..24)),
            0..30,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .map(|(team, start, len, hours)| {
                    let s = day(1, 1) + chrono::Duration::days(start);
                    visit(
                        team,
                        s,
                        s + chrono::Duration::days(len),
                        if len == 0 { hours } else { None },
                    )
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn only_full_days_inside_the_month_count(v in spans(), m in 1u32..=4) {
            let month = Month { year: 2026, month: m };
            let t = compliance(&[1, 2], &v, month);
            for team in [1i64, 2] {
                let lines: Vec<&Tally> = t.iter().filter(|x| x.team_id == team).collect();
                prop_assert!(!lines.is_empty());
                let full: u32 = lines.iter().map(|x| x.full_day_visits).sum();
                let expect = v.iter().filter(|x| x.team_id == team && month.contains(x.starts_on) && is_full_day(x)).count() as u32;
                prop_assert_eq!(full, expect);
                for l in &lines {
                    prop_assert_eq!(l.compliant, l.full_day_visits >= MIN_VISITS);
                    prop_assert!(l.full_day_visits <= l.visits);
                }
            }
            // Visits outside the month change nothing.
            let inside: Vec<VisitSpan> = v.iter().copied().filter(|x| month.contains(x.starts_on)).collect();
            prop_assert_eq!(compliance(&[1, 2], &inside, month), t);
        }

        #[test]
        fn failing_needs_two_unjustified(n in 0usize..10) {
            prop_assert_eq!(absences_fail(n), n >= 2);
        }
    }
}
