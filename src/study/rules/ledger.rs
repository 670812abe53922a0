//! The ledger's invariants (学时认定), in one place: what a new record must be, what the
//! doctor's day and courses can still take, and what is credited. No I/O, no clock:
//! `today` is passed in. [`crate::study::credit`] loads the facts inside its write
//! transaction into a [`Book`] and asks [`Book::check`] for every line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use crate::points::Points;
use crate::study::{RecordStatus, StudyKind};

/// A day never credits more than 24 hours (Zaozhuang annex 2 §四: every credited hour is
/// real time of one person).
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
    /// Platform unit score.
    pub unit_score: Option<Points>,
}

impl Entry {
    /// Pending and approved records count against the day and against overlaps.
    pub fn counts(&self) -> bool {
        self.status != RecordStatus::Rejected
    }
}

/// Why a record cannot be credited; `field` names what to correct. A `conflict` is a
/// refusal of the current state (409), anything else bad input (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
    pub conflict: bool,
}

fn refuse(field: &'static str, message: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal {
        field,
        message: message.into(),
        conflict: false,
    })
}

/// A timed record already in the book (or earlier in the same batch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub kind: StudyKind,
    /// The stored record; `None` for a line earlier in the same batch.
    pub record: Option<i64>,
}

/// What a line is credited under: its program's years, whether the doctor is in post,
/// and the course's length when it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub years: RangeInclusive<i32>,
    pub in_post: bool,
    pub course_minutes: Option<i32>,
    /// The program's last day of training (11-30 of its last year), when known.
    pub training_ends: Option<NaiveDate>,
    /// For a doctor whose completion is `makeup`: the make-up deadline. Make-up study
    /// is accepted after `training_ends` up to this day.
    pub makeup_until: Option<NaiveDate>,
}

/// Is `day` within the program's training, or within the make-up window of a doctor in
/// make-up (Weifang 五(三): 3 个月内安排补修和补考)? The window runs from the day after
/// the training ends (11-30 of the last year, CST) to the make-up deadline, inclusive.
pub fn check_period(day: NaiveDate, terms: &Terms) -> Result<(), Refusal> {
    let (first, last) = (*terms.years.start(), *terms.years.end());
    let in_years = || {
        refuse(
            "occurred_on",
            format!("日期应在培训项目的年度（{first}—{last} 年）内"),
        )
    };
    if day.year() < first {
        return in_years();
    }
    let Some(ends) = terms.training_ends else {
        return if day.year() > last {
            in_years()
        } else {
            Ok(())
        };
    };
    if day <= ends {
        return Ok(());
    }
    match terms.makeup_until {
        Some(until) if day <= until => Ok(()),
        Some(until) => refuse(
            "occurred_on",
            format!(
                "补修学习应在 {} 至 {until} 之间；{day} 已超过补修期限",
                ends + Duration::days(1)
            ),
        ),
        None => refuse(
            "occurred_on",
            format!("培训已于 {ends} 结束；只有结业状态为“补修补考”的学员可在补修期内登记学习"),
        ),
    }
}

/// The doctors' counting time around the lines being credited: minutes per day, timed
/// records per day, approved minutes per course.
#[derive(Debug, Clone, Default)]
pub struct Book {
    days: HashMap<(i64, NaiveDate), i32>,
    timed: HashMap<(i64, NaiveDate), Vec<Timed>>,
    courses: HashMap<(i64, i64), i32>,
}

impl Book {
    /// Enter a stored record of `doctor` (rejected ones take no time).
    pub fn hold(&mut self, doctor: i64, e: &Entry, record: Option<i64>) {
        if !e.counts() {
            return;
        }
        *self.days.entry((doctor, e.occurred_on)).or_default() += e.minutes;
        if let Some((start, end)) = e.interval {
            self.timed
                .entry((doctor, e.occurred_on))
                .or_default()
                .push(Timed {
                    start,
                    end,
                    kind: e.kind,
                    record,
                });
        }
        if let (RecordStatus::Approved, Some(course)) = (e.status, e.course_id) {
            self.hold_course(doctor, course, e.minutes);
        }
    }

    /// Enter approved minutes of a course (when only the sum is read).
    pub fn hold_course(&mut self, doctor: i64, course: i64, minutes: i32) {
        *self.courses.entry((doctor, course)).or_default() += minutes;
    }

    /// Minutes of `doctor`'s day that already count.
    pub fn day(&self, doctor: i64, day: NaiveDate) -> i32 {
        self.days.get(&(doctor, day)).copied().unwrap_or(0)
    }

    /// Approved minutes of a course.
    pub fn course_used(&self, doctor: i64, course: i64) -> i32 {
        self.courses.get(&(doctor, course)).copied().unwrap_or(0)
    }

