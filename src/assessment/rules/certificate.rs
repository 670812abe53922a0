//! Certificates (结业证书): the verification code and what the public check shows —
//! the holder masked, so a code found on a printed certificate reveals no more than
//! the paper itself.

/// Letters and digits that cannot be misread on paper (no 0/O, 1/I/L).
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The code from 12 random bytes: 12 characters of [`ALPHABET`] in groups of four
/// (`K7QM-3XRT-9ABW`); 31¹² ≈ 7.9 × 10¹⁷ codes, so guessing one is hopeless.
pub fn code_from(bytes: &[u8; 12]) -> String {
    let mut out = String::with_capacity(14);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    out
}

/// A code as typed: trimmed, upper case, dashes optional; `None` when it cannot be one.
pub fn normalize(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw
        .trim()
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != 12
        || !chars
            .iter()
            .all(|c| c.is_ascii() && ALPHABET.contains(&(*c as u8)))
    {
        return None;
    }
    let mut out = String::with_capacity(14);
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(*c);
    }
    Some(out)
}

/// A name masked for the public: first and last character kept (`张*三`, `欧阳**锋`);
/// a two-character name keeps its first (`张*`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// A reason for a revocation: 2–200 characters.
pub fn revocation_reason(raw: Option<&str>) -> Result<String, String> {
    let reason = raw.map(str::trim).unwrap_or("");
    let n = reason.chars().count();
    if !(2..=200).contains(&n) {
        return Err("请填写撤销原因（2 到 200 个字）".into());
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back() {
        let code = code_from(&[0, 1, 2, 3, 30, 31, 32, 255, 7, 8, 9, 10]);
        assert_eq!(code, "ABCD-9ABH-HJKM");
        assert_eq!(normalize(" abcd9abhhjkm "), Some(code.clone()));
        assert_eq!(normalize(&code), Some(code));
        assert_eq!(
            normalize("ABCD-9AB9-HJK0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalize("ABC"), None);
    }

    #[test]
    fn names_are_masked_in_the_middle() {
        assert_eq!(mask_name("张三丰"), "张*丰");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小锋"), "欧**锋");
        assert_eq!(mask_name("王"), "*");
    }

    #[test]
    fn a_revocation_needs_a_reason() {
        assert!(revocation_reason(None).is_err());
        assert!(revocation_reason(Some(" 错 ")).is_err());
        assert_eq!(revocation_reason(Some(" 证件伪造 ")), Ok("证件伪造".into()));
    }
}
