//! Pure rules of the roster: ID-card numbers (GB 11643-1999), mobile numbers, names,
//! the codes of the other fields, and reading one spreadsheet row.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::{DoctorInput, DoctorStatus, Education, Gender, Place, Qualification};
use crate::sheet::Cell;

/// Province-level codes of GB/T 2260 (the first two digits of an ID number).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// GB 11643-1999 weights of the 17 digits (ISO 7064 MOD 11-2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character of 17 digits — GB 11643-1999 §5.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// A citizen ID-card number (公民身份号码): 18 characters, a valid province, a real birth
/// date not after today, and the right check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", crate::pii::mask_id_number(&self.0))
    }
}

impl IdNumber {
    pub fn parse(raw: &str, today: NaiveDate) -> Result<IdNumber, String> {
        let id: String = raw
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if id.is_empty() {
            return Err("身份证号不能为空".into());
        }
        if id.chars().count() != 18 {
            return Err(format!(
                "身份证号应为 18 位，现为 {} 位",
                id.chars().count()
            ));
        }
        let bytes = id.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err("身份证号前 17 位应为数字，最后一位为数字或 X".into());
        }
        if !PROVINCES.contains(&&id[..2]) {
            return Err(format!("身份证号的地址码 {} 不是有效的省级代码", &id[..6]));
        }
        let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d")
            .map_err(|_| format!("身份证号中的出生日期 {} 不存在", &id[6..14]))?;
        if birth.year() < 1900 || birth > today {
            return Err(format!("身份证号中的出生日期 {birth} 不合理"));
        }
        let expected = check_char(&bytes[..17]);
        if char::from(bytes[17]) != expected {
            return Err("身份证号校验位不正确，请核对是否有录入错误".into());
        }
        Ok(IdNumber(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// The 17th digit: odd for men, even for women.
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    pub fn masked(&self) -> String {
        crate::pii::mask_id_number(&self.0)
    }
}

/// A mainland mobile number: 11 digits, `1[3-9]…`; `+86`, spaces and dashes are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits)
            .to_owned();
        if digits.is_empty() {
            return Err("手机号不能为空".into());
        }
        let b = digits.as_bytes();
        if b.len() != 11
            || !b.iter().all(u8::is_ascii_digit)
            || b[0] != b'1'
            || !(b'3'..=b'9').contains(&b[1])
        {
            return Err(format!("{raw} 不是有效的手机号（11 位，以 13–19 开头）"));
        }
        Ok(Phone(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name: 1–30 characters, no digits or control characters (ethnic names may
/// contain ·).
pub fn person_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err("姓名不能为空".into());
    }
    if len > 30 || name.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
        return Err("姓名应为 1–30 个字符，且不含数字".into());
    }
    Ok(name.to_owned())
}

/// A cohort (training) year.
pub fn cohort_year(raw: &str) -> Result<i32, String> {
    let t = raw.trim().trim_end_matches('年').trim_end_matches("年度");
    match t.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(format!("培训年度应为四位年份（如 2024），而不是 {raw:?}")),
    }
}

/// A date as people write it: 1980-01-02, 1980/1/2, 1980.1.2, 19800102, 1980年1月2日.
pub fn loose_date(raw: &str) -> Result<NaiveDate, String> {
    let t = raw.trim();
    let normal: String = t
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_owned();
    for fmt in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(&normal, fmt) {
            return Ok(d);
        }
    }
    Err(format!("日期 {t:?} 无法识别，请写作 1980-01-02"))
}

/// The county-level district of a region path: its deepest 6-digit code (townships
/// and villages have 9 and 12 digits).
pub fn county_of_path(path: &str) -> Option<String> {
    path.split('/').rfind(|c| c.len() == 6).map(str::to_owned)
}

/// The subtree of the ancestor `code` of a node with this path (empty if not an ancestor).
pub fn ancestor_scope(path: &str, code: &str) -> crate::regions::Scope {
    let marker = format!("/{code}/");
    let prefix = path
        .find(&marker)
        .map(|i| &path[..i + marker.len()])
        .unwrap_or("//");
    crate::regions::Scope::new(code, prefix)
}

/// The columns a roster spreadsheet may have: canonical key, header aliases, required.
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

