//! The circuit (考站轮转): candidates rotate through the stations. Candidates are taken
//! in waves of as many as there are stations; in a wave the k-th candidate starts at the
//! k-th station and moves one station on each round.

/// Where a candidate is in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Index into the exam's stations.
    pub station: usize,
    /// Minutes after the exam's start.
    pub starts_after: i64,
}

/// The visits of the candidate at `position` (0-based) on a circuit of `stations`
/// stations with rounds of `round_minutes`: every station once, in circuit order.
pub fn circuit(position: usize, stations: usize, round_minutes: i64) -> Vec<Visit> {
    if stations == 0 {
        return Vec::new();
    }
    let wave = position / stations;
    let lane = position % stations;
    (0..stations)
        .map(|round| Visit {
            station: (lane + round) % stations,
            starts_after: i64::try_from(wave * stations + round).unwrap_or(i64::MAX)
                * round_minutes,
        })
        .collect()
}

/// A round's length: the longest station plus two minutes to change over.
pub fn round_minutes(station_minutes: &[i32]) -> i64 {
    i64::from(station_minutes.iter().copied().max().unwrap_or(0)) + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_second_wave_starts_after_the_first_has_gone_round() {
        let v = circuit(4, 3, 10);
        assert_eq!(
            v[0],
            Visit {
                station: 1,
                starts_after: 30
            }
        );
        assert_eq!(
            v[2],
            Visit {
                station: 0,
                starts_after: 50
            }
        );
        assert_eq!(round_minutes(&[8, 15, 10]), 17);
    }

    proptest! {
        /// Every candidate visits every station once, and no station holds two
        /// candidates at the same time.
        #[test]
        fn everyone_everywhere_once_and_never_together(n in 1usize..30, s in 1usize..8) {
            let mut seen = std::collections::HashSet::new();
            for c in 0..n {
                let v = circuit(c, s, 10);
                let mut stations: Vec<usize> = v.iter().map(|x| x.station).collect();
                stations.sort_unstable();
                prop_assert_eq!(stations, (0..s).collect::<Vec<_>>());
                for x in v {
                    prop_assert!(seen.insert((x.station, x.starts_after)));
                }
            }
        }
    }
}
