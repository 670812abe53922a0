//! What the fuzz targets share: a fixed ID key, a county to check rows against, and an
//! `.xlsx` built around fuzzed XML. Every function takes arbitrary bytes and must return
//! (an error is fine); a panic, a stack overflow or runaway memory is a finding.

use std::collections::HashMap;
use std::io::{Cursor, Write as _};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use cunyi::bank::formats::{self, Format};
use cunyi::pii::Pii;
use cunyi::regions::{Level, Region};
use cunyi::roster::store::import::{CityProgram, PlaceRow};

/// A synthetic but valid ID number (GB 11643 check digit) of a doctor in the county.
pub const ID_NUMBER: &str = "11010519491231002X";

fn pii() -> &'static Pii {
    static PII: OnceLock<Pii> = OnceLock::new();
    PII.get_or_init(|| match Pii::from_hex(&"ab".repeat(32)) {
        Ok(p) => p,
        Err(e) => panic!("fixed key: {e}"),
    })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default()
}

/// The question-bank import (`POST /api/v1/question-bank/import`) without the database.
pub fn bank(format: Format, data: &[u8]) {
    let _ = formats::import(format, data, "pharmacy", "fuzz");
}

/// The roster import's reading and row checks (`POST /api/v1/doctors/import`).
pub fn roster(data: &[u8]) {
    let Ok(sheet) = cunyi::sheet::read(data, &cunyi::roster::upload_limits()) else {
        return;
    };
    let county = Region {
        code: "370402".into(),
        name: "市中区".into(),
        level: Level::County,
        parent_code: Some("370400".into()),
        path: "/370000/370400/370402/".into(),
        is_gb: true,
        is_demo: false,
    };
    let places = vec![
        PlaceRow {
            code: "370402001".into(),
            name: "中心街道".into(),
            level: Level::Township,
            parent_code: Some("370402".into()),
        },
        PlaceRow {
            code: "370402001001".into(),
            name: "东村".into(),
            level: Level::Village,
            parent_code: Some("370402001".into()),
        },
    ];
    let programs = [CityProgram {
        id: 1,
        start_year: 2024,
        end_year: 2026,
    }];
    let target = cunyi::roster::import::Target {
        county,
        program_id: None,
        dry_run: true,
    };
    let _ =
        cunyi::roster::import::check_offline(&sheet, &target, places, &programs, pii(), today());
}

/// The online-platform export import (`POST /api/v1/study-records/import`): reading
/// and every row's checks, against a county of one doctor and one course.
pub fn platform(data: &[u8]) {
    use cunyi::study::import::{Catalog, County, Named};
    let Ok(sheet) = cunyi::sheet::read(data, &cunyi::study::ops::import::upload_limits()) else {
        return;
    };
    let named = Named {
        id: 7,
        program_id: 1,
        name: "王某华".into(),
    };
    let mut county = County {
        platform: "ncme".into(),
        actor: Some(1),
        ..County::default()
    };
    county
        .by_index
        .insert(pii().blind_index(ID_NUMBER), named.clone());
    county.by_account.insert("wmh2024".into(), 7);
    county.by_id.insert(7, named);
    county.programs.insert(
        1,
        Catalog {
            class_hour_minutes: 45,
            by_code: [("C01".to_owned(), 11)].into_iter().collect(),
            by_title: [("高血压的基层诊疗".to_owned(), "C01".to_owned())]
                .into_iter()
                .collect(),
        },
    );
    let _ = cunyi::study::import::read_offline(&sheet, &county, pii(), today());
}

/// Parts of an `.xlsx`, cut from the input at each `\n----\n`: the worksheet's XML,
/// then the shared strings, then the workbook. Missing parts are filled with small
/// valid ones, so the fuzzer spends its time in the XML, not in zip's checksums.
pub fn xlsx_from_parts(data: &[u8]) -> Vec<u8> {
    let mut parts = split(data, b"\n----\n").into_iter();
    let sheet = parts.next().unwrap_or_default();
    let strings = parts.next().unwrap_or(
        br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>x</t></si></sst>"#,
    );
    let workbook = parts.next().unwrap_or(
        br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    let files: [(&str, &[u8]); 6] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        ("xl/workbook.xml", workbook),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        if zip.start_file(name, options).is_err() || zip.write_all(bytes).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A stored paper read back (`exams::store::papers::read` without the database): the
/// input cut at the first `\n----\n` into the attempt's paper column and one content's
/// JSON, stored under its own key. Every reference names that content (a fuzzer cannot
/// guess a SHA-256), so the option orders, points and lines meet a real content. A paper
/// that joins must split again and join back to itself: anything else is a finding too.
pub fn stored_paper(data: &[u8]) {
    use cunyi::exams::rules::stored::{self, Stored};
    let text = String::from_utf8_lossy(data);
    let (column, body) = text.split_once("\n----\n").unwrap_or((&text, ""));
    let key = stored::key_of(body);
    let Ok(content) = stored::parse_content(&key, body) else {
        let _ = stored::parse(column);
        return;
    };
    let mut refs = match stored::parse(column) {
        Ok(Stored::Refs(refs)) => refs,
        Ok(Stored::Whole(_)) | Err(_) => return,
    };
    for r in &mut refs {
        r.c = key.clone();
    }
    let contents = HashMap::from([(key, Arc::new(content))]);
    let Ok(paper) = stored::join(&refs, &contents) else {
        return;
    };
    let again = match stored::split(&paper) {
        Ok(split) => split,
        Err(e) => panic!("a paper that joined does not split: {e}"),
    };
    let Ok(Stored::Refs(refs_again)) = stored::parse(&again.refs) else {
        panic!("a split paper does not parse: {}", again.refs);
    };
    let contents_again: HashMap<_, _> = again.parsed.into_iter().collect();
    match stored::join(&refs_again, &contents_again) {
        Ok(back) if back == paper => {}
        other => panic!("a paper does not join back to itself: {other:?}"),
    }
}

fn split<'a>(data: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(separator.len()).position(|w| w == separator) {
        out.push(&rest[..at]);
        rest = &rest[at + separator.len()..];
    }
    out.push(rest);
    out
}
