//! What an `.xlsx` must not claim before the reader (calamine) opens it.
//!
//! The shared-strings part announces its size (`<sst uniqueCount="…">`) and the reader
//! reserves that many strings up front. A few bytes claiming 10¹⁸ strings made it panic
//! ("capacity overflow"), and a claim of a few billion would make it ask for gigabytes —
//! an allocation whose failure aborts the whole process. Found by the `xlsx_parts` fuzz
//! target (2026-11-30). A part of `size` bytes holds at most `size / 5` strings (`<si/>`
//! is 5 bytes), so a count beyond that is a damaged file, refused here.
//!
//! The check reads the part's raw bytes, not its XML: every `uniqueCount` followed (after
//! blanks, `=` and quotes) by digits is a claim. A parse of the tag would have to agree
//! with the reader's own lenient one on every malformed tag, and the first version of this
//! guard did not: a second `<sst` swallowed into the first one's quoted attribute slipped
//! past it and still made the reader reserve 83 GB (the fuzz target again). Any such digits
//! anywhere in the part are judged, so no reading of the tag can reach a larger number.

use std::io::{Read, Seek};

/// The fewest bytes one shared string takes (`<si/>`).
const MIN_STRING_BYTES: u64 = 5;
/// The attribute whose value the reader reserves.
const CLAIM: &[u8] = b"uniqueCount";

/// Refuse an archive whose shared-strings part announces more strings than it can hold.
pub(super) fn shared_strings<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<(), String> {
    let damaged = || "表格已损坏（共享字符串的数量不可信），请在 Excel 中另存后重新上传".to_owned();
    for i in 0..archive.len() {
        let Ok(mut part) = archive.by_index(i) else {
            continue;
        };
        let shared = part
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        if !shared {
            continue;
        }
        let limit = u128::from(part.size() / MIN_STRING_BYTES);
        let mut scan = Scan::default();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            // A part that cannot be read to its end is the reader's to refuse.
            let n = match part.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &b in &chunk[..n] {
                if scan.byte(b).is_some_and(|claim| claim > limit) {
                    return Err(damaged());
                }
            }
        }
        if scan.end().is_some_and(|claim| claim > limit) {
            return Err(damaged());
        }
    }
    Ok(())
}

/// Where the scan is: matching [`CLAIM`], between it and its value, or in the digits.
#[derive(Debug, Default)]
struct Scan {
    /// Bytes of [`CLAIM`] matched so far.
    matched: usize,
    /// After a whole [`CLAIM`]: `Some(value so far)`, `None` before the first digit.
    value: Option<Option<u128>>,
}

impl Scan {
    /// Take one byte; a claim's value once its digits end.
    fn byte(&mut self, b: u8) -> Option<u128> {
        if let Some(value) = self.value {
            match (b, value) {
                (b'0'..=b'9', _) => {
                    let digit = u128::from(b - b'0');
                    let v = value.unwrap_or(0).saturating_mul(10).saturating_add(digit);
                    self.value = Some(Some(v));
                    return None;
                }
                (b' ' | b'\t' | b'\r' | b'\n' | b'=' | b'"' | b'\'' | b'+', None) => return None,
                _ => {
                    self.value = None;
                    self.advance(b);
                    return value;
                }
            }
        }
        self.advance(b);
        None
    }

    /// The end of the part: a claim whose digits ran to it.
    fn end(&mut self) -> Option<u128> {
        self.value.take().flatten()
    }

    /// Match [`CLAIM`] (Knuth–Morris–Pratt: `uniqu` ends as it begins, so a mismatch
    /// falls back to the longest such border, not to nothing).
    fn advance(&mut self, b: u8) {
        let mut k = self.matched;
        while k > 0 && CLAIM[k] != b {
            k = BORDERS[k - 1];
        }
        if CLAIM[k] == b {
            k += 1;
        }
        if k == CLAIM.len() {
            self.matched = 0;
            self.value = Some(None);
        } else {
            self.matched = k;
        }
    }
}

