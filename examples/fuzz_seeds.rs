//! Writes the generated part of the fuzz seed corpora (`fuzz/corpus/<target>/`): the
//! shipped bank exported as GIFT and `.xlsx`, roster and platform-export sheets as
//! `.xlsx` and `.csv` (UTF-8 and GB18030), and the XML parts of an `.xlsx` for the
//! `xlsx_parts` target. Hand-written seeds (Aiken, Moodle XML, odd GIFT) sit beside them.
//!
//!     cargo run --example fuzz_seeds -- fuzz/corpus

use std::io::Read as _;
use std::path::{Path, PathBuf};

use cunyi::sheet::{Column, XlsxBook};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A synthetic valid ID number (the fuzz county's doctor, see `fuzz/src/lib.rs`).
const ID: &str = "11010519491231002X";

fn main() -> Result<()> {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or("fuzz/corpus".into()));
    let (questions, _) = cunyi::bank::files::shipped();
    // Small files fuzz faster: a few questions of each area and type per seed.
    let mut chunks: Vec<Vec<cunyi::bank::Question>> = Vec::new();
    for (i, chunk) in questions.chunks(4).enumerate() {
        if i % 12 == 0 {
            chunks.push(chunk.to_vec());
        }
    }
    for (i, chunk) in chunks.iter().enumerate() {
        write(
            &root,
            "gift",
            &format!("export-{i:02}.gift"),
            cunyi::bank::export::gift(chunk).as_bytes(),
        )?;
        write(
            &root,
            "bank_xlsx",
            &format!("export-{i:02}.xlsx"),
            &cunyi::bank::export::xlsx(chunk)?,
        )?;
    }

    let roster_rows = vec![
        strings(&[
            "王某华",
            ID,
            "13800138000",
            "女",
            "1949-12-31",
            "中专",
            "乡村医生执业证书",
            "中心街道",
            "东村",
            "东村卫生室",
            "2024",
            "在岗",
        ]),
        strings(&[
            "李某",
            "370402199001011234",
            "1390013900",
            "男",
            "",
            "本科",
            "执业医师",
            "370402001",
            "370402001001",
            "",
            "2030",
            "退休",
        ]),
    ];
    let headers: Vec<&str> = cunyi::roster::rules::TEMPLATE_HEADERS.to_vec();
    write(
        &root,
        "roster_xlsx",
        "template.xlsx",
        &cunyi::roster::sheets::template()?,
    )?;
    let roster = sheet(&headers, &roster_rows)?;
    write(&root, "roster_xlsx", "rows.xlsx", &roster)?;
    write_csv(&root, "roster_csv", "rows", &headers, &roster_rows)?;
    write(&root, "xlsx_parts", "roster.parts", &parts(&roster)?)?;

    let platform_headers = [
        "身份证号",
        "平台账号",
        "姓名",
        "课程名称",
        "学时",
        "分钟",
        "完成日期",
        "单元成绩",
    ];
    let platform_rows = vec![
        strings(&[
            ID,
            "",
            "王某华",
            "高血压的基层诊疗",
            "2",
            "",
            "2025-03-01",
            "86",
        ]),
        strings(&["", "wmh2024", "", "C01", "", "90", "2025/3/2", ""]),
        strings(&[
            "110105194912310021",
            "x",
            "张三",
            "无此课",
            "-1",
            "abc",
            "2099-13-45",
            "101",
        ]),
    ];
    let platform = sheet(&platform_headers, &platform_rows)?;
    write(&root, "platform_export", "rows.xlsx", &platform)?;
    write_csv(
        &root,
        "platform_export",
        "rows",
        &platform_headers,
        &platform_rows,
    )?;
    write(&root, "xlsx_parts", "platform.parts", &parts(&platform)?)?;
    if let Some(first) = chunks.first() {
        write(
            &root,
            "xlsx_parts",
            "bank.parts",
            &parts(&cunyi::bank::export::xlsx(first)?)?,
        )?;
    }
    Ok(())
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn sheet(headers: &[&'static str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let columns: Vec<Column> = headers.iter().map(|h| Column::new(h, 12.0)).collect();
    let mut book = XlsxBook::new();
    book.sheet("Sheet1", &columns, rows)?;
    Ok(book.into_bytes()?)
}

fn write_csv(
    root: &Path,
    target: &str,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<()> {
    let mut text = headers.join(",");
    text.push('\n');
    for row in rows {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    write(root, target, &format!("{name}.csv"), text.as_bytes())?;
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    write(root, target, &format!("{name}-gb18030.csv"), &gbk)
}

/// The worksheet, shared strings and workbook XML of `.xlsx` bytes, joined as the
/// `xlsx_parts` target cuts them.
fn parts(xlsx: &[u8]) -> Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut out = Vec::new();
    for (i, name) in [
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
        "xl/workbook.xml",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            out.extend_from_slice(b"\n----\n");
        }
        archive.by_name(name)?.read_to_end(&mut out)?;
    }
    Ok(out)
}

fn write(root: &Path, target: &str, name: &str, bytes: &[u8]) -> Result<()> {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)?;
    Ok(())
}
