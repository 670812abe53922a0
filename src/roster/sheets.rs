//! The roster's spreadsheets: the import template and the export (same columns, so an
//! export with full ID numbers can be edited and imported again).

use rust_xlsxwriter::XlsxError;

use super::rules::TEMPLATE_HEADERS;
use super::{DoctorRecord, DoctorStatus, Education, Gender, Qualification};
use crate::sheet::{Column, XlsxBook};

fn columns() -> Vec<Column> {
    let widths = [
        10.0, 22.0, 14.0, 6.0, 12.0, 12.0, 18.0, 14.0, 16.0, 18.0, 10.0, 8.0,
    ];
    TEMPLATE_HEADERS
        .iter()
        .zip(widths)
        .map(|(h, w)| {
            let c = Column::new(h, w);
            match *h {
                "身份证号" | "手机号" => c.text(),
                "性别" => c.choices(&Gender::labels()),
                "学历" => c.choices(&Education::labels()),
                "执业资格" => c.choices(&Qualification::labels()),
                "状态" => c.choices(&DoctorStatus::labels()),
                _ => c,
            }
        })
        .collect()
}

const NOTES: &[&str] = &[
    "学员花名册导入说明",
    "1. 第一行为表头，请勿修改；每名学员一行。带“必填”的列：姓名、身份证号、手机号、学历、执业资格、培训年度。",
    "2. 身份证号须为 18 位，列已设为文本格式；请勿改为数字格式，否则末几位会丢失。",
    "3. 性别、出生日期可不填，系统按身份证号推算；填写时须与身份证号一致。",
    "4. 所在镇、所在村填写名称或行政区划代码（镇 9 位、村 12 位）；村名在本区县有重名时请同时填写所在镇。",
    "5. 村卫生室填写名称；系统中没有的会自动建立。填写村卫生室时须填写所在村。",
    "6. 培训年度为四位年份（如 2024），须在本市培训项目的年度内。状态可填 在岗 / 离岗 / 死亡，不填为在岗。",
    "7. 先“检查”再“导入”：有任何错误时不会写入任何数据；同一身份证号再次导入时更新该学员，不会重复。",
];

/// The import template: headers, drop-downs, one example row, and the notes.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let mut book = XlsxBook::new();
    book.sheet("学员花名册", &columns(), &[])?;
    book.notes("填写说明", NOTES)?;
    book.into_bytes()
}

/// The roster with the given ID numbers (masked or full).
pub fn export(rows: &[(DoctorRecord, String)]) -> Result<Vec<u8>, XlsxError> {
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|(r, id_number)| {
            let v = r.view();
            let d = &r.doctor;
            vec![
                v.name,
                id_number.clone(),
                v.phone,
                d.gender.label().to_owned(),
                v.birth_date.to_string(),
                d.education.label().to_owned(),
                d.qualification.label().to_owned(),
                v.township_code.unwrap_or_default(),
                v.village_code.unwrap_or_default(),
                v.clinic_name.unwrap_or_default(),
                v.cohort_year.to_string(),
                d.status.label().to_owned(),
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("学员花名册", &columns(), &values)?;
    book.into_bytes()
}
