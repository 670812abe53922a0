//! 平时考核 and 年度考核 (Weifang plan 五(一)(二)): the ongoing assessment's online and
//! offline parts, each 0–100 points, combined with the program's weights with the
//! annual exam into the annual comprehensive score. Pure: every fact comes in. Scores
//! are [`Points`] (tenths); the arithmetic is integer, rounded half up once at the end
//! of each part.

use crate::points::Points;
use crate::program::Weights;

/// Full marks of a part, in tenths (100 points).
pub const FULL: i64 = 1000;

/// Inner weights of the online part (percent): 线上学习完成率、学习过程参与（活跃）度、
/// 单元学习成绩 — Weifang 五(一) names the three, not their weights [P].
pub const ONLINE_PARTS: OnlineWeights = OnlineWeights {
    completion: 50,
    activity: 20,
    units: 30,
};

/// Inner weights of the offline part (percent): 线下集中教学出勤情况、单项技能考核、
/// 学习态度及综合职业能力 — Weifang 五(一) names the three, not their weights [P].
pub const OFFLINE_PARTS: OfflineWeights = OfflineWeights {
    attendance: 40,
    skills: 30,
    rating: 30,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnlineWeights {
    pub completion: i64,
    pub activity: i64,
    pub units: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflineWeights {
    pub attendance: i64,
    pub skills: i64,
    pub rating: i64,
}

/// What one doctor did in one training year: the facts of the ongoing assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearFacts {
    /// Credited online minutes of the year, and the year's share of the online target.
    pub online_minutes: i32,
    pub online_target: i32,
    /// Days with credited online study, and the year's target of active days.
    pub active_days: i32,
    pub active_days_target: i32,
    /// Unit-test results of the year, percent of full marks (empty: none held).
    pub unit_scores: Vec<Points>,
    /// Credited centralized minutes of the year and the year's target.
    pub centralized_minutes: i32,
    pub centralized_target: i32,
    /// Single-skill exam results of the year, percent (empty: none held).
    pub single_skills: Vec<Points>,
    /// The county's rating of attitude and ability, 0–100 (None: not rated yet, 0).
    pub rating: Option<Points>,
}

/// The ongoing assessment of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ongoing {
    pub online: Points,
    pub offline: Points,
    /// online and offline by their weights in the program (0–100).
    pub score: Points,
}

/// A rate as tenths of 100 points: `done / target`, capped at full marks; a target of
/// zero is met.
pub fn rate(done: i32, target: i32) -> i64 {
    if target <= 0 {
        return FULL;
    }
    (i64::from(done.max(0)) * FULL / i64::from(target)).min(FULL)
}

/// The mean of percent scores, clamped to 0–100 points; `None` when there are none.
pub fn mean(scores: &[Points]) -> Option<i64> {
    if scores.is_empty() {
        return None;
    }
    let sum: i64 = scores
        .iter()
        .map(|p| i64::from(p.as_tenths()).clamp(0, FULL))
        .sum();
    Some(div_round(sum, scores.len() as i64))
}

