//! Pure rules of the ledger (学时认定). No I/O, no clock: `today` is passed in.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{RecordStatus, StudyKind};
use crate::program::{Deadlines, Requirements};

/// A day never credits more than 24 hours.
pub const DAY_MINUTES: i32 = 24 * 60;

/// A record as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    /// When it happened, for sessions and shadowing days (UTC instants).
    pub interval: Option<(NaiveDateTime, NaiveDateTime)>,
    pub status: RecordStatus,
    pub course_id: Option<i64>,
    /// Platform unit score, tenths of a point.
    pub unit_score: Option<i32>,
}

/// Why a new record cannot be accepted; `field` names what to correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal {
        field,
        message: message.into(),
    })
}

/// Check a new record against the doctor's records that still count (pending or
/// approved): minutes between 1 and 24 h; the date within the program's years and not
/// in the future; the day's total at most 24 h; no overlap with another timed record
/// (Zaozhuang annex 2 §四: every credited hour is real time of one person).
pub fn check_new(
    new: &Entry,
    existing: &[Entry],
    years: RangeInclusive<i32>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if !(1..=DAY_MINUTES).contains(&new.minutes) {
        return refuse("minutes", "学习时长应在 1 到 1440 分钟之间");
    }
    if new.occurred_on > today {
        return refuse("occurred_on", "不能登记未来日期的学习");
    }
    if !years.contains(&new.occurred_on.year()) {
        return refuse(
            "occurred_on",
            format!(
                "日期应在培训项目的年度（{}—{} 年）内",
                years.start(),
                years.end()
            ),
        );
    }
    if let Some((start, end)) = new.interval
        && end <= start
    {
        return refuse("ends_at", "结束时间应晚于开始时间");
    }
    let counting = existing
        .iter()
        .filter(|e| e.status != RecordStatus::Rejected);
    let same_day: i32 = counting
        .clone()
        .filter(|e| e.occurred_on == new.occurred_on)
        .map(|e| e.minutes)
        .sum();
    if same_day + new.minutes > DAY_MINUTES {
        return refuse(
            "minutes",
            format!(
                "{} 已登记 {} 分钟，再加 {} 分钟将超过一天 24 小时",
                new.occurred_on, same_day, new.minutes
            ),
        );
    }
    if let Some((start, end)) = new.interval {
        for e in counting {
            if let Some((s, t)) = e.interval
                && start < t
                && s < end
            {
                return refuse(
                    "starts_at",
                    format!(
                        "与已登记的{}（{} 至 {}）时间重叠",
                        e.kind.label(),
                        crate::time::display_cst(s),
                        crate::time::display_cst(t)
                    ),
                );
            }
        }
    }
    Ok(())
}

/// Credited minutes, by year and kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub by_year: BTreeMap<i32, BTreeMap<StudyKind, i32>>,
    pub pending: BTreeMap<StudyKind, i32>,
    /// Distinct days with approved online study.
    pub online_days: usize,
    /// Sum and count of unit scores (tenths).
    pub unit_scores: (i64, i64),
}

impl Ledger {
    pub fn credited(&self, kind: StudyKind) -> i32 {
        self.by_year.values().filter_map(|k| k.get(&kind)).sum()
    }

    pub fn total(&self) -> i32 {
        self.by_year.values().flat_map(|k| k.values()).sum()
    }
}

/// The ledger of one doctor: only approved records count; online credit per course is
/// capped at the course's length (a module cannot be earned twice); each day credits
/// at most 24 hours. Records are put in a canonical order first, so the order they come
/// in never changes the result.
pub fn ledger(entries: &[Entry], course_minutes: &HashMap<i64, i32>) -> Ledger {
    let mut out = Ledger::default();
    let mut approved: Vec<&Entry> = Vec::new();
    for e in entries {
        match e.status {
            RecordStatus::Approved => approved.push(e),
            RecordStatus::Pending => *out.pending.entry(e.kind).or_default() += e.minutes,
            RecordStatus::Rejected => {}
        }
    }
    approved.sort_by_key(|e| {
        (
            e.occurred_on,
            e.kind,
            e.interval,
            e.course_id,
            e.minutes,
            e.unit_score,
        )
    });
    let mut course_used: HashMap<i64, i32> = HashMap::new();
    let mut day_used: HashMap<NaiveDate, i32> = HashMap::new();
    let mut days = BTreeSet::new();
    for e in approved {
        let mut minutes = e.minutes.max(0);
        if let (StudyKind::Online, Some(course)) = (e.kind, e.course_id)
            && let Some(cap) = course_minutes.get(&course)
        {
            let used = course_used.entry(course).or_default();
            minutes = minutes.min((cap - *used).max(0));
            *used += minutes;
        }
        let day = day_used.entry(e.occurred_on).or_default();
        minutes = minutes.min(DAY_MINUTES - *day);
        *day += minutes;
        *out.by_year
            .entry(e.occurred_on.year())
            .or_default()
            .entry(e.kind)
            .or_default() += minutes;
        if e.kind == StudyKind::Online {
            days.insert(e.occurred_on);
            if let Some(score) = e.unit_score {
                out.unit_scores.0 += i64::from(score);
                out.unit_scores.1 += 1;
            }
        }
    }
    out.online_days = days.len();
    out
}

