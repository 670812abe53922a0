//! Tests of the stored standing: it must answer exactly what [`super::super::progress`]
//! answers on every day.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::program::ProgramDef;
use crate::study::rules::{Ledger, progress};

fn program(key: &str) -> ProgramDef {
    crate::program::rules::preset(key).unwrap()
}

fn ledger(c: &Credited, year: i32) -> Ledger {
    let mut l = Ledger::default();
    for (kind, minutes) in [
        (StudyKind::Online, c.online),
        (StudyKind::Centralized, c.centralized),
        (StudyKind::Shadowing, c.shadowing),
        (StudyKind::Tutoring, c.tutoring),
        (StudyKind::SkillsPractice, c.skills_practice),
    ] {
        l.add_totals(kind, year, minutes, 0);
    }
    l
}

fn of(def: &ProgramDef, c: &Credited) -> Standing {
    standing(
        &def.policy.requirements,
        &def.policy.deadlines,
        def.start_year..=def.end_year,
        c,
    )
}

#[test]
fn nothing_credited_is_behind_from_the_second_day() {
    let def = program("zaozhuang-2024");
    let s = of(&def, &Credited::default());
    assert_eq!(s.bin, 0);
    let from = s.behind_from.unwrap();
    assert_eq!(from, NaiveDate::from_ymd_opt(def.start_year, 1, 2).unwrap());
}

#[test]
fn hours_met_is_never_behind_and_in_the_last_fifth() {
    let def = program("zaozhuang-2024");
    let r = &def.policy.requirements;
    let s = of(
        &def,
        &Credited {
            online: r.online_minutes,
            centralized: r.centralized_minutes,
            shadowing: r.shadowing_minutes,
            ..Credited::default()
        },
    );
    assert_eq!(
        s,
        Standing {
            behind_from: None,
            bin: 5
        }
    );
}

#[test]
fn half_the_hours_are_behind_from_past_the_middle_of_the_period() {
    let def = program("zaozhuang-2024");
    let r = &def.policy.requirements;
    let s = of(
        &def,
        &Credited {
            online: r.online_minutes / 2,
            centralized: r.centralized_minutes / 2,
            shadowing: r.shadowing_minutes / 2,
            ..Credited::default()
        },
    );
    assert_eq!(s.bin, 2);
    let from = s.behind_from.unwrap();
    let start = NaiveDate::from_ymd_opt(def.start_year, 1, 1).unwrap();
    let end = progress::program_end(&def.policy.deadlines, def.end_year).unwrap();
    let middle = start + (end - start) / 2;
    assert!((from - middle).num_days().abs() <= 1, "{from} vs {middle}");
}

fn day_in(def: &ProgramDef, offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(def.start_year - 1, 12, 1).unwrap() + chrono::Duration::days(offset)
}

proptest! {
    #[test]
    fn behind_from_is_the_progress_rule_on_every_day(
        weifang in any::<bool>(),
        online in 0i32..12_000,
        centralized in 0i32..5_000,
        shadowing in 0i32..5_000,
        tutoring in 0i32..5_000,
        skills_practice in 0i32..5_000,
        offset in 0i64..1_600,
    ) {
        let def = program(if weifang { "weifang-2024" } else { "zaozhuang-2024" });
        let c = Credited { online, centralized, shadowing, tutoring, skills_practice };
        let s = of(&def, &c);
        let day = day_in(&def, offset);
        let p = progress::progress(
            &def.policy.requirements,
            &def.policy.deadlines,
            def.start_year..=def.end_year,
            &ledger(&c, def.start_year),
            day,
        );
        prop_assert_eq!(s.behind_from.is_some_and(|b| b <= day), p.completion.behind_schedule);
        prop_assert_eq!(s.bin == 5, p.completion.hours_met);
        if !p.completion.hours_met {
            prop_assert_eq!(s.bin, (p.share() * 5.0 + 1e-9).floor() as i32);
        }
    }

    #[test]
    fn the_day_before_behind_from_is_not_behind(
        online in 0i32..12_000,
        centralized in 0i32..5_000,
        shadowing in 0i32..5_000,
    ) {
        let def = program("zaozhuang-2024");
        let c = Credited { online, centralized, shadowing, ..Credited::default() };
        if let Some(from) = of(&def, &c).behind_from {
            let before = from.pred_opt().unwrap();
            let p = progress::progress(
                &def.policy.requirements,
                &def.policy.deadlines,
                def.start_year..=def.end_year,
                &ledger(&c, def.start_year),
                before,
            );
            prop_assert!(!p.completion.behind_schedule);
        }
    }
}
