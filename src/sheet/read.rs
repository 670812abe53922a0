//! Reading a spreadsheet into rows of cells.

use std::io::Cursor;

use calamine::{DataRef, Reader, SheetVisible, Xlsx};
use chrono::NaiveDate;

/// One cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// An Excel error value (`#N/A`, `#REF!` …).
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a person would read it: whole numbers without `.0`.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A sheet: its header row and data rows, each with its row number in the file (the
/// header is row 1 unless blank rows precede it).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// What a file may not exceed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_rows: usize,
    /// Total uncompressed size of an `.xlsx` archive (a zip bomb is refused unread).
    pub max_uncompressed: u64,
    pub max_columns: usize,
    /// Non-empty cells in all: a small file can repeat one shared string in millions of
    /// cells, so the budget is checked as cells are expanded, not from the file size.
    pub max_cells: usize,
    /// Bytes of cell text in all, after shared strings are expanded.
    pub max_text_bytes: usize,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
            max_uncompressed: 400 * 1024 * 1024,
            max_columns: 64,
            max_cells: 3_000_000,
            max_text_bytes: 64 * 1024 * 1024,
            max_cell_chars: 32_767,
        }
    }
}

/// Counts what a file expands to and refuses it as soon as a budget is passed.
struct Budget<'a> {
    limits: &'a Limits,
    cells: usize,
    text_bytes: usize,
}

impl<'a> Budget<'a> {
    fn new(limits: &'a Limits) -> Budget<'a> {
        Budget {
            limits,
            cells: 0,
            text_bytes: 0,
        }
    }

    /// Account for one non-empty cell found on `row` (1-based, as the user sees it).
    fn take(&mut self, cell: &Cell, row: usize) -> Result<(), String> {
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(format!(
                "表格的单元格超过 {} 个，请分批导入",
                self.limits.max_cells
            ));
        }
        if let Cell::Text(t) | Cell::Error(t) = cell {
            if t.len() > self.limits.max_cell_chars * 4
                || t.chars().count() > self.limits.max_cell_chars
            {
                return Err(format!(
                    "第 {row} 行有单元格超过 {} 个字符，疑似异常文件，已拒绝",
                    self.limits.max_cell_chars
                ));
            }
            self.text_bytes += t.len();
            if self.text_bytes > self.limits.max_text_bytes {
                return Err(format!(
                    "表格文字内容展开后超过 {} MB，疑似异常文件，已拒绝",
                    self.limits.max_text_bytes / 1024 / 1024
                ));
            }
        }
        Ok(())
    }
}

/// Read the first visible sheet of an `.xlsx`, or a `.csv` (UTF-8, or GB18030 as Excel
/// saves it in China). Errors are Chinese messages about the whole file.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Sheet, String> {
    if bytes.len() > limits.max_bytes {
        return Err(format!("文件超过 {} MB", limits.max_bytes / 1024 / 1024));
    }
    if bytes.is_empty() {
        return Err("文件是空的".into());
    }
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, limits)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传".into())
    } else {
        read_csv(bytes, limits)
    }
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Sheet, String> {
    let not_xlsx = || "文件不是有效的 .xlsx 表格".to_owned();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| not_xlsx())?;
        total = total.saturating_add(entry.size());
    }
    if total > limits.max_uncompressed || archive.len() > 10_000 {
        return Err("表格解压后过大，疑似异常文件，已拒绝".into());
    }
    super::guard::shared_strings(&mut archive)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let name = book
        .sheets_metadata()
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .ok_or("表格中没有可见的工作表")?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| format!("无法读取工作表“{name}”：{e}"))?;
    // Rows by number; cells arrive in row order.
    let mut grid: Vec<(u32, Vec<Cell>)> = Vec::new();
    let mut budget = Budget::new(limits);
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| format!("表格内容无法解析：{e}"))?
    {
        let (row, col) = cell.get_position();
        let col = col as usize;
        if col >= limits.max_columns {
            continue;
        }
        let value = convert(cell.get_value());
        if value.is_empty() {
            continue;
        }
        budget.take(&value, row as usize + 1)?;
        if grid.last().is_none_or(|(r, _)| *r != row) {
            if grid.len() > limits.max_rows {
                return Err(format!("行数超过上限 {}，请分批导入", limits.max_rows));
            }
            grid.push((row, Vec::new()));
        }
        if let Some((_, values)) = grid.last_mut() {
            if values.len() <= col {
                values.resize(col + 1, Cell::Empty);
            }
            values[col] = value;
        }
    }
    let mut rows = grid.into_iter().map(|(r, cells)| (r as usize + 1, cells));
    let Some((_, header)) = rows.next() else {
        return Err("表格是空的".into());
    };
    Ok(Sheet {
        headers: header.iter().map(Cell::text).collect(),
        rows: rows.collect(),
    })
}