/// Read one spreadsheet row (cells by canonical key). Every problem is reported, by key.
pub fn parse_row(
    cells: &HashMap<&str, &Cell>,
    today: NaiveDate,
) -> Result<DoctorInput, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let text = |key: &str| cells.get(key).map(|c| c.text()).unwrap_or_default();
    fn take_into<T>(
        errors: &mut Vec<(&'static str, String)>,
        key: &'static str,
        r: Result<T, String>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                errors.push((key, m));
                None
            }
        }
    }
    macro_rules! take {
        ($key:expr, $r:expr $(,)?) => {
            take_into(&mut errors, $key, $r)
        };
    }
    let name = take!("name", person_name(&text("name")));
    let id_number = match cells.get("id_number") {
        Some(Cell::Number(_)) => take!(
            "id_number",
            Err("身份证号被存成了数字，末尾几位已丢失：请把该列设为“文本”格式后重新录入".into()),
        ),
        _ => take!("id_number", IdNumber::parse(&text("id_number"), today)),
    };
    let phone = take!("phone", Phone::parse(&text("phone")));
    let gender = match text("gender").as_str() {
        "" => id_number.as_ref().map(IdNumber::gender),
        g => take!(
            "gender",
            Gender::parse(g).ok_or_else(|| format!("性别应为“男”或“女”，而不是 {g:?}"))
        ),
    };
    if let (Some(g), Some(id)) = (gender, &id_number)
        && g != id.gender()
    {
        errors.push((
            "gender",
            "性别与身份证号不一致（第 17 位奇数为男，偶数为女）".into(),
        ));
    }
    let birth_date = match cells.get("birth_date") {
        Some(Cell::Date(d)) => Some(*d),
        Some(c) if !c.is_empty() => take!("birth_date", loose_date(&c.text())),
        _ => id_number.as_ref().map(IdNumber::birth_date),
    };
    if let (Some(b), Some(id)) = (birth_date, &id_number)
        && b != id.birth_date()
    {
        errors.push((
            "birth_date",
            format!("出生日期与身份证号不一致（身份证号为 {}）", id.birth_date()),
        ));
    }
    let education = take!(
        "education",
        Education::parse(&text("education"))
            .ok_or_else(|| format!("学历应为 {} 之一", Education::labels().join("、"))),
    );
    let qualification = take!(
        "qualification",
        Qualification::parse(&text("qualification"))
            .ok_or_else(|| format!("执业资格应为 {} 之一", Qualification::labels().join("、"))),
    );
    let cohort = take!("cohort_year", cohort_year(&text("cohort_year")));
    let status = match text("status").as_str() {
        "" => Some(DoctorStatus::Active),
        s => take!(
            "status",
            DoctorStatus::parse(s).ok_or_else(|| "状态应为“在岗”“离岗”或“死亡”".to_owned())
        ),
    };
    let optional = |key: &str| Some(text(key)).filter(|t| !t.is_empty());
    let place = Place::Names {
        township: optional("township"),
        village: optional("village"),
    };
    let clinic = optional("clinic");
    match (
        name,
        id_number,
        phone,
        gender,
        birth_date,
        education,
        qualification,
        cohort,
        status,
    ) {
        (
            Some(name),
            Some(id_number),
            Some(phone),
            Some(gender),
            Some(birth_date),
            Some(education),
            Some(qualification),
            Some(cohort_year),
            Some(status),
        ) if errors.is_empty() => Ok(DoctorInput {
            name,
            id_number,
            phone,
            gender,
            birth_date,
            education,
            qualification,
            cohort_year,
            status,
            place,
            clinic,
            program_id: None,
        }),
        _ => Err(errors),
    }
}