/// Hours of one kind: required, credited, awaiting review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindProgress {
    pub required_minutes: i32,
    pub credited_minutes: i32,
    pub pending_minutes: i32,
    /// credited ≥ required.
    pub met: bool,
}

/// Online study adds what the ongoing assessment uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnlineProgress {
    #[serde(flatten)]
    pub hours: KindProgress,
    /// credited / required, 0–1.
    pub completion_rate: f64,
    pub active_days: usize,
    /// Mean platform unit score (points), when any.
    pub average_unit_score: Option<f64>,
}

/// Several kinds that count together (Weifang).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CombinedProgress {
    pub kinds: Vec<StudyKind>,
    pub required_minutes: i32,
    pub credited_minutes: i32,
    pub met: bool,
}

/// One training year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearProgress {
    pub year: i32,
    pub online_minutes: i32,
    pub centralized_minutes: i32,
    pub shadowing_minutes: i32,
    pub tutoring_minutes: i32,
    pub skills_practice_minutes: i32,
    /// The annual assessment result, once the exams record one.
    pub assessment: Option<serde_json::Value>,
}

/// Where the doctor stands on completion (结业).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completion {
    /// `in_progress`, `hours_met`, or `makeup_study` (the program ended short of hours).
    pub status: &'static str,
    pub hours_met: bool,
    /// Minutes still missing, by kind (and `combined`).
    pub missing_minutes: BTreeMap<&'static str, i32>,
    /// Behind the pace the program's calendar implies.
    pub behind_schedule: bool,
    /// The last day of the program's training.
    pub program_ends_on: Option<NaiveDate>,
    /// For `makeup_study`: make-up study and exam within this date.
    pub makeup_deadline: Option<NaiveDate>,
}

/// A doctor's progress (API.md `GET /api/v1/doctors/{id}/progress`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub online: OnlineProgress,
    pub centralized: KindProgress,
    pub shadowing: KindProgress,
    pub tutoring: KindProgress,
    pub skills_practice: KindProgress,
    pub combined: Option<CombinedProgress>,
    pub annual: Vec<YearProgress>,
    pub completion: Completion,
}

/// The last day of training: `training_done` (MM-DD) of the program's last year.
pub fn program_end(deadlines: &Deadlines, end_year: i32) -> Option<NaiveDate> {
    deadlines.training_done.in_year(end_year)
}

/// Share of the program's training period elapsed by `today`, 0–1.
pub fn elapsed_share(start_year: i32, end: NaiveDate, today: NaiveDate) -> f64 {
    let start = NaiveDate::from_ymd_opt(start_year, 1, 1).unwrap_or(end);
    let total = (end - start).num_days().max(1) as f64;
    ((today - start).num_days() as f64 / total).clamp(0.0, 1.0)
}

/// Behind schedule: some requirement's credited minutes fall short of what the elapsed
/// share of the period calls for.
pub fn behind(required: i32, credited: i32, share: f64) -> bool {
    f64::from(credited) + 1e-9 < f64::from(required) * share
}

fn kind(required: i32, credited: i32, pending: i32) -> KindProgress {
    KindProgress {
        required_minutes: required,
        credited_minutes: credited,
        pending_minutes: pending,
        met: credited >= required,
    }
}

