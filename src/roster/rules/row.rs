//! Reading one row of a county's roster spreadsheet: its columns as counties head them,
//! every cell checked, every problem reported by column.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{
    DoctorStatus, Education, Gender, IdNumber, PersonName, Phone, Qualification, cohort_year,
    loose_date,
};
use crate::roster::{Person, SheetRow};
use crate::sheet::Cell;

/// The columns a roster spreadsheet may have: canonical key, header aliases, required
/// (the template's columns, and how counties' own sheets head them).
pub const COLUMNS: &[(&str, &[&str], bool)] = &[
    ("name", &["姓名", "name"], true),
    (
        "id_number",
        &["身份证号", "身份证号码", "公民身份号码", "id_number"],
        true,
    ),
    (
        "phone",
        &["手机号", "手机号码", "联系电话", "电话", "phone"],
        true,
    ),
    ("gender", &["性别", "gender"], false),
    ("birth_date", &["出生日期", "birth_date"], false),
    ("education", &["学历", "文化程度", "education"], true),
    (
        "qualification",
        &["执业资格", "执业资质", "qualification"],
        true,
    ),
    (
        "township",
        &[
            "所在镇",
            "所在乡镇",
            "乡镇",
            "乡镇（街道）",
            "镇（街道）",
            "township",
        ],
        false,
    ),
    (
        "village",
        &[
            "所在村",
            "村",
            "村（居）",
            "所在村（居）",
            "village",
            "village_code",
        ],
        false,
    ),
    (
        "clinic",
        &["村卫生室", "所在村卫生室", "卫生室", "clinic"],
        false,
    ),
    ("cohort_year", &["培训年度", "年度", "cohort_year"], true),
    ("status", &["状态", "在岗状态", "status"], false),
];

/// The headers of the template, in order.
pub const TEMPLATE_HEADERS: [&str; 12] = [
    "姓名",
    "身份证号",
    "手机号",
    "性别",
    "出生日期",
    "学历",
    "执业资格",
    "所在镇",
    "所在村",
    "村卫生室",
    "培训年度",
    "状态",
];

