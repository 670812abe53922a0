//! Citizen ID-card numbers (公民身份号码) — GB 11643-1999.

use chrono::{Datelike, NaiveDate};

use super::Gender;

/// Province-level codes of GB/T 2260 (the first two digits of an ID number).
pub(crate) const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// GB 11643-1999 weights of the 17 digits (ISO 7064 MOD 11-2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character of 17 digits — GB 11643-1999 §5.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// A citizen ID-card number (公民身份号码): 18 characters, a valid province, a real birth
/// date not after today, and the right check character — GB 11643-1999. It carries the
/// birth date and gender its digits encode.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber {
    digits: String,
    birth: NaiveDate,
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    /// Check a number as written (white space dropped, a lower-case x accepted) —
    /// GB 11643-1999 §4–5.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<IdNumber, String> {
        let id: String = raw
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if id.is_empty() {
            return Err("身份证号不能为空".into());
        }
        if id.chars().count() != 18 {
            return Err(format!(
                "身份证号应为 18 位，现为 {} 位",
                id.chars().count()
            ));
        }
        let bytes = id.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err("身份证号前 17 位应为数字，最后一位为数字或 X".into());
        }
        if !PROVINCES.contains(&&id[..2]) {
            return Err(format!("身份证号的地址码 {} 不是有效的省级代码", &id[..6]));
        }
        let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d")
            .map_err(|_| format!("身份证号中的出生日期 {} 不存在", &id[6..14]))?;
        if birth.year() < 1900 || birth > today {
            return Err(format!("身份证号中的出生日期 {birth} 不合理"));
        }
        if char::from(bytes[17]) != check_char(&bytes[..17]) {
            return Err("身份证号校验位不正确，请核对是否有录入错误".into());
        }
        Ok(IdNumber { digits: id, birth })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The birth date of digits 7–14 — GB 11643-1999 §4.2.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }

    /// The 17th digit: odd for men, even for women — GB 11643-1999 §4.3.
    pub fn gender(&self) -> Gender {
        if (self.digits.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// `370402********1234`, as every page and list shows it.
    pub fn masked(&self) -> String {
        crate::pii::mask_id_number(&self.digits)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// A valid number from its first 17 digits.
    pub(crate) fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn known_numbers_parse_and_expose_birth_and_gender() {
        // The worked example of GB 11643-1999 (11010519491231002X).
        let id = IdNumber::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110105********002X");
        let man = IdNumber::parse(&with_check("37040219800101123"), today()).unwrap();
        assert_eq!(man.gender(), Gender::Male);
        assert!(!format!("{man:?}").contains("19800101"), "Debug is masked");
    }

    #[test]
    fn wrong_lengths_dates_provinces_and_check_digits_are_refused() {
        let cases = [
            ("", "不能为空"),
            ("37040219800101123", "18 位"),
            ("3704021980010112345", "18 位"),
            (&with_check("37040219800230123"), "不存在"),
            (&with_check("37040218800101123"), "不合理"),
            (&with_check("37040220300101123"), "不合理"),
            (&with_check("99040219800101123"), "省级"),
            ("370402198001011230", "校验位"),
            ("37040219800101123Y", "数字或 X"),
        ];
        for (raw, why) in cases {
            let e = IdNumber::parse(raw, today()).unwrap_err();
            assert!(e.contains(why), "{raw}: {e}");
        }
    }

    pub(crate) fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(PROVINCES.to_vec()),
            0u32..10_000,
            1900i32..2026,
            1u32..=12,
            1u32..=28,
            0u32..1000,
        )
            .prop_map(|(p, area, y, m, d, seq)| {
                with_check(&format!("{p}{area:04}{y:04}{m:02}{d:02}{seq:03}"))
            })
    }

    proptest! {
        /// Every generated valid number parses, and its birth date is its digits 7–14.
        #[test]
        fn every_valid_number_parses(id in valid_id()) {
            let parsed = IdNumber::parse(&id, today());
            prop_assert!(parsed.is_ok(), "{}", id);
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.birth_date().format("%Y%m%d").to_string(), &id[6..14]);
        }

        /// Changing any one character to any other is caught.
        #[test]
        fn every_single_character_change_is_rejected(id in valid_id(), pos in 0usize..18, repl in prop::sample::select("0123456789X".chars().collect::<Vec<_>>())) {
            let mut chars: Vec<char> = id.chars().collect();
            prop_assume!(chars[pos] != repl);
            chars[pos] = repl;
            let changed: String = chars.into_iter().collect();
            prop_assert!(IdNumber::parse(&changed, today()).is_err(), "{} accepted", changed);
        }
    }
}
