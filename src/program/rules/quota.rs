//! Quotas (名额分配表) and the centralized-learning share: places against enrolled
//! doctors, district by district.

use std::collections::HashMap;

use crate::program::{Quota, QuotaUse, Share};
use crate::roster::DoctorStatus;

/// Is the centralized-learning headcount rule met: `learners / doctors ≥ share`
/// (Zaozhuang annex 2 §四(二): 每年集中学习乡医人数不能低于本区（市）乡医总人数的1/3)?
pub fn share_met(learners: i64, doctors: i64, share: Share) -> bool {
    learners * i64::from(share.denominator) >= doctors * i64::from(share.numerator)
}

/// Enrolled doctors of one district and cohort year, by status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub county_code: String,
    pub cohort_year: i32,
    pub status: DoctorStatus,
    pub doctors: i64,
}

/// Places against enrolled doctors per quota row, for the quota rows whose district is
/// among `districts` (code → name): doctors still in post fill a place; those who left
/// or died are counted apart (Zaozhuang annex 3: 名额 are for doctors in post).
pub fn quota_use(
    quotas: &[Quota],
    districts: &HashMap<String, String>,
    enrolled: &[Enrolled],
) -> Vec<QuotaUse> {
    let mut by_place: HashMap<(&str, i32), (i64, i64)> = HashMap::new();
    for e in enrolled {
        let counts = by_place
            .entry((e.county_code.as_str(), e.cohort_year))
            .or_default();
        if e.status.is_active() {
            counts.0 += e.doctors;
        } else {
            counts.1 += e.doctors;
        }
    }
    quotas
        .iter()
        .filter_map(|q| {
            let name = districts.get(&q.region_code)?;
            let (active, left) = by_place
                .get(&(q.region_code.as_str(), q.year))
                .copied()
                .unwrap_or_default();
            Some(QuotaUse {
                region_code: q.region_code.clone(),
                region_name: name.clone(),
                year: q.year,
                places: q.places,
                enrolled: active,
                left,
                remaining: i64::from(q.places) - active,
            })
        })
        .collect()
}

/// One district across the program's years (the quota table's row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaLine {
    pub region_code: String,
    pub region_name: String,
    pub cells: Vec<Option<QuotaUse>>,
}

/// The quota table: districts (by code) × years, and the yearly totals of places and
/// enrolled doctors.
pub fn quota_table(uses: &[QuotaUse], years: &[i32]) -> (Vec<QuotaLine>, Vec<(i64, i64)>) {
    let mut rows: Vec<QuotaLine> = Vec::new();
    for u in uses {
        if !rows.iter().any(|r| r.region_code == u.region_code) {
            rows.push(QuotaLine {
                region_code: u.region_code.clone(),
                region_name: u.region_name.clone(),
                cells: years
                    .iter()
                    .map(|y| {
                        uses.iter()
                            .find(|x| x.region_code == u.region_code && x.year == *y)
                            .cloned()
                    })
                    .collect(),
            });
        }
    }
    rows.sort_by(|a, b| a.region_code.cmp(&b.region_code));
    let totals = years
        .iter()
        .map(|y| {
            let of_year = uses.iter().filter(|u| u.year == *y);
            (
                of_year.clone().map(|u| i64::from(u.places)).sum(),
                of_year.map(|u| u.enrolled).sum(),
            )
        })
        .collect();
    (rows, totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// More learners never break the rule, and a district where everyone attends
        /// always meets it.
        #[test]
        fn the_share_rule_is_monotone(learners in 0i64..10_000, extra in 0i64..100, doctors in 0i64..10_000,
                                      num in 0i32..5, den in 1i32..6) {
            prop_assume!(num <= den);
            let share = Share { numerator: num, denominator: den };
            if share_met(learners, doctors, share) {
                prop_assert!(share_met(learners + extra, doctors, share));
            }
            prop_assert!(share_met(doctors, doctors, share));
        }
    }

    #[test]
    fn one_third_of_three_hundred_is_a_hundred() {
        let third = Share {
            numerator: 1,
            denominator: 3,
        };
        assert!(share_met(100, 300, third));
        assert!(!share_met(99, 300, third));
    }

    fn quota(region: &str, year: i32, places: i32) -> Quota {
        Quota {
            program_id: 1,
            region_code: region.into(),
            year,
            places,
        }
    }

    #[test]
    fn doctors_in_post_fill_places_and_the_others_are_counted_apart() {
        let quotas = [
            quota("370402", 2024, 10),
            quota("370403", 2024, 5),
            quota("370481", 2024, 9),
        ];
        let districts: HashMap<String, String> = [("370402", "市中区"), ("370403", "薛城区")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let enrolled = [
            Enrolled {
                county_code: "370402".into(),
                cohort_year: 2024,
                status: DoctorStatus::Active,
                doctors: 12,
            },
            Enrolled {
                county_code: "370402".into(),
                cohort_year: 2024,
                status: DoctorStatus::LeftPost,
                doctors: 2,
            },
            Enrolled {
                county_code: "370402".into(),
                cohort_year: 2024,
                status: DoctorStatus::Deceased,
                doctors: 1,
            },
            Enrolled {
                county_code: "370402".into(),
                cohort_year: 2025,
                status: DoctorStatus::Active,
                doctors: 7,
            },
        ];
        let uses = quota_use(&quotas, &districts, &enrolled);
        assert_eq!(uses.len(), 2, "a district outside the scope is left out");
        assert_eq!(
            (uses[0].enrolled, uses[0].left, uses[0].remaining),
            (12, 3, -2)
        );
        assert_eq!(
            (uses[1].enrolled, uses[1].left, uses[1].remaining),
            (0, 0, 5)
        );
        let (rows, totals) = quota_table(&uses, &[2024, 2025]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells[1], None);
        assert_eq!(totals, [(15, 12), (0, 0)]);
    }
}
