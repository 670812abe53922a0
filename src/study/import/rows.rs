//! Steps 1 and 3 of an import: the export's columns, and its rows read into ledger
//! lines (who, which course, how long, when, the score) — or a row error each.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::context::County;
use crate::error::AppError;
use crate::pii::Pii;
use crate::roster::RowError;
use crate::sheet::{Cell, Sheet, column_letter, map_headers};
use crate::study::rules::import as check;
use crate::study::{NewRecord, RecordStatus, Source, StudyKind};

/// Which column holds what.
#[derive(Debug, Clone)]
pub struct Columns {
    found: HashMap<&'static str, usize>,
    headers: Vec<String>,
}

impl Columns {
    /// Step 1: find the columns; the export is refused when a required one is missing.
    pub fn map(sheet: &Sheet) -> Result<Columns, AppError> {
        let found = map_headers(&sheet.headers, check::COLUMNS);
        let missing = check::missing_columns(|k| found.contains_key(k));
        if !missing.is_empty() {
            return Err(AppError::field(
                "file",
                format!("表头缺少必填列：{}", missing.join("、")),
            ));
        }
        Ok(Columns {
            found,
            headers: sheet.headers.clone(),
        })
    }

    /// A column for messages: its header and letter (`课程名称（C列）`).
    pub fn describe(&self, key: &str) -> String {
        self.found
            .get(key)
            .map(|&i| format!("{}（{}列）", self.headers[i], column_letter(i)))
            .unwrap_or_else(|| key.to_owned())
    }

    fn cell<'a>(&self, cells: &'a [Cell], key: &str) -> &'a Cell {
        const EMPTY: &Cell = &Cell::Empty;
        self.found
            .get(key)
            .and_then(|&i| cells.get(i))
            .unwrap_or(EMPTY)
    }
}

/// The rows as ledger lines, and the rows that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub lines: Vec<NewRecord>,
    /// The sheet row of each line.
    pub line_rows: Vec<usize>,
    pub errors: Vec<RowError>,
    /// Row problems counted but not kept.
    pub errors_more: usize,
    /// Rows in the sheet.
    pub rows: usize,
}

/// Step 3: read every row; a row that names no doctor in post of the county, no course
/// of its program, or bad numbers is an error with its row and column.
pub fn read(
    sheet: &Sheet,
    columns: &Columns,
    county: &County,
    pii: &Pii,
    today: NaiveDate,
) -> Parsed {
    let mut out = Parsed {
        rows: sheet.rows.len(),
        ..Parsed::default()
    };
    for (row_number, cells) in &sheet.rows {
        match line(cells, columns, county, pii, today) {
            Ok(record) => {
                out.lines.push(record);
                out.line_rows.push(*row_number);
            }
            Err((key, message)) => crate::roster::push_error(
                &mut out.errors,
                &mut out.errors_more,
                RowError {
                    row: *row_number,
                    field: key.to_owned(),
                    column: columns.describe(key),
                    message,
                },
            ),
        }
    }
    out
}

type RowResult<T> = Result<T, (&'static str, String)>;

fn line(
    cells: &[Cell],
    columns: &Columns,
    county: &County,
    pii: &Pii,
    today: NaiveDate,
) -> RowResult<NewRecord> {
    let cell = |key: &str| columns.cell(cells, key);
    let doctor = who(cell("id_number"), cell("account"), county, pii, today)?;
    let name = cell("name").text();
    if !name.is_empty() && name != doctor.name {
        return Err((
            "name",
            format!("姓名与花名册不一致（花名册为 {}）", doctor.name),
        ));
    }
    let program = county
        .programs
        .get(&doctor.program_id)
        .ok_or(("id_number", "该学员的培训项目不存在".to_owned()))?;
    let course_text = cell("course").text();
    let (code, course_id) = program.course(&course_text).ok_or_else(|| {
        (
            "course",
            format!("课程“{course_text}”不在培训项目的课程目录中"),
        )
    })?;
    let minutes = check::minutes(
        &cell("minutes").text(),
        &cell("class_hours").text(),
        program.class_hour_minutes,
    )?;
    let occurred_on = check::completed_on(cell("date")).map_err(|m| ("date", m))?;
    let unit_score = check::unit_score(cell("score")).map_err(|m| ("score", m))?;
    let platform = county.platform.as_str();
    Ok(NewRecord {
        doctor_id: doctor.id,
        kind: StudyKind::Online,
        minutes,
        occurred_on,
        interval: None,
        course_id: Some(course_id),
        session_id: None,
        rotation_id: None,
        source: Source::Platform,
        source_ref: check::source_ref(platform, &code, occurred_on),
        status: RecordStatus::Approved,
        evidence: Some(format!("{platform} 导出：{course_text}")),
        unit_score,
        created_by: county.actor,
    })
}

/// The doctor a row names: by ID number, else by platform account.
fn who<'a>(
    id_cell: &Cell,
    account_cell: &Cell,
    county: &'a County,
    pii: &Pii,
    today: NaiveDate,
) -> RowResult<&'a super::context::Named> {
    let id_text = id_cell.text();
    let account = account_cell.text();
    if !id_text.is_empty() {
        let id = crate::roster::IdNumber::parse(&id_text, today).map_err(|m| ("id_number", m))?;
        return county
            .by_index
            .get(&pii.blind_index(id.as_str()))
            .ok_or(("id_number", "本区县在岗学员中没有此身份证号".to_owned()));
    }
    if !account.is_empty() {
        return county
            .by_account
            .get(&account)
            .and_then(|id| county.by_id.get(id))
            .ok_or_else(|| {
                (
                    "account",
                    format!("平台账号 {account} 未关联本区县的在岗学员"),
                )
            });
    }
    Err(("id_number", "身份证号和平台账号至少填写一项".to_owned()))
}