    /// Check a new record of `doctor`: the doctor in post; minutes between 1 and 24 h;
    /// the date within the program's years and not in the future; the day's counting
    /// total at most 24 h; no overlap with another timed record (the clash named); an
    /// approved course line within the course's length (a module is earned once).
    pub fn check(
        &self,
        doctor: i64,
        new: &Entry,
        terms: &Terms,
        today: NaiveDate,
    ) -> Result<(), Refusal> {
        if !terms.in_post {
            return Err(Refusal {
                field: "doctor_id",
                message: "该学员已不在岗，不能登记学习".into(),
                conflict: true,
            });
        }
        if !(1..=DAY_MINUTES).contains(&new.minutes) {
            return refuse("minutes", "学习时长应在 1 到 1440 分钟之间");
        }
        if new.occurred_on > today {
            return refuse("occurred_on", "不能登记未来日期的学习");
        }
        check_period(new.occurred_on, terms)?;
        if let Some((start, end)) = new.interval
            && end <= start
        {
            return refuse("ends_at", "结束时间应晚于开始时间");
        }
        let same_day = self.day(doctor, new.occurred_on);
        if same_day + new.minutes > DAY_MINUTES {
            return refuse(
                "minutes",
                format!(
                    "{} 已登记 {} 分钟，再加 {} 分钟将超过一天 24 小时",
                    new.occurred_on, same_day, new.minutes
                ),
            );
        }
        if let Some(clash) = self.clash(doctor, new) {
            let which = match clash.record {
                Some(id) => format!("已登记的{}（记录 {id}", clash.kind.label()),
                None => format!("本次登记的{}（", clash.kind.label()),
            };
            let sep = if clash.record.is_some() { "，" } else { "" };
            return refuse(
                "starts_at",
                format!(
                    "与{which}{sep}{} 至 {}）时间重叠",
                    crate::time::display_cst(clash.start),
                    crate::time::display_cst(clash.end)
                ),
            );
        }
        if new.status == RecordStatus::Approved {
            self.check_course(doctor, new, terms.course_minutes, false)?;
        }
        Ok(())
    }

    /// Check approving a pending record: an online course line must still fit the
    /// course (its day and overlaps were checked when it was recorded).
    pub fn check_approval(
        &self,
        doctor: i64,
        pending: &Entry,
        course_minutes: Option<i32>,
    ) -> Result<(), Refusal> {
        self.check_course(doctor, pending, course_minutes, true)
    }

    fn check_course(
        &self,
        doctor: i64,
        e: &Entry,
        course_minutes: Option<i32>,
        conflict: bool,
    ) -> Result<(), Refusal> {
        let (Some(course), Some(cap)) = (e.course_id, course_minutes) else {
            return Ok(());
        };
        let used = self.course_used(doctor, course);
        if used + e.minutes > cap {
            return Err(Refusal {
                field: "minutes",
                message: format!(
                    "该课程共 {cap} 分钟，已认定 {used} 分钟，不能再计入 {} 分钟",
                    e.minutes
                ),
                conflict,
            });
        }
        Ok(())
    }

    /// The first timed record of the doctor that overlaps `new` (a day either side, for
    /// intervals that cross midnight); back to back is fine.
    fn clash(&self, doctor: i64, new: &Entry) -> Option<&Timed> {
        let (start, end) = new.interval?;
        [-1, 0, 1]
            .iter()
            .filter_map(|d| {
                self.timed
                    .get(&(doctor, new.occurred_on + Duration::days(*d)))
            })
            .flatten()
            .find(|t| start < t.end && t.start < end)
    }

    /// Enter a line just accepted, so the next lines are checked against it.
    pub fn take(&mut self, doctor: i64, new: &Entry) {
        self.hold(doctor, new, None);
    }

    /// Enter an approval just accepted.
    pub fn take_approval(&mut self, doctor: i64, e: &Entry) {
        if let Some(course) = e.course_id {
            self.hold_course(doctor, course, e.minutes);
        }
    }
}

/// [`Book::check`] of one new record of an in-post doctor against its other records.
pub fn check_new(
    new: &Entry,
    existing: &[Entry],
    years: RangeInclusive<i32>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let mut book = Book::default();
    for (i, e) in existing.iter().enumerate() {
        book.hold(0, e, Some(i as i64 + 1));
    }
    let terms = Terms {
        years,
        in_post: true,
        course_minutes: None,
        training_ends: None,
        makeup_until: None,
    };
    book.check(0, new, &terms, today)
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
    /// Add one kind × year of maintained totals (`study_totals`): credited minutes by
    /// year, pending by kind — keys only for minutes there are, as [`ledger`] builds them.
    pub fn add_totals(&mut self, kind: StudyKind, year: i32, credited: i32, pending: i32) {
        if credited != 0 {
            *self
                .by_year
                .entry(year)
                .or_default()
                .entry(kind)
                .or_default() += credited;
        }
        if pending != 0 {
            *self.pending.entry(kind).or_default() += pending;
        }
    }

    /// Credited minutes of a kind, all years.
    pub fn credited(&self, kind: StudyKind) -> i32 {
        self.by_year.values().filter_map(|k| k.get(&kind)).sum()
    }

    /// Credited minutes, all kinds and years.
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
                out.unit_scores.0 += i64::from(score.as_tenths());
                out.unit_scores.1 += 1;
            }
        }
    }
    out.online_days = days.len();
    out
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
