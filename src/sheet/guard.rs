//! What an `.xlsx` must not claim before the reader (calamine) opens it.
//!
//! The shared-strings part announces its size (`<sst uniqueCount="…">`) and the reader
//! reserves that many strings up front. A few bytes claiming 10¹⁸ strings made it panic
//! ("capacity overflow"), and a claim of a few billion would make it ask for gigabytes —
//! an allocation whose failure aborts the whole process. Found by the `xlsx_parts` fuzz
//! target (2026-11-30). A part of `size` bytes holds at most `size / 5` strings (`<si/>`
//! is 5 bytes), so a count beyond that — or one that is not a plain number — is a damaged
//! file, refused here.

use std::io::{BufReader, Read, Seek};

use quick_xml::events::Event;

/// The fewest bytes one shared string takes (`<si/>`).
const MIN_STRING_BYTES: u64 = 5;

/// Refuse an archive whose shared-strings part announces more strings than it can hold.
pub(super) fn shared_strings<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<(), String> {
    let damaged = || "表格已损坏（共享字符串的数量不可信），请在 Excel 中另存后重新上传".to_owned();
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index(i) else {
            continue;
        };
        let shared = part
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        if !shared {
            continue;
        }
        let size = part.size();
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().into_inner() == "sst" => {
                    let claimed = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().into_inner() == "uniqueCount")
                        .map(|a| a.value.into_owned());
                    if let Some(claimed) = claimed {
                        let count: u128 = claimed.trim().parse().map_err(|_| damaged())?;
                        if count > u128::from(size / MIN_STRING_BYTES) {
                            return Err(damaged());
                        }
                    }
                    break;
                }
                // The reader reports what it cannot parse; nothing to reserve then.
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    Ok(())
}

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
            "-1",
            "2x",
        ] {
            let bad = format!(r#"{HEAD}uniqueCount="{claim}"><si><t>姓名</t></si></sst>"#);
            let e = shared_strings(&mut archive(&bad)).unwrap_err();
            assert!(e.contains("损坏"), "{claim}: {e}");
        }
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
