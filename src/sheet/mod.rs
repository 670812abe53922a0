//! Spreadsheets in and out: reading the `.xlsx` and `.csv` files county bureaus keep
//! (safely: size, row and decompression caps), and writing `.xlsx` templates, exports
//! and sign-in sheets. Shared by every import and export.

mod guard;
mod read;
mod write;

pub use read::{Cell, Limits, LineCounter, Sheet, read};
pub use write::{Book, Column, XlsxBook};

/// Which column a header names, by the aliases a column accepts (Chinese and English,
/// compared without spaces and case). Returns column indexes by canonical key.
pub fn map_headers<'a>(
    headers: &[String],
    columns: &[(&'a str, &[&str])],
) -> std::collections::HashMap<&'a str, usize> {
    let normal = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut found = std::collections::HashMap::new();
    for (key, aliases) in columns {
        if let Some(i) = headers
            .iter()
            .position(|h| aliases.iter().any(|a| normal(h) == normal(a)))
        {
            found.insert(*key, i);
        }
    }
    found
}

/// The letter of a 0-based column (0 → A, 26 → AA), for messages.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
    }

    #[test]
    fn headers_match_aliases_ignoring_spaces_stars_and_case() {
        let headers = vec![
            "姓 名".to_owned(),
            "*身份证号".to_owned(),
            "Phone".to_owned(),
        ];
        let found = map_headers(
            &headers,
            &[
                ("name", &["姓名"]),
                ("id", &["身份证号"]),
                ("phone", &["phone"]),
                ("x", &["无"]),
            ],
        );
        assert_eq!(found["name"], 0);
        assert_eq!(found["id"], 1);
        assert_eq!(found["phone"], 2);
        assert!(!found.contains_key("x"));
    }
}