fn convert(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(dt) => Cell::Date(dt.date()),
            None => Cell::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => {
            match NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Text(s.clone()),
            }
        }
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Sheet, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err("无法识别文件编码：请上传 .xlsx，或 UTF-8 / GBK 编码的 .csv".into());
            }
            decoded.into_owned()
        }
    };
    // A damaged .xlsx that lost its zip header, an image, a .docx…: binary bytes decode
    // as control characters, which no table holds.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err("文件不是表格（含二进制内容）：请上传 .xlsx 或 .csv".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut lines = LineCounter::new();
    let mut budget = Budget::new(limits);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("第 {} 行无法解析：{e}", i + 1))?;
        let line = record
            .position()
            .map_or(i + 1, |p| lines.line_at(text.as_bytes(), p.byte()));
        let mut cells = Vec::with_capacity(record.len().min(limits.max_columns));
        for field in record.iter().take(limits.max_columns) {
            let field = field.trim();
            let cell = if field.is_empty() {
                Cell::Empty
            } else {
                let cell = Cell::Text(field.to_owned());
                budget.take(&cell, line)?;
                cell
            };
            cells.push(cell);
        }
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        if rows.len() > limits.max_rows {
            return Err(format!("行数超过上限 {}，请分批导入", limits.max_rows));
        }
        rows.push((line, cells));
    }
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err("表格是空的".into());
    };
    Ok(Sheet {
        headers: header.iter().map(Cell::text).collect(),
        rows: rows.collect(),
    })
}

/// Line numbers of CSV records, counted as the reader moves forward — linear in the
/// file, however many records (recounting from the start made imports quadratic).
#[derive(Debug, Default)]
pub struct LineCounter {
    pos: usize,
    line: usize,
}

impl LineCounter {
    pub fn new() -> LineCounter {
        LineCounter { pos: 0, line: 1 }
    }

