//! Mobile numbers (手机号).

/// A mainland mobile number: 11 digits, `1[3-9]…`; `+86`, spaces and dashes are dropped
/// (MIIT numbering plan: mobile numbers start 13–19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Check a number as people write it (`+86 138-0013-8000`).
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits)
            .to_owned();
        if digits.is_empty() {
            return Err("手机号不能为空".into());
        }
        let b = digits.as_bytes();
        if b.len() != 11
            || !b.iter().all(u8::is_ascii_digit)
            || b[0] != b'1'
            || !(b'3'..=b'9').contains(&b[1])
        {
            return Err(format!("{raw} 不是有效的手机号（11 位，以 13–19 开头）"));
        }
        Ok(Phone(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            Phone::parse("+86 138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        for bad in [
            "",
            "12800138000",
            "1380013800",
            "23800138000",
            "1380013800a",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