/// Check an API body (`POST`/`PUT /api/v1/doctors`). Birth date and gender may be left
/// out (they come from the ID number); given, they must agree with it.
pub fn check_body(
    body: &super::DoctorBody,
    today: NaiveDate,
) -> crate::error::AppResult<DoctorInput> {
    use crate::error::{AppError, Problems};
    let mut p = Problems::new();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let name = p.take("name", person_name(&text(&body.name)));
    let id_number = p.take("id_number", IdNumber::parse(&text(&body.id_number), today));
    let phone = p.take("phone", Phone::parse(&text(&body.phone)));
    let gender = match body
        .gender
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        None => id_number.as_ref().map(IdNumber::gender),
        Some(g) => p.take(
            "gender",
            Gender::parse(g).ok_or_else(|| "性别应为 male 或 female".to_owned()),
        ),
    };
    if let (Some(g), Some(id)) = (gender, &id_number)
        && g != id.gender()
    {
        p.add("gender", "性别与身份证号不一致");
    }
    let birth_date = match body
        .birth_date
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        None => id_number.as_ref().map(IdNumber::birth_date),
        Some(b) => p.take("birth_date", loose_date(b)),
    };
    if let (Some(b), Some(id)) = (birth_date, &id_number)
        && b != id.birth_date()
    {
        p.add("birth_date", "出生日期与身份证号不一致");
    }
    let education = p.take(
        "education",
        Education::parse(&text(&body.education)).ok_or_else(|| {
            "学历应为 junior_high、secondary、college、bachelor 或 master".to_owned()
        }),
    );
    let qualification = p.take(
        "qualification",
        Qualification::parse(&text(&body.qualification)).ok_or_else(|| {
            "执业资格应为 village_doctor_cert、assistant_physician、physician 或 none".to_owned()
        }),
    );
    let region = match (body.village_code.as_deref(), body.region_code.as_deref()) {
        (Some(v), _) if !v.trim().is_empty() => {
            p.take("village_code", crate::regions::RegionCode::parse(v))
        }
        (_, r) => p.take(
            "region_code",
            crate::regions::RegionCode::parse(r.unwrap_or("")),
        ),
    };
    if body.program_id.is_none() {
        p.add("program_id", "必填：学员参加的培训项目");
    }
    let cohort = match body.cohort_year {
        Some(y) => p.take("cohort_year", cohort_year(&y.to_string())),
        None => {
            p.add("cohort_year", "必填：培训年度");
            None
        }
    };
    let status = match body
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(DoctorStatus::Active),
        Some(s) => p.take(
            "status",
            DoctorStatus::parse(s)
                .ok_or_else(|| "状态应为 active、left_post 或 deceased".to_owned()),
        ),
    };
    p.finish()?;
    match (
        name,
        id_number,
        phone,
        gender,
        birth_date,
        education,
        qualification,
        region,
        cohort,
        status,
    ) {
        (
            Some(name),
            Some(id_number),
            Some(phone),
            Some(gender),
            Some(birth_date),
            Some(education),
            Some(qualification),
            Some(region),
            Some(cohort_year),
            Some(status),
        ) => Ok(DoctorInput {
            name,
            id_number,
            phone,
            gender,
            birth_date,
            education,
            qualification,
            cohort_year,
            status,
            place: Place::Code(region.as_str().to_owned()),
            clinic: None,
            program_id: body.program_id,
        }),
        _ => Err(AppError::internal("checked doctor lost a field")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// A valid number from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn known_numbers_parse_and_expose_birth_and_gender() {
        // The worked example of GB 11643-1999 (11010519491231002X).
        let id = IdNumber::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110105********002X");
        let man = IdNumber::parse(&with_check("37040219800101123"), today()).unwrap();
        assert_eq!(man.gender(), Gender::Male);
    }

    #[test]
    fn wrong_lengths_dates_provinces_and_check_digits_are_refused() {
        let cases = [
            ("", "不能为空"),
            ("37040219800101123", "18 位"),
            ("3704021980010112345", "18 位"),
            (&with_check("37040219800230123"), "不存在"),
            (&with_check("37040218800101123"), "不合理"),
            (&with_check("37040220300101123"), "不合理"),
            (&with_check("99040219800101123"), "省级"),
            ("370402198001011230", "校验位"),
            ("37040219800101123Y", "数字或 X"),
        ];
        for (raw, why) in cases {
            let e = IdNumber::parse(raw, today()).unwrap_err();
            assert!(e.contains(why), "{raw}: {e}");
        }
    }

    #[test]
    fn the_county_of_a_village_is_its_deepest_six_digit_code() {
        assert_eq!(
            county_of_path("/370000/370400/370402/370402001/370402001101/").as_deref(),
            Some("370402")
        );
        assert_eq!(
            county_of_path("/370000/370400/370481/").as_deref(),
            Some("370481")
        );
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            Phone::parse("+86 138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        for bad in [
            "",
            "12800138000",
            "1380013800",
            "23800138000",
            "1380013800a",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chinese_labels_and_codes_both_parse() {
        assert_eq!(Education::parse("中专"), Some(Education::Secondary));
        assert_eq!(Education::parse("bachelor"), Some(Education::Bachelor));
        assert_eq!(
            Qualification::parse("乡村医生"),
            Some(Qualification::VillageDoctorCert)
        );
        assert_eq!(Gender::parse(" 女 "), Some(Gender::Female));
        assert_eq!(DoctorStatus::parse("已故"), Some(DoctorStatus::Deceased));
        assert_eq!(Education::parse("幼儿园"), None);
    }

    #[test]
    fn dates_as_people_write_them() {
        let d = NaiveDate::from_ymd_opt(1980, 1, 2).unwrap();
        for raw in [
            "1980-01-02",
            "1980/1/2",
            "1980.1.2",
            "19800102",
            "1980年1月2日",
        ] {
            assert_eq!(loose_date(raw).unwrap(), d, "{raw}");
        }
    }

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
        let input = parse_row(&row(&good), today()).unwrap();
        assert_eq!(input.gender, Gender::Male);
        assert_eq!(
            input.birth_date,
            NaiveDate::from_ymd_opt(1980, 1, 1).unwrap()
        );
        assert_eq!(input.status, DoctorStatus::Active);

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

    fn valid_id() -> impl Strategy<Value = String> {
        (
            prop::sample::select(PROVINCES.to_vec()),
            0u32..10_000,
            1900i32..2026,
            1u32..=12,
            1u32..=28,
            0u32..1000,
        )
            .prop_map(|(p, area, y, m, d, seq)| {
                with_check(&format!("{p}{area:04}{y:04}{m:02}{d:02}{seq:03}"))
            })
    }

    proptest! {
        /// Every generated valid number parses.
        #[test]
        fn every_valid_number_parses(id in valid_id()) {
            prop_assert!(IdNumber::parse(&id, today()).is_ok(), "{}", id);
        }

        /// Changing any one character to any other is caught.
        #[test]
        fn every_single_character_change_is_rejected(id in valid_id(), pos in 0usize..18, repl in prop::sample::select("0123456789X".chars().collect::<Vec<_>>())) {
            let mut chars: Vec<char> = id.chars().collect();
            prop_assume!(chars[pos] != repl);
            chars[pos] = repl;
            let changed: String = chars.into_iter().collect();
            prop_assert!(IdNumber::parse(&changed, today()).is_err(), "{} accepted", changed);
        }
    }
}
