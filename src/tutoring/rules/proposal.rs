//! Forming learning groups (学习小组): doctors grouped by education, age band and
//! practice qualification, as the county chooses, at most `max_size` to a group, the
//! doctors of one township kept together where they fit (Zaozhuang annex 2 §四(三):
//! 按照学历、年龄、执业资格等情况分成若干学习小组).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::roster::{Education, Qualification};

crate::text_enum! {
    /// What a proposal groups by.
    pub enum Criterion {
        Education = "education" / "学历",
        AgeBand = "age_band" / "年龄段",
        Qualification = "qualification" / "执业资格",
    }
}

crate::text_enum! {
    /// An age band, in whole years on the day of the proposal.
    pub enum AgeBand {
        Under30 = "under_30" / "30岁以下",
        Thirties = "30s" / "30–39岁",
        Forties = "40s" / "40–49岁",
        Fifties = "50s" / "50–59岁",
        Over60 = "60_plus" / "60岁及以上",
    }
}

/// Age band of someone born on `birth`, on `today`.
pub fn age_band(birth: NaiveDate, today: NaiveDate) -> AgeBand {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    match age {
        ..=29 => AgeBand::Under30,
        30..=39 => AgeBand::Thirties,
        40..=49 => AgeBand::Forties,
        50..=59 => AgeBand::Fifties,
        _ => AgeBand::Over60,
    }
}

/// A doctor to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub doctor_id: i64,
    /// The township (or whatever keeps neighbours together): its region code.
    pub township: String,
    pub education: Education,
    pub birth_date: NaiveDate,
    pub qualification: Qualification,
}

/// A proposed group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub name: String,
    /// What its doctors share, in words (`大专 · 40–49岁`).
    pub criteria: String,
    pub doctor_ids: Vec<i64>,
}

/// The groups a county would get: one bucket per combination of the chosen criteria,
/// each bucket cut into groups of at most `max_size`; a township's doctors stay in one
/// group when they fit (first fit, biggest township first), and a township larger
/// than `max_size` fills whole groups before its remainder is placed. Every candidate
/// lands in exactly one group. `max_size` below 1 is treated as 1.
pub fn propose(
    candidates: &[Candidate],
    by: &[Criterion],
    max_size: usize,
    today: NaiveDate,
) -> Vec<Proposed> {
    let max_size = max_size.max(1);
    type Key = (Option<Education>, Option<AgeBand>, Option<Qualification>);
    let mut buckets: BTreeMap<Key, BTreeMap<&str, Vec<i64>>> = BTreeMap::new();
    for c in candidates {
        let key = (
            by.contains(&Criterion::Education).then_some(c.education),
            by.contains(&Criterion::AgeBand)
                .then(|| age_band(c.birth_date, today)),
            by.contains(&Criterion::Qualification)
                .then_some(c.qualification),
        );
        buckets
            .entry(key)
            .or_default()
            .entry(c.township.as_str())
            .or_default()
            .push(c.doctor_id);
    }
    let mut out = Vec::new();
    for ((education, band, qualification), townships) in buckets {
        let mut words: Vec<&str> = Vec::new();
        words.extend(education.map(Education::label));
        words.extend(band.map(AgeBand::label));
        words.extend(qualification.map(Qualification::label));
        let criteria = if words.is_empty() {
            "不分类".to_owned()
        } else {
            words.join(" · ")
        };
        for ids in pack(townships, max_size) {
            let n = out.len() + 1;
            out.push(Proposed {
                name: format!("第{n}学习小组"),
                criteria: criteria.clone(),
                doctor_ids: ids,
            });
        }
    }
    out
}

