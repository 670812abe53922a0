//! Writing `.xlsx` files: one sheet of columns with Chinese headers, optional
//! drop-down lists, text-formatted columns (so ID numbers keep all 18 digits), and
//! extra sheets of notes.

use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};

/// A column of an exported sheet.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    /// Store as text (ID numbers, phone numbers, codes), never as numbers.
    pub text: bool,
    /// Store as a number where the value reads as one (hours, minutes, scores), so
    /// SUM and sorting work in the spreadsheet; anything else stays text.
    pub number: bool,
    /// Allowed values offered as a drop-down (templates).
    pub choices: Vec<&'static str>,
}

impl Column {
    pub fn new(header: &'static str, width: f64) -> Column {
        Column {
            header,
            width,
            text: false,
            number: false,
            choices: Vec::new(),
        }
    }

    pub fn text(mut self) -> Column {
        self.text = true;
        self
    }

    pub fn number(mut self) -> Column {
        self.number = true;
        self
    }

    pub fn choices(mut self, choices: &[&'static str]) -> Column {
        self.choices = choices.to_vec();
        self
    }
}

/// A cell's text as a number: plain decimals only (`12`, `-3.5`), never codes or
/// values with units.
fn as_number(value: &str) -> Option<f64> {
    let v = value.trim();
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && !(v.len() > 1 && v.starts_with('0') && !v.starts_with("0."));
    plain
        .then(|| v.parse::<f64>().ok())
        .flatten()
        .filter(|n| n.is_finite())
}

/// A workbook being built.
pub struct XlsxBook {
    book: Workbook,
}

/// Where a report's tables go: an `.xlsx` workbook (a sheet per table) or a printable
/// document (a heading and a table per sheet, `crate::documents::Document`). The same
/// code fills both, so the spreadsheet and the PDF never disagree.
pub trait Book {
    fn sheet(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: &[Vec<String>],
    ) -> Result<(), XlsxError>;
}

impl Book for XlsxBook {
    fn sheet(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: &[Vec<String>],
    ) -> Result<(), XlsxError> {
        XlsxBook::sheet(self, name, columns, rows)
    }
}

impl Book for crate::documents::Document {
    fn sheet(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: &[Vec<String>],
    ) -> Result<(), XlsxError> {
        let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
        self.heading(name);
        if rows.is_empty() {
            self.paragraph("（无）");
        } else {
            self.table(&headers, rows);
        }
        Ok(())
    }
}

impl Default for XlsxBook {
    fn default() -> Self {
        Self::new()
    }
}

impl XlsxBook {
    pub fn new() -> XlsxBook {
        XlsxBook {
            book: Workbook::new(),
        }
    }

    /// Add a sheet of `rows` under `columns`' headers (frozen, bold).
    pub fn sheet(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: &[Vec<String>],
    ) -> Result<(), XlsxError> {
        let bold = Format::new().set_bold().set_background_color("#E0F2F1");
        let text = Format::new().set_num_format("@");
        let sheet = self.book.add_worksheet();
        sheet.set_name(name)?;
        sheet.set_freeze_panes(1, 0)?;
        let last_row = (rows.len() as u32).max(1000);
        for (c, column) in columns.iter().enumerate() {
            let c = c as u16;
            sheet.set_column_width(c, column.width)?;
            if column.text {
                sheet.set_column_format(c, &text)?;
            }
            sheet.write_string_with_format(0, c, column.header, &bold)?;
            if !column.choices.is_empty() {
                let validation = DataValidation::new().allow_list_strings(&column.choices)?;
                sheet.add_data_validation(1, c, last_row, c, &validation)?;
            }
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let number = columns
                    .get(c)
                    .filter(|col| col.number)
                    .and_then(|_| as_number(value));
                match number {
                    Some(n) => sheet.write_number(r as u32 + 1, c as u16, n)?,
                    None => sheet.write_string(r as u32 + 1, c as u16, value)?,
                };
            }
        }
        Ok(())
    }

    /// Add a sheet of notes, one paragraph per row.
    pub fn notes(&mut self, name: &str, lines: &[&str]) -> Result<(), XlsxError> {
        let sheet = self.book.add_worksheet();
        sheet.set_name(name)?;
        sheet.set_column_width(0, 100)?;
        for (i, line) in lines.iter().enumerate() {
            sheet.write_string(i as u32, 0, *line)?;
        }
        Ok(())
    }

    pub fn into_bytes(mut self) -> Result<Vec<u8>, XlsxError> {
        self.book.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{Cell, Limits, read};

    #[test]
    fn what_we_write_we_read_back_with_ids_intact() {
        let mut book = XlsxBook::new();
        let columns = [
            Column::new("姓名", 10.0),
            Column::new("身份证号", 22.0).text(),
        ];
        let rows = vec![vec!["王某".to_owned(), "370402198001011234".to_owned()]];
        book.sheet("花名册", &columns, &rows).unwrap();
        book.notes("说明", &["第一行"]).unwrap();
        let bytes = book.into_bytes().unwrap();
        let sheet = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(sheet.headers, ["姓名", "身份证号"]);
        assert_eq!(sheet.rows[0].0, 2);
        assert_eq!(sheet.rows[0].1[1], Cell::Text("370402198001011234".into()));
    }
}