/// Progress against the program — the 158/60/60 hours (Zaozhuang annex 2 §四) or
/// Weifang's combined 60 — and, once the program has ended short of hours, the make-up
/// window (Weifang 五(三): 3 个月内安排补修和补考).
pub fn progress(
    req: &Requirements,
    deadlines: &Deadlines,
    years: RangeInclusive<i32>,
    ledger: &Ledger,
    today: NaiveDate,
) -> Progress {
    let credited = |k| ledger.credited(k);
    let pending = |k| ledger.pending.get(&k).copied().unwrap_or(0);
    let online_hours = kind(
        req.online_minutes,
        credited(StudyKind::Online),
        pending(StudyKind::Online),
    );
    let completion_rate = if req.online_minutes > 0 {
        (f64::from(online_hours.credited_minutes) / f64::from(req.online_minutes)).min(1.0)
    } else {
        1.0
    };
    let (score_sum, score_n) = ledger.unit_scores;
    let online = OnlineProgress {
        completion_rate: (completion_rate * 1000.0).round() / 1000.0,
        active_days: ledger.online_days,
        // Mean in tenths, rounded, shown in points with one decimal.
        average_unit_score: (score_n > 0)
            .then(|| (score_sum as f64 / score_n as f64).round() / 10.0),
        hours: online_hours,
    };
    let centralized = kind(
        req.centralized_minutes,
        credited(StudyKind::Centralized),
        pending(StudyKind::Centralized),
    );
    let shadowing = kind(
        req.shadowing_minutes,
        credited(StudyKind::Shadowing),
        pending(StudyKind::Shadowing),
    );
    let tutoring = kind(
        0,
        credited(StudyKind::Tutoring),
        pending(StudyKind::Tutoring),
    );
    let skills_practice = kind(
        0,
        credited(StudyKind::SkillsPractice),
        pending(StudyKind::SkillsPractice),
    );
    let combined = req.combined.as_ref().map(|c| {
        let got: i32 = c.kinds.iter().map(|k| credited(*k)).sum();
        CombinedProgress {
            kinds: c.kinds.clone(),
            required_minutes: c.minutes,
            credited_minutes: got,
            met: got >= c.minutes,
        }
    });
    let mut missing = BTreeMap::new();
    for (name, p) in [
        ("online", &online.hours),
        ("centralized", &centralized),
        ("shadowing", &shadowing),
    ] {
        if !p.met {
            missing.insert(name, p.required_minutes - p.credited_minutes);
        }
    }
    if let Some(c) = &combined
        && !c.met
    {
        missing.insert("combined", c.required_minutes - c.credited_minutes);
    }
    let hours_met = missing.is_empty();
    let ends = program_end(deadlines, *years.end());
    let share = ends.map_or(0.0, |end| elapsed_share(*years.start(), end, today));
    let mut behind_schedule = [&online.hours, &centralized, &shadowing]
        .iter()
        .any(|p| behind(p.required_minutes, p.credited_minutes, share));
    if let Some(c) = &combined {
        behind_schedule |= behind(c.required_minutes, c.credited_minutes, share);
    }
    let ended = ends.is_some_and(|e| today > e);
    let (status, makeup_deadline) = match (hours_met, ended) {
        (true, _) => ("hours_met", None),
        (false, true) => (
            "makeup_study",
            ends.and_then(|e| {
                e.checked_add_months(Months::new(req.makeup_window_months.max(0).unsigned_abs()))
            }),
        ),
        (false, false) => ("in_progress", None),
    };
    let annual = years
        .map(|year| {
            let k = ledger.by_year.get(&year);
            let get = |kind| k.and_then(|m| m.get(&kind)).copied().unwrap_or(0);
            YearProgress {
                year,
                online_minutes: get(StudyKind::Online),
                centralized_minutes: get(StudyKind::Centralized),
                shadowing_minutes: get(StudyKind::Shadowing),
                tutoring_minutes: get(StudyKind::Tutoring),
                skills_practice_minutes: get(StudyKind::SkillsPractice),
                assessment: None,
            }
        })
        .collect();
    Progress {
        online,
        centralized,
        shadowing,
        tutoring,
        skills_practice,
        combined,
        annual,
        completion: Completion {
            status,
            hours_met,
            missing_minutes: missing,
            behind_schedule: behind_schedule && !hours_met,
            program_ends_on: ends,
            makeup_deadline,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
    }

    fn at(d: u32, h: u32) -> NaiveDateTime {
        day(d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn entry(kind: StudyKind, minutes: i32, d: u32, status: RecordStatus) -> Entry {
        Entry {
            kind,
            minutes,
            occurred_on: day(d),
            interval: None,
            status,
            course_id: None,
            unit_score: None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    #[test]
    fn a_day_never_takes_more_than_twenty_four_hours() {
        let existing = [entry(StudyKind::Online, 1000, 1, RecordStatus::Approved)];
        let e = check_new(
            &entry(StudyKind::Online, 441, 1, RecordStatus::Pending),
            &existing,
            2024..=2026,
            today(),
        )
        .unwrap_err();
        assert_eq!(e.field, "minutes");
        assert!(
            check_new(
                &entry(StudyKind::Online, 440, 1, RecordStatus::Pending),
                &existing,
                2024..=2026,
                today()
            )
            .is_ok()
        );
        let rejected = [entry(StudyKind::Online, 1000, 1, RecordStatus::Rejected)];
        assert!(
            check_new(
                &entry(StudyKind::Online, 441, 1, RecordStatus::Pending),
                &rejected,
                2024..=2026,
                today()
            )
            .is_ok(),
            "rejected time is free"
        );
    }

    #[test]
    fn overlapping_sessions_or_logs_are_refused_with_a_reason() {
        let mut morning = entry(StudyKind::Centralized, 180, 3, RecordStatus::Approved);
        morning.interval = Some((at(3, 1), at(3, 4)));
        let mut clash = entry(StudyKind::Shadowing, 120, 3, RecordStatus::Pending);
        clash.interval = Some((at(3, 3), at(3, 5)));
        let e =
            check_new(&clash, std::slice::from_ref(&morning), 2024..=2026, today()).unwrap_err();
        assert!(e.message.contains("重叠"), "{}", e.message);
        clash.interval = Some((at(3, 4), at(3, 6)));
        assert!(
            check_new(&clash, &[morning], 2024..=2026, today()).is_ok(),
            "back to back is fine"
        );
    }

    #[test]
    fn records_outside_the_program_or_in_the_future_are_refused() {
        let mut old = entry(StudyKind::Online, 60, 1, RecordStatus::Pending);
        old.occurred_on = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
        assert_eq!(
            check_new(&old, &[], 2024..=2026, today())
                .unwrap_err()
                .field,
            "occurred_on"
        );
        let future = entry(StudyKind::Online, 60, 1, RecordStatus::Pending);
        assert!(
            check_new(
                &future,
                &[],
                2024..=2026,
                NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
            )
            .is_err()
        );
        assert!(
            check_new(
                &entry(StudyKind::Online, 0, 1, RecordStatus::Pending),
                &[],
                2024..=2026,
                today()
            )
            .is_err()
        );
    }

    #[test]
    fn only_approved_time_is_credited_and_a_course_counts_once() {
        let mut a = entry(StudyKind::Online, 90, 1, RecordStatus::Approved);
        a.course_id = Some(7);
        let mut again = a.clone();
        again.occurred_on = day(2);
        let pending = entry(StudyKind::Centralized, 60, 3, RecordStatus::Pending);
        let caps = HashMap::from([(7, 120)]);
        let l = ledger(&[a, again, pending], &caps);
        assert_eq!(
            l.credited(StudyKind::Online),
            120,
            "course 7 is worth 120 minutes"
        );
        assert_eq!(l.credited(StudyKind::Centralized), 0);
        assert_eq!(l.pending[&StudyKind::Centralized], 60);
        assert_eq!(l.online_days, 2);
    }

    fn requirements() -> Requirements {
        crate::program::rules::preset("zaozhuang-2024")
            .unwrap()
            .policy
            .requirements
    }

    fn deadlines() -> Deadlines {
        crate::program::rules::preset("zaozhuang-2024")
            .unwrap()
            .policy
            .deadlines
    }

    #[test]
    fn progress_against_158_60_60_and_the_makeup_window() {
        let entries = [
            entry(StudyKind::Online, 9480, 1, RecordStatus::Approved),
            entry(StudyKind::Centralized, 600, 2, RecordStatus::Approved),
        ];
        let mut entries = entries.to_vec();
        // 9480 minutes cannot fit one day: spread them.
        entries[0].minutes = 840;
        for d in 4..=9 {
            entries.push(entry(StudyKind::Online, 1440, d, RecordStatus::Approved));
        }
        let l = ledger(&entries, &HashMap::new());
        let p = progress(&requirements(), &deadlines(), 2024..=2026, &l, today());
        assert_eq!(p.online.hours.credited_minutes, 9480);
        assert!(p.online.hours.met);
        assert_eq!(p.online.completion_rate, 1.0);
        assert_eq!(p.centralized.credited_minutes, 600);
        assert_eq!(p.completion.status, "in_progress");
        assert_eq!(p.completion.missing_minutes["centralized"], 3000);
        assert_eq!(p.completion.missing_minutes["shadowing"], 3600);
        assert_eq!(p.annual.len(), 3);
        assert_eq!(p.annual[1].online_minutes, 9480);

        let after = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let late = progress(&requirements(), &deadlines(), 2024..=2026, &l, after);
        assert_eq!(late.completion.status, "makeup_study");
        assert_eq!(
            late.completion.makeup_deadline,
            NaiveDate::from_ymd_opt(2027, 2, 28),
            "11-30 + 3 months"
        );
        assert!(late.completion.behind_schedule);
    }

    #[test]
    fn behind_schedule_follows_the_calendar() {
        let end = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let half = elapsed_share(2024, end, NaiveDate::from_ymd_opt(2025, 6, 15).unwrap());
        assert!((0.45..0.55).contains(&half), "{half}");
        assert!(behind(9480, 3000, half));
        assert!(!behind(9480, 6000, half));
        assert!(!behind(9480, 0, 0.0));
    }

    fn arb_entry() -> impl Strategy<Value = Entry> {
        (
            prop::sample::select(StudyKind::ALL.to_vec()),
            1i32..600,
            1u32..=10,
            prop::sample::select(vec![
                RecordStatus::Approved,
                RecordStatus::Pending,
                RecordStatus::Rejected,
            ]),
            prop::option::of(1i64..4),
            prop::option::of(0i32..1000),
        )
            .prop_map(|(kind, minutes, d, status, course, score)| Entry {
                kind,
                minutes,
                occurred_on: day(d),
                interval: None,
                status,
                course_id: if kind == StudyKind::Online {
                    course
                } else {
                    None
                },
                unit_score: score,
            })
    }

    proptest! {
        /// Credited time never exceeds the approved evidence, nor 24 h on any day.
        #[test]
        fn credited_never_exceeds_evidence(entries in prop::collection::vec(arb_entry(), 0..60)) {
            let caps = HashMap::from([(1, 120), (2, 45), (3, 600)]);
            let l = ledger(&entries, &caps);
            let evidence: i32 = entries.iter().filter(|e| e.status == RecordStatus::Approved).map(|e| e.minutes).sum();
            prop_assert!(l.total() <= evidence);
            for d in 1..=10 {
                let that_day: Vec<Entry> = entries.iter().filter(|e| e.occurred_on == day(d)).cloned().collect();
                prop_assert!(ledger(&that_day, &caps).total() <= DAY_MINUTES);
            }
            let by_day: i32 = l.by_year.values().flat_map(|k| k.values()).sum();
            prop_assert_eq!(by_day, l.total());
        }

        /// The order records arrive in never changes the totals.
        #[test]
        fn order_never_changes_the_totals(entries in prop::collection::vec(arb_entry(), 0..60), seed in any::<u64>()) {
            let caps = HashMap::from([(1, 120), (2, 45), (3, 600)]);
            let mut shuffled = entries.clone();
            // A deterministic shuffle from the seed.
            let n = shuffled.len();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(ledger(&entries, &caps), ledger(&shuffled, &caps));
        }

        /// Adding pending or rejected records never changes what is credited.
        #[test]
        fn unapproved_records_never_count(entries in prop::collection::vec(arb_entry(), 0..40), extra in prop::collection::vec(arb_entry(), 0..20)) {
            let caps = HashMap::new();
            let base = ledger(&entries, &caps);
            let mut more = entries.clone();
            more.extend(extra.into_iter().filter(|e| e.status != RecordStatus::Approved));
            prop_assert_eq!(base.by_year, ledger(&more, &caps).by_year);
        }

        /// A record the checks accept keeps every day at or under 24 hours.
        #[test]
        fn accepted_records_keep_days_within_24_hours(minutes in prop::collection::vec(1i32..900, 1..12)) {
            let mut kept: Vec<Entry> = Vec::new();
            for m in minutes {
                let e = entry(StudyKind::Online, m, 5, RecordStatus::Pending);
                if check_new(&e, &kept, 2024..=2026, today()).is_ok() {
                    kept.push(e);
                }
            }
            prop_assert!(kept.iter().map(|e| e.minutes).sum::<i32>() <= DAY_MINUTES);
        }
    }
}
