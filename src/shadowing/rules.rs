//! Pure rules of shadowing: dates that nest, days that are real working time, who sees
//! a placement and who signs a rotation off, assessment scores.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::auth::Role;
use crate::error::Problems;
use crate::orgs::OrgKind;
use crate::points::Points;

/// A date range that is not reversed and lies in the program's years.
pub fn check_range(
    p: &mut Problems,
    starts: Option<NaiveDate>,
    ends: Option<NaiveDate>,
    years: &std::ops::RangeInclusive<i32>,
) {
    use chrono::Datelike;
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            p.add("ends_on", "结束日期不能早于开始日期");
        } else if !years.contains(&s.year()) || !years.contains(&e.year()) {
            p.add(
                "starts_on",
                format!(
                    "日期应在培训项目年度（{}—{}）内",
                    years.start(),
                    years.end()
                ),
            );
        }
    }
}

/// A rotation lies within its placement (科室轮转 is part of the placement).
pub fn within(outer: (NaiveDate, NaiveDate), inner: (NaiveDate, NaiveDate)) -> bool {
    inner.0 >= outer.0 && inner.1 <= outer.1
}

/// `HH:MM`.
pub fn parse_time(raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| format!("时间 {raw:?} 应写作 08:00"))
}

/// A day's log as an interval in UTC and its minutes: Beijing wall times on one day,
/// end after start.
pub fn log_interval(
    day: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
) -> Result<(NaiveDateTime, NaiveDateTime, i32), String> {
    if end <= start {
        return Err("结束时间应晚于开始时间".into());
    }
    let offset = chrono::Duration::hours(8);
    let (s, e) = (day.and_time(start) - offset, day.and_time(end) - offset);
    Ok((s, e, (e - s).num_minutes() as i32))
}

/// An assessment score (出科考核、结业考核): 0–100 points, one decimal at most.
pub fn check_score(points: Points) -> Result<Points, String> {
    if (Points::ZERO..=Points::whole(100)).contains(&points) {
        Ok(points)
    } else {
        Err("考核成绩应在 0 到 100 之间".into())
    }
}

/// A shadowing base is an organization of the program's city above the village
/// clinic: a training base, a promotion centre, a township centre or a hospital
/// (脱产跟班学习 in 上级医疗卫生机构).
pub fn base_allowed(in_city: bool, kind: Option<OrgKind>) -> bool {
    in_city && kind.is_some_and(|k| k != OrgKind::VillageClinic)
}

/// How the caller relates to a placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Admin,
    Doctor,
    /// An instructor supervising one of its rotations.
    Supervisor(i64),
}

/// Who sees a placement: admins whose subtree holds the doctor, the doctor itself, and
/// the instructors supervising one of its rotations.
pub fn relation(
    role: Role,
    admin_sees: bool,
    own: bool,
    supervises: Option<i64>,
) -> Option<Relation> {
    match role {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin if admin_sees => Some(Relation::Admin),
        Role::Doctor if own => Some(Relation::Doctor),
        Role::Instructor => supervises.map(Relation::Supervisor),
        _ => None,
    }
}

/// A rotation is signed off by its own supervisor or an admin, never by the doctor
/// (带教老师签字确认); once.
pub fn may_sign(how: Relation, supervisor: Option<i64>, signed: bool) -> bool {
    !signed
        && match how {
            Relation::Admin => true,
            Relation::Supervisor(t) => supervisor == Some(t),
            Relation::Doctor => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    #[test]
    fn a_day_of_shadowing_is_beijing_time_stored_in_utc() {
        let (s, e, minutes) = log_interval(
            d(3, 10),
            parse_time("08:00").unwrap(),
            parse_time("12:30").unwrap(),
        )
        .unwrap();
        assert_eq!(s, d(3, 10).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(e, d(3, 10).and_hms_opt(4, 30, 0).unwrap());
        assert_eq!(minutes, 270);
        assert!(
            log_interval(
                d(3, 10),
                parse_time("12:00").unwrap(),
                parse_time("08:00").unwrap()
            )
            .is_err()
        );
        assert!(parse_time("8点").is_err());
    }

    #[test]
    fn rotations_nest_in_their_placement() {
        assert!(within((d(3, 1), d(5, 31)), (d(3, 1), d(3, 31))));
        assert!(!within((d(3, 1), d(5, 31)), (d(2, 28), d(3, 31))));
    }

    #[test]
    fn scores_are_points_from_0_to_100() {
        assert_eq!(check_score(Points::tenths(885)), Ok(Points::tenths(885)));
        assert_eq!(
            check_score(Points::whole(80)).map(|p| p.to_string()),
            Ok("80".into())
        );
        assert!(check_score(Points::whole(101)).is_err());
        assert!(check_score(Points::tenths(-1)).is_err());
    }

    #[test]
    fn bases_are_above_the_village_clinic_and_in_the_city() {
        assert!(base_allowed(true, Some(OrgKind::CountyHospital)));
        assert!(!base_allowed(true, Some(OrgKind::VillageClinic)));
        assert!(!base_allowed(false, Some(OrgKind::TrainingBase)));
        assert!(!base_allowed(true, None));
    }

    #[test]
    fn who_sees_and_who_signs() {
        assert_eq!(
            relation(Role::CountyAdmin, true, false, None),
            Some(Relation::Admin)
        );
        assert_eq!(relation(Role::CountyAdmin, false, false, None), None);
        assert_eq!(
            relation(Role::Doctor, false, true, None),
            Some(Relation::Doctor)
        );
        assert_eq!(
            relation(Role::Instructor, false, false, Some(4)),
            Some(Relation::Supervisor(4))
        );
        assert_eq!(relation(Role::Instructor, true, false, None), None);
        assert!(may_sign(Relation::Admin, None, false));
        assert!(may_sign(Relation::Supervisor(4), Some(4), false));
        assert!(!may_sign(Relation::Supervisor(4), Some(5), false));
        assert!(!may_sign(Relation::Doctor, None, false));
        assert!(!may_sign(Relation::Admin, None, true), "once");
    }
}
