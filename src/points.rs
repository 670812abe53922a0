//! Points and scores: people add them up, so they are integers — tenths of a point —
//! stored as `INTEGER` and exchanged in JSON as numbers with at most one decimal
//! (API.md: "Scores and points are exchanged as numbers with at most one decimal; they
//! are stored exactly").

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Integer;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number of points, exactly, in tenths (`Points::tenths(855)` = 85.5 points).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = Integer)]
pub struct Points(i32);

impl Points {
    pub const ZERO: Points = Points(0);

    pub const fn tenths(tenths: i32) -> Points {
        Points(tenths)
    }

    pub const fn whole(points: i32) -> Points {
        Points(points * 10)
    }

    pub const fn as_tenths(self) -> i32 {
        self.0
    }

    /// For statistics only (means, correlations); never stored back.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// A number with at most one decimal, within ±100,000 points; anything else is
    /// refused with a message for the user.
    pub fn from_f64(value: f64) -> Result<Points, String> {
        if !value.is_finite() || value.abs() > 100_000.0 {
            return Err("分值应为 -100000 到 100000 之间的数".into());
        }
        let tenths = (value * 10.0).round();
        if (tenths - value * 10.0).abs() > 1e-6 {
            return Err("分值最多保留一位小数".into());
        }
        Ok(Points(tenths as i32))
    }

    /// From text such as `85`, `85.5` or ` 7.0 `.
    pub fn parse(s: &str) -> Result<Points, String> {
        let s = s.trim();
        let value: f64 = s.parse().map_err(|_| format!("「{s}」不是数字"))?;
        Points::from_f64(value)
    }

    /// `self / of` as a fraction (0 when `of` is zero).
    pub fn ratio(self, of: Points) -> f64 {
        if of.0 == 0 {
            0.0
        } else {
            f64::from(self.0) / f64::from(of.0)
        }
    }

    /// `self × n`.
    pub fn times(self, n: i32) -> Points {
        Points(self.0 * n)
    }
}

impl fmt::Display for Points {
    /// `85`, `85.5`, `-0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, tenth) = (self.0.unsigned_abs() / 10, self.0.unsigned_abs() % 10);
        if tenth == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{tenth}")
        }
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0 + other.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, other: Points) {
        self.0 += other.0;
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0 - other.0)
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        Points(iter.map(|p| p.0).sum())
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 10 == 0 {
            s.serialize_i64(i64::from(self.0 / 10))
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(d)?;
        Points::from_f64(value).map_err(serde::de::Error::custom)
    }
}

impl<DB> FromSql<Integer, DB> for Points
where
    DB: Backend,
    i32: FromSql<Integer, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        i32::from_sql(bytes).map(Points)
    }
}

impl<DB> ToSql<Integer, DB> for Points
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.to_sql(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_decimal_at_most() {
        assert_eq!(Points::from_f64(85.5), Ok(Points::tenths(855)));
        assert_eq!(Points::from_f64(0.1 + 0.2), Ok(Points::tenths(3)));
        assert!(Points::from_f64(85.55).is_err());
        assert!(Points::from_f64(f64::NAN).is_err());
        assert_eq!(Points::parse(" 7 "), Ok(Points::whole(7)));
        assert!(Points::parse("七").is_err());
    }

    #[test]
    fn json_is_a_plain_number() {
        assert_eq!(serde_json::to_string(&Points::whole(80)).unwrap(), "80");
        assert_eq!(serde_json::to_string(&Points::tenths(855)).unwrap(), "85.5");
        let p: Points = serde_json::from_str("2.5").unwrap();
        assert_eq!(p, Points::tenths(25));
        assert!(serde_json::from_str::<Points>("2.55").is_err());
    }

    #[test]
    fn shown_without_trailing_zero() {
        assert_eq!(Points::whole(60).to_string(), "60");
        assert_eq!(Points::tenths(-5).to_string(), "-0.5");
        assert_eq!(Points::tenths(1234).to_string(), "123.4");
    }

    proptest! {
        /// Sums are exact whatever the order: the reason points are not floats.
        #[test]
        fn sums_are_exact_and_order_free(mut xs in proptest::collection::vec(-1000i32..1000, 0..50)) {
            let a: Points = xs.iter().map(|&t| Points::tenths(t)).sum();
            xs.reverse();
            let b: Points = xs.iter().map(|&t| Points::tenths(t)).sum();
            prop_assert_eq!(a, b);
            prop_assert_eq!(a.as_tenths(), xs.iter().sum::<i32>());
        }

        /// Every tenth survives JSON.
        #[test]
        fn json_round_trip(t in -1_000_000i32..1_000_000) {
            let p = Points::tenths(t);
            let back: Points = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
            prop_assert_eq!(back, p);
        }
    }
}