/// The problems of a row: the key of each bad cell and a Chinese message.
pub type RowProblems = Vec<(&'static str, String)>;

/// Collects a row's problems; a missing value is only ever the result of one.
struct Cells {
    problems: RowProblems,
}

/// Proof that a cell's problem was recorded.
struct Bad;

impl Cells {
    fn take<T>(&mut self, key: &'static str, r: Result<T, String>) -> Result<T, Bad> {
        r.map_err(|m| {
            self.problems.push((key, m));
            Bad
        })
    }

    fn flag(&mut self, key: &'static str, message: impl Into<String>) {
        self.problems.push((key, message.into()));
    }
}

/// Read one spreadsheet row (cells by canonical key): gender and birth date may be left
/// out (they come from the ID number — GB 11643), given they must agree with it; an ID
/// number stored as a number has lost its last digits. Every problem is reported, by key.
pub fn parse_row(cells: &HashMap<&str, &Cell>, today: NaiveDate) -> Result<SheetRow, RowProblems> {
    let mut c = Cells {
        problems: Vec::new(),
    };
    let text = |key: &str| cells.get(key).map(|c| c.text()).unwrap_or_default();
    let name = c.take("name", PersonName::parse(&text("name")));
    let id_number = match cells.get("id_number") {
        Some(Cell::Number(_)) => c.take(
            "id_number",
            Err("身份证号被存成了数字，末尾几位已丢失：请把该列设为“文本”格式后重新录入".into()),
        ),
        _ => c.take("id_number", IdNumber::parse(&text("id_number"), today)),
    };
    let phone = c.take("phone", Phone::parse(&text("phone")));
    let gender = match text("gender").as_str() {
        "" => id_number.as_ref().map(IdNumber::gender).map_err(|_| Bad),
        g => c.take(
            "gender",
            Gender::recognise(g).ok_or_else(|| format!("性别应为“男”或“女”，而不是 {g:?}")),
        ),
    };
    if let (Ok(g), Ok(id)) = (&gender, &id_number)
        && *g != id.gender()
    {
        c.flag(
            "gender",
            "性别与身份证号不一致（第 17 位奇数为男，偶数为女）",
        );
    }
    let birth_date = match cells.get("birth_date") {
        Some(Cell::Date(d)) => Ok(*d),
        Some(cell) if !cell.is_empty() => c.take("birth_date", loose_date(&cell.text())),
        _ => id_number
            .as_ref()
            .map(IdNumber::birth_date)
            .map_err(|_| Bad),
    };
    if let (Ok(b), Ok(id)) = (&birth_date, &id_number)
        && *b != id.birth_date()
    {
        c.flag(
            "birth_date",
            format!("出生日期与身份证号不一致（身份证号为 {}）", id.birth_date()),
        );
    }
    let education = c.take(
        "education",
        Education::recognise(&text("education"))
            .ok_or_else(|| format!("学历应为 {} 之一", Education::labels().join("、"))),
    );
    let qualification = c.take(
        "qualification",
        Qualification::recognise(&text("qualification"))
            .ok_or_else(|| format!("执业资格应为 {} 之一", Qualification::labels().join("、"))),
    );
    let cohort = c.take("cohort_year", cohort_year(&text("cohort_year")));
    let status = match text("status").as_str() {
        "" => Ok(DoctorStatus::Active),
        s => c.take(
            "status",
            DoctorStatus::recognise(s).ok_or_else(|| "状态应为“在岗”“离岗”或“死亡”".to_owned()),
        ),
    };
    let optional = |key: &str| Some(text(key)).filter(|t| !t.is_empty());
    let person = (|| -> Result<Person, Bad> {
        Ok(Person {
            name: name?,
            id_number: id_number?,
            phone: phone?,
            gender: gender?,
            birth_date: birth_date?,
            education: education?,
            qualification: qualification?,
            cohort_year: cohort?,
            status: status?,
        })
    })();
    match person {
        Ok(person) if c.problems.is_empty() => Ok(SheetRow {
            person,
            township: optional("township"),
            village: optional("village"),
            clinic: optional("clinic"),
        }),
        _ => Err(c.problems),
    }
}

#[cfg(test)]
mod tests {
    use super::super::id_number::tests::{today, with_check};
    use super::*;

    fn row<'a>(pairs: &'a [(&'a str, Cell)]) -> HashMap<&'a str, &'a Cell> {
        pairs.iter().map(|(k, v)| (*k, v)).collect()
    }

    #[test]
    fn a_row_derives_birth_and_gender_from_the_id_and_checks_them_when_given() {
        let id = with_check("37040219800101123");
        let good = [
            ("name", Cell::Text("王某".into())),
            ("id_number", Cell::Text(id.clone())),
            ("phone", Cell::Number(13800138000.0)),
            ("education", Cell::Text("大专".into())),
            ("qualification", Cell::Text("乡村医生".into())),
            ("cohort_year", Cell::Number(2024.0)),
        ];
        let parsed = parse_row(&row(&good), today()).unwrap();
        assert_eq!(parsed.person.gender, Gender::Male);
        assert_eq!(
            parsed.person.birth_date,
            NaiveDate::from_ymd_opt(1980, 1, 1).unwrap()
        );
        assert_eq!(parsed.person.status, DoctorStatus::Active);
        assert_eq!(parsed.village, None);

        let mut bad = good.to_vec();
        bad.push(("gender", Cell::Text("女".into())));
        bad.push((
            "birth_date",
            Cell::Date(NaiveDate::from_ymd_opt(1981, 1, 1).unwrap()),
        ));
        bad[1] = ("id_number", Cell::Number(3.704021980010112e17));
        let errors = parse_row(&row(&bad), today()).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            keys,
            ["id_number"],
            "numbers lose digits; the rest cannot be checked against it"
        );
        bad[1] = ("id_number", Cell::Text(id));
        let keys: Vec<&str> = parse_row(&row(&bad), today())
            .unwrap_err()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(keys, ["gender", "birth_date"]);
    }

    #[test]
    fn every_bad_cell_of_a_row_is_named() {
        let cells = [
            ("name", Cell::Text("王某\u{200B}".into())),
            ("id_number", Cell::Text("370402".into())),
            ("phone", Cell::Text("12345".into())),
            ("education", Cell::Text("幼儿园".into())),
            ("qualification", Cell::Text("?".into())),
            ("cohort_year", Cell::Text("明年".into())),
            ("status", Cell::Text("休假".into())),
        ];
        let keys: Vec<&str> = parse_row(&row(&cells), today())
            .unwrap_err()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(
            keys,
            [
                "name",
                "id_number",
                "phone",
                "education",
                "qualification",
                "cohort_year",
                "status"
            ]
        );
    }
}
