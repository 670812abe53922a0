//! Reading a region CSV: UTF-8 (with or without BOM), Chinese or English headers.

use super::RegionRow;

/// Header names accepted for each column.
const CODE: &[&str] = &["code", "代码", "区划代码", "行政区划代码"];
const NAME: &[&str] = &["name", "名称", "区划名称"];
const PARENT: &[&str] = &["parent_code", "上级代码", "上级区划代码"];
const GB: &[&str] = &["gb", "is_gb", "国标"];

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// Parse the file into rows (data rows only; the header is file row 1). Blank lines are
/// skipped. Errors are whole-file problems (encoding, headers, size).
pub fn parse(bytes: &[u8], max_rows: usize) -> Result<Vec<(usize, RegionRow)>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(
            "文件不是 UTF-8 编码：请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”后再上传".into(),
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("无法读取表头：{e}"))?
        .clone();
    let code = column(&headers, CODE).ok_or("缺少“代码”列（code）")?;
    let name = column(&headers, NAME).ok_or("缺少“名称”列（name）")?;
    let parent = column(&headers, PARENT);
    let gb = column(&headers, GB);
    let mut rows = Vec::new();
    let mut lines = crate::sheet::LineCounter::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("第 {} 行无法解析：{e}", i + 2))?;
        // The line the record starts on, counted from its byte offset: the reader skips
        // blank lines without counting them.
        // (its offset is where the skipped blank lines begin).
        let row_number = record
            .position()
            .map_or(i + 2, |p| lines.line_at(bytes, p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() == max_rows {
            return Err(format!("行数超过上限 {max_rows}，请分批导入"));
        }
        let field = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let gb_value = field(gb);
        rows.push((
            row_number,
            RegionRow {
                code: field(Some(code)),
                name: field(Some(name)),
                parent_code: Some(field(parent)).filter(|p| !p.is_empty()),
                is_gb: !matches!(gb_value.as_str(), "否" | "false" | "0" | "no" | "N" | "n"),
            },
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_bom_and_blank_lines() {
        let text = "\u{FEFF}代码,名称,国标\n370402001,中心街街道,是\n\n370402901,高新区,否\n";
        let rows = parse(text.as_bytes(), 10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4, "row numbers count the blank line");
        assert!(rows[0].1.is_gb && !rows[1].1.is_gb);
    }

    #[test]
    fn whole_file_problems_are_named() {
        assert!(parse(b"foo,bar\n1,2\n", 10).unwrap_err().contains("代码"));
        assert!(
            parse(&[0xB4, 0xFA, 0xC2, 0xEB, b'\n'], 10)
                .unwrap_err()
                .contains("UTF-8")
        );
        let many = format!("code,name\n{}", "370402001,x\n".repeat(3));
        assert!(parse(many.as_bytes(), 2).unwrap_err().contains("上限"));
    }
}