    /// The 1-based line a record starts on, from its byte offset (which points at any
    /// blank lines the reader skipped before it). Offsets must not go backwards.
    pub fn line_at(&mut self, bytes: &[u8], offset: u64) -> usize {
        let mut start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while matches!(bytes.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        if start > self.pos {
            self.line += bytes[self.pos..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.pos = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn csv_in_utf8_and_gb18030_with_row_numbers() {
        let text = "姓名,手机号\n张三,13800138000\n\n李四,13900139000\n";
        let sheet = read(text.as_bytes(), &limits()).unwrap();
        assert_eq!(sheet.headers, ["姓名", "手机号"]);
        assert_eq!(sheet.rows[1].0, 4);
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let sheet = read(&gbk, &limits()).unwrap();
        assert_eq!(sheet.rows[0].1[0], Cell::Text("张三".into()));
    }

    #[test]
    fn binary_and_old_excel_files_are_refused() {
        assert!(
            read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], &limits())
                .unwrap_err()
                .contains(".xls")
        );
        assert!(read(b"\x89PNG\r\n\x1a\n\0\0\0", &limits()).is_err());
        assert!(
            read(b"PK\x03\x04garbage", &limits())
                .unwrap_err()
                .contains("xlsx")
        );
    }

    #[test]
    fn an_archive_claiming_gigabytes_is_refused_before_it_is_inflated() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "姓名").unwrap();
        let mut bytes = book.save_to_buffer().unwrap();
        assert!(read(&bytes, &limits()).is_ok());
        // Claim 4 GB uncompressed for every entry of the central directory.
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(4).position(|w| w == b"PK\x01\x02") {
            let header = i + at;
            bytes[header + 24..header + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
            i = header + 4;
        }
        assert!(read(&bytes, &limits()).unwrap_err().contains("解压后过大"));
    }

    #[test]
    fn one_shared_string_in_many_cells_is_refused_as_it_expands() {
        // 8 KB of file, 40 MB of text once every cell expands its shared string.
        let long = "长".repeat(2_000);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for row in 0..7_000u32 {
            sheet.write_string(row, 0, &long).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 200_000, "{}", bytes.len());
        let small = Limits {
            max_text_bytes: 16 * 1024 * 1024,
            ..limits()
        };
        let e = read(&bytes, &small).unwrap_err();
        assert!(e.contains("展开后超过"), "{e}");
        let few = Limits {
            max_cells: 100,
            ..limits()
        };
        assert!(read(&bytes, &few).unwrap_err().contains("单元格超过 100"));
    }

    #[test]
    fn a_giant_cell_is_refused_naming_its_row() {
        let mut csv = String::from("姓名\n张三\n");
        csv.push_str(&"x".repeat(40_000));
        csv.push('\n');
        let e = read(csv.as_bytes(), &limits()).unwrap_err();
        assert!(e.contains("第 3 行") && e.contains("32767"), "{e}");
    }

    /// A damaged workbook is reported as damaged, never as a table missing its headers.
    #[test]
    fn damaged_workbooks_say_so() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for row in 0..200u32 {
            sheet.write_string(row, 0, format!("张三{row}")).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let truncated = &bytes[..bytes.len() / 2];
        let mut headless = bytes.clone();
        headless[..8].fill(0x20);
        let mut scrambled = bytes.clone();
        let mid = scrambled.len() / 3;
        for b in &mut scrambled[mid..mid + 200] {
            *b ^= 0x5A;
        }
        for damaged in [truncated, &headless[..], &scrambled[..]] {
            let e = read(damaged, &limits()).map(|s| s.headers).unwrap_err();
            assert!(!e.contains("表头"), "{e}");
            assert!(e.contains("xlsx") || e.contains("表格"), "{e}");
        }
    }

    /// Number columns are written as numbers (SUM works), text columns stay text.
    #[test]
    fn number_columns_are_numbers() {
        use crate::sheet::{Column, XlsxBook};
        let mut book = XlsxBook::new();
        let columns = [
            Column::new("编码", 8.0).text(),
            Column::new("学时", 8.0).number(),
            Column::new("备注", 8.0),
        ];
        let rows = vec![
            vec!["0370".into(), "12.5".into(), "3".into()],
            vec!["0371".into(), "未完成".into(), "x".into()],
        ];
        book.sheet("表", &columns, &rows).unwrap();
        let sheet = read(&book.into_bytes().unwrap(), &limits()).unwrap();
        assert_eq!(sheet.rows[0].1[0], Cell::Text("0370".into()));
        assert_eq!(sheet.rows[0].1[1], Cell::Number(12.5));
        assert_eq!(sheet.rows[0].1[2], Cell::Text("3".into()));
        assert_eq!(sheet.rows[1].1[1], Cell::Text("未完成".into()));
    }

    #[test]
    fn whole_numbers_read_without_decimals() {
        assert_eq!(Cell::Number(13800138000.0).text(), "13800138000");
        assert_eq!(Cell::Number(2024.0).text(), "2024");
        assert_eq!(Cell::Number(1.5).text(), "1.5");
    }
}