/// First-fit decreasing over townships: whole townships where they fit.
fn pack(townships: BTreeMap<&str, Vec<i64>>, max_size: usize) -> Vec<Vec<i64>> {
    let mut towns: Vec<(&str, Vec<i64>)> = townships.into_iter().collect();
    towns.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut groups: Vec<Vec<i64>> = Vec::new();
    for (_, mut ids) in towns {
        ids.sort_unstable();
        while ids.len() > max_size {
            groups.push(ids.drain(..max_size).collect());
        }
        if ids.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|g| g.len() + ids.len() <= max_size) {
            Some(g) => g.extend(ids),
            None => groups.push(ids),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cand(id: i64, town: &str, edu: Education, born: i32) -> Candidate {
        Candidate {
            doctor_id: id,
            township: town.into(),
            education: edu,
            birth_date: day(born, 6, 1),
            qualification: Qualification::VillageDoctorCert,
        }
    }

    #[test]
    fn age_bands_count_whole_years() {
        let today = day(2026, 6, 1);
        assert_eq!(age_band(day(1996, 6, 2), today), AgeBand::Under30);
        assert_eq!(age_band(day(1996, 6, 1), today), AgeBand::Thirties);
        assert_eq!(age_band(day(1966, 6, 1), today), AgeBand::Over60);
    }

    #[test]
    fn townships_stay_together_when_they_fit() {
        let today = day(2026, 6, 1);
        let c = [
            cand(1, "A", Education::Secondary, 1980),
            cand(2, "B", Education::Secondary, 1980),
            cand(3, "A", Education::Secondary, 1980),
            cand(4, "B", Education::Secondary, 1980),
            cand(5, "C", Education::Secondary, 1980),
        ];
        let groups = propose(&c, &[], 2, today);
        let sets: Vec<Vec<i64>> = groups.iter().map(|g| g.doctor_ids.clone()).collect();
        assert_eq!(sets, vec![vec![1, 3], vec![2, 4], vec![5]]);
        assert_eq!(groups[0].criteria, "不分类");
    }

    #[test]
    fn criteria_split_the_buckets_and_name_them() {
        let today = day(2026, 6, 1);
        let c = [
            cand(1, "A", Education::Secondary, 1980),
            cand(2, "A", Education::College, 1980),
            cand(3, "A", Education::Secondary, 1990),
        ];
        let groups = propose(&c, &[Criterion::Education], 10, today);
        assert_eq!(groups.len(), 2);
        let by_age = propose(&c, &[Criterion::Education, Criterion::AgeBand], 10, today);
        assert_eq!(by_age.len(), 3);
        assert!(
            by_age
                .iter()
                .any(|g| g.criteria == "中专（高中） · 40–49岁" && g.doctor_ids == [1]),
            "{by_age:?}"
        );
    }

    fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec((0usize..4, 0usize..5, 1950i32..2000, 0usize..4), 0..60).prop_map(
            |rows| {
                rows.into_iter()
                    .enumerate()
                    .map(|(i, (t, e, born, q))| Candidate {
                        doctor_id: i as i64 + 1,
                        township: format!("T{t}"),
                        education: Education::ALL[e],
                        birth_date: NaiveDate::from_ymd_opt(born, 3, 1).unwrap(),
                        qualification: Qualification::ALL[q % Qualification::ALL.len()],
                    })
                    .collect()
            },
        )
    }

    proptest! {
        #[test]
        fn every_doctor_lands_in_exactly_one_group_of_at_most_max_size(
            c in candidates(),
            max_size in 1usize..12,
            by in prop::sample::subsequence(Criterion::ALL.to_vec(), 0..=3),
        ) {
            let groups = propose(&c, &by, max_size, day(2026, 6, 1));
            let mut placed: Vec<i64> = groups.iter().flat_map(|g| g.doctor_ids.clone()).collect();
            placed.sort_unstable();
            let mut all: Vec<i64> = c.iter().map(|c| c.doctor_id).collect();
            all.sort_unstable();
            prop_assert_eq!(placed, all);
            for g in &groups {
                prop_assert!(!g.doctor_ids.is_empty() && g.doctor_ids.len() <= max_size);
            }
            let mut names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            prop_assert_eq!(names.len(), groups.len());
        }

        #[test]
        fn a_township_that_fits_is_never_split(c in candidates(), max_size in 1usize..12) {
            let groups = propose(&c, &[], max_size, day(2026, 6, 1));
            let mut towns: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
            for x in &c {
                towns.entry(x.township.as_str()).or_default().push(x.doctor_id);
            }
            for ids in towns.values().filter(|ids| ids.len() <= max_size) {
                let holding: Vec<usize> = groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.doctor_ids.iter().any(|d| ids.contains(d)))
                    .map(|(i, _)| i)
                    .collect();
                prop_assert_eq!(holding.len(), 1);
            }
        }
    }
}