/// `BORDERS[i]`: the length of the longest proper prefix of `CLAIM[..=i]` that is also
/// its suffix.
const BORDERS: [usize; CLAIM.len()] = {
    let mut out = [0; CLAIM.len()];
    let mut i = 1;
    let mut k = 0;
    while i < CLAIM.len() {
        while k > 0 && CLAIM[i] != CLAIM[k] {
            k = out[k - 1];
        }
        if CLAIM[i] == CLAIM[k] {
            k += 1;
        }
        out[i] = k;
        i += 1;
    }
    out
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn archive(shared: &str) -> zip::ZipArchive<Cursor<Vec<u8>>> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        out.start_file(
            "xl/sharedStrings.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        out.write_all(shared.as_bytes()).unwrap();
        zip::ZipArchive::new(Cursor::new(out.finish().unwrap().into_inner())).unwrap()
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" "#;

    #[test]
    fn an_honest_count_passes_and_a_boastful_one_is_refused() {
        let ok = format!(r#"{HEAD}uniqueCount="2"><si><t>姓名</t></si><si><t>张三</t></si></sst>"#);
        assert_eq!(shared_strings(&mut archive(&ok)), Ok(()));
        let none = format!(r#"{HEAD}><si><t>姓名</t></si></sst>"#);
        assert_eq!(shared_strings(&mut archive(&none)), Ok(()));
        for claim in [
            "0000000000000000000000000000000000004099276460824344803",
            "100000000000",
            "999",
            "+999",
            "999x",
        ] {
            let bad = format!(r#"{HEAD}uniqueCount="{claim}"><si><t>姓名</t></si></sst>"#);
            let e = shared_strings(&mut archive(&bad)).unwrap_err();
            assert!(e.contains("损坏"), "{claim}: {e}");
        }
        // What the reader cannot read as a number, it does not reserve.
        for claim in ["-1", "2x", "&#57;&#57;&#57;"] {
            let odd = format!(r#"{HEAD}uniqueCount="{claim}"><si><t>姓名</t></si></sst>"#);
            assert_eq!(shared_strings(&mut archive(&odd)), Ok(()), "{claim}");
        }
    }

    fn claims(text: &str) -> Vec<u128> {
        let mut scan = Scan::default();
        let mut out: Vec<u128> = text.bytes().filter_map(|b| scan.byte(b)).collect();
        out.extend(scan.end());
        out
    }

    #[test]
    fn every_number_after_the_attribute_name_is_a_claim() {
        assert_eq!(claims(r#"<sst count="3" uniqueCount="2">"#), vec![2]);
        assert_eq!(claims(r#"<sst uniqueCount = '0007' >"#), vec![7]);
        assert_eq!(claims("uniqueCount=\"12"), vec![12]);
        assert_eq!(
            claims(r#"uniquniqueCount="5" uniqueuniqueCount="6""#),
            vec![5, 6]
        );
        assert_eq!(
            claims(r#"uniqueCount="" uniqueCount="x9" uniqueCoun="9""#),
            Vec::<u128>::new()
        );
        assert_eq!(
            claims(r#"uniqueCount="99999999999999999999999999999999999999999999999""#),
            vec![u128::MAX]
        );
        assert_eq!(BORDERS, [0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0]);
    }

    #[test]
    fn a_claim_swallowed_into_a_broken_tag_is_still_judged() {
        // The fuzz target's second crash (regressions/xlsx_parts/crash-2525…): a first
        // `<sst` whose quotes run into the second, so the claim sits in no attribute an
        // XML parser reports, and yet the reader took 3,491,231,002 from it.
        let broken = concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/ming="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="34" uniqueCount="3491231002></si></sst>"#,
        );
        let e = shared_strings(&mut archive(broken)).unwrap_err();
        assert!(e.contains("损坏"), "{e}");
    }

    /// The whole read refuses such a file (the reader used to panic, or abort the process
    /// when the claim was large but not impossible).
    #[test]
    fn a_workbook_claiming_billions_of_strings_is_refused_not_reserved() {
        use std::io::Read as _;
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "姓名").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let limits = super::super::Limits::default();
        assert!(super::super::read(&bytes, &limits).is_ok());
        for claim in ["0000000004099276460824344803", "100000000000"] {
            let mut input = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
            let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for i in 0..input.len() {
                let mut entry = input.by_index(i).unwrap();
                let name = entry.name().unwrap().into_owned();
                let mut text = Vec::new();
                entry.read_to_end(&mut text).unwrap();
                if name.ends_with("sharedStrings.xml") {
                    let xml = String::from_utf8(text).unwrap();
                    let at = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
                    let end = at + xml[at..].find('"').unwrap();
                    text = format!("{}{claim}{}", &xml[..at], &xml[end..]).into_bytes();
                }
                out.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                out.write_all(&text).unwrap();
            }
            let forged = out.finish().unwrap().into_inner();
            let e = super::super::read(&forged, &limits).unwrap_err();
            assert!(e.contains("损坏"), "{claim}: {e}");
        }
    }
}