/// `a / b` rounded half up (b > 0, a ≥ 0).
fn div_round(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

/// Weighted mean of the parts that exist: a part with no facts (no unit test, no
/// single-skill exam held that year) is left out and the others carry its weight.
fn weighted(parts: &[(i64, Option<i64>)]) -> Points {
    let (mut sum, mut weight) = (0i64, 0i64);
    for (w, value) in parts {
        if let Some(v) = value {
            sum += w * v.clamp(&0, &FULL);
            weight += w;
        }
    }
    if weight == 0 {
        return Points::ZERO;
    }
    Points::tenths(div_round(sum, weight) as i32)
}

/// The online part: completion rate of the year's online hours, active days, unit
/// scores (Weifang 五(一) 线上考核).
pub fn online_part(f: &YearFacts) -> Points {
    let w = ONLINE_PARTS;
    weighted(&[
        (w.completion, Some(rate(f.online_minutes, f.online_target))),
        (w.activity, Some(rate(f.active_days, f.active_days_target))),
        (w.units, mean(&f.unit_scores)),
    ])
}

/// The offline part: attendance at centralized teaching, single-skill scores, the
/// county's rating (Weifang 五(一) 线下考核由县级卫生健康行政部门负责).
pub fn offline_part(f: &YearFacts) -> Points {
    let w = OFFLINE_PARTS;
    weighted(&[
        (
            w.attendance,
            Some(rate(f.centralized_minutes, f.centralized_target)),
        ),
        (w.skills, mean(&f.single_skills)),
        (
            w.rating,
            Some(f.rating.map_or(0, |r| i64::from(r.as_tenths()))),
        ),
    ])
}

/// The ongoing assessment: online and offline parts by the program's weights (Weifang
/// 五(一) 考核成绩计入年度考核总分).
pub fn ongoing(f: &YearFacts, weights: &Weights) -> Ongoing {
    let online = online_part(f);
    let offline = offline_part(f);
    let score = weighted(&[
        (
            i64::from(weights.ongoing_online.max(0)),
            Some(i64::from(online.as_tenths())),
        ),
        (
            i64::from(weights.ongoing_offline.max(0)),
            Some(i64::from(offline.as_tenths())),
        ),
    ]);
    Ongoing {
        online,
        offline,
        score,
    }
}

/// The annual comprehensive score (年度综合考核成绩): the ongoing parts and the annual
/// exam (percent of its full marks; not sat counts 0) by the program's weights.
pub fn annual_score(ongoing: &Ongoing, exam: Option<Points>, weights: &Weights) -> Points {
    let exam = exam.map_or(0, |e| i64::from(e.as_tenths()));
    let w = |x: i32| i64::from(x.max(0));
    let sum = w(weights.ongoing_online) * i64::from(ongoing.online.as_tenths())
        + w(weights.ongoing_offline) * i64::from(ongoing.offline.as_tenths())
        + w(weights.annual_exam) * exam.clamp(0, FULL);
    let total = w(weights.ongoing_online) + w(weights.ongoing_offline) + w(weights.annual_exam);
    if total == 0 {
        return Points::ZERO;
    }
    Points::tenths(div_round(sum, total) as i32)
}

/// Passed: the comprehensive score reaches the program's annual pass mark (percent) —
/// 年度考核合格后方能进入下一年度的学习培训.
pub fn annual_passed(score: Points, pass_mark: i32) -> bool {
    score >= Points::whole(pass_mark)
}

/// An exam's score as percent of its full marks, in tenths (rounded half up).
pub fn percent(score: Points, max: Points) -> Points {
    if max.as_tenths() <= 0 {
        return Points::ZERO;
    }
    let s = i64::from(score.as_tenths().max(0));
    let p = div_round(s * FULL, i64::from(max.as_tenths())).min(FULL);
    Points::tenths(p as i32)
}

/// The year's share of a three-year target (rounded up: each year carries its part).
pub fn yearly(total: i32, years: i32) -> i32 {
    if years <= 0 {
        return total;
    }
    (total + years - 1) / years
}

/// A year's online activity from the ledger: distinct days with approved online study
/// and the platform's unit scores (Weifang 五(一) 学习过程参与（活跃）度、单元学习成绩).
pub fn year_activity(entries: &[crate::study::rules::Entry], year: i32) -> (i32, Vec<Points>) {
    use chrono::Datelike;
    let mut days = std::collections::BTreeSet::new();
    let mut scores = Vec::new();
    for e in entries {
        if e.kind == crate::study::StudyKind::Online
            && e.status == crate::study::RecordStatus::Approved
            && e.occurred_on.year() == year
        {
            days.insert(e.occurred_on);
            if let Some(s) = e.unit_score {
                scores.push(s);
            }
        }
    }
    (days.len() as i32, scores)
}

/// The year's target of active days: about an hour a day of the year's online hours
/// [P] (the plans name activity, not a number).
pub fn active_days_target(online_target_minutes: i32) -> i32 {
    (online_target_minutes.max(0) + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weights() -> Weights {
        Weights {
            ongoing_online: 30,
            ongoing_offline: 30,
            annual_exam: 40,
        }
    }

    fn facts() -> YearFacts {
        YearFacts {
            online_minutes: 1580,
            online_target: 3160,
            active_days: 20,
            active_days_target: 40,
            unit_scores: vec![Points::whole(80), Points::whole(90)],
            centralized_minutes: 1200,
            centralized_target: 1200,
            single_skills: vec![Points::whole(70)],
            rating: Some(Points::whole(90)),
        }
    }

    #[test]
    fn the_documented_example_adds_up() {
        // online: 50% × 50 + 20% × 50 + 30% × 85 = 25 + 10 + 25.5 = 60.5
        // offline: 40% × 100 + 30% × 70 + 30% × 90 = 40 + 21 + 27 = 88
        let o = ongoing(&facts(), &weights());
        assert_eq!(o.online, Points::tenths(605));
        assert_eq!(o.offline, Points::whole(88));
        // (60.5 + 88) / 2 = 74.25 → 74.3 (half up)
        assert_eq!(o.score, Points::tenths(743));
        // 30% × 60.5 + 30% × 88 + 40% × 75 = 18.15 + 26.4 + 30 = 74.55 → 74.6
        let score = annual_score(&o, Some(Points::whole(75)), &weights());
        assert_eq!(score, Points::tenths(746));
        assert!(annual_passed(score, 60));
        assert!(!annual_passed(Points::tenths(599), 60));
        assert!(annual_passed(Points::whole(60), 60));
    }

    #[test]
    fn a_part_without_facts_is_left_out_and_a_missing_rating_counts_zero() {
        let mut f = facts();
        f.unit_scores.clear();
        f.single_skills.clear();
        // online: (50 × 50 + 20 × 50) / 70 = 50
        assert_eq!(online_part(&f), Points::whole(50));
        // offline: (40 × 100 + 30 × 90) / 70 = 95.7
        assert_eq!(offline_part(&f), Points::tenths(957));
        f.rating = None;
        // (40 × 100 + 30 × 0) / 70 = 57.1
        assert_eq!(offline_part(&f), Points::tenths(571));
        assert_eq!(
            annual_score(&ongoing(&f, &weights()), None, &weights()),
            Points::tenths(321)
        );
    }

    #[test]
    fn rates_and_percents() {
        assert_eq!(rate(50, 0), FULL);
        assert_eq!(rate(3000, 1000), FULL);
        assert_eq!(rate(-5, 1000), 0);
        assert_eq!(
            percent(Points::whole(45), Points::whole(60)),
            Points::whole(75)
        );
        assert_eq!(percent(Points::whole(1), Points::ZERO), Points::ZERO);
        assert_eq!(yearly(9480, 3), 3160);
        assert_eq!(yearly(100, 3), 34);
    }

    fn arb_facts() -> impl Strategy<Value = YearFacts> {
        (
            (0..5000i32, 0..5000i32, 0..80i32, 0..80i32),
            proptest::collection::vec(0..=1000i32, 0..4),
            (0..3000i32, 0..3000i32),
            proptest::collection::vec(0..=1000i32, 0..3),
            proptest::option::of(0..=1000i32),
        )
            .prop_map(
                |((om, ot, ad, at), units, (cm, ct), skills, rating)| YearFacts {
                    online_minutes: om,
                    online_target: ot,
                    active_days: ad,
                    active_days_target: at,
                    unit_scores: units.into_iter().map(Points::tenths).collect(),
                    centralized_minutes: cm,
                    centralized_target: ct,
                    single_skills: skills.into_iter().map(Points::tenths).collect(),
                    rating: rating.map(Points::tenths),
                },
            )
    }

    fn arb_weights() -> impl Strategy<Value = Weights> {
        (0..=100i32, 0..=100i32, 0..=100i32).prop_map(|(a, b, c)| Weights {
            ongoing_online: a,
            ongoing_offline: b,
            annual_exam: c,
        })
    }

    fn total(f: &YearFacts, exam: Option<Points>, w: &Weights) -> Points {
        annual_score(&ongoing(f, w), exam, w)
    }

    proptest! {
        /// Every score stays within 0–100 points.
        #[test]
        fn scores_stay_within_bounds(f in arb_facts(), w in arb_weights(), exam in proptest::option::of(0..=1000i32)) {
            let o = ongoing(&f, &w);
            for p in [o.online, o.offline, o.score, annual_score(&o, exam.map(Points::tenths), &w)] {
                prop_assert!((0..=1000).contains(&p.as_tenths()), "{p}");
            }
        }

        /// Doing more of anything never lowers the score: monotone in every part.
        #[test]
        fn the_score_is_monotone_in_every_part(
            f in arb_facts(), w in arb_weights(), exam in 0..=1000i32,
            part in 0usize..7, more in 1..500i32,
        ) {
            let before = total(&f, Some(Points::tenths(exam)), &w);
            let mut g = f.clone();
            let mut exam_after = exam;
            match part {
                0 => g.online_minutes += more,
                1 => g.active_days += more,
                2 => if let Some(u) = g.unit_scores.first_mut() { *u = Points::tenths((u.as_tenths() + more).min(1000)) },
                3 => g.centralized_minutes += more,
                4 => if let Some(s) = g.single_skills.first_mut() { *s = Points::tenths((s.as_tenths() + more).min(1000)) },
                5 => g.rating = Some(Points::tenths((g.rating.map_or(0, |r| r.as_tenths()) + more).min(1000))),
                _ => exam_after = (exam + more).min(1000),
            }
            let after = total(&g, Some(Points::tenths(exam_after)), &w);
            prop_assert!(after >= before, "{before} → {after} (part {part})");
            let o1 = ongoing(&f, &w);
            let o2 = ongoing(&g, &w);
            prop_assert!(o2.online >= o1.online && o2.offline >= o1.offline && o2.score >= o1.score);
        }
    }
}
