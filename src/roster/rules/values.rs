//! The coded values of a doctor's record — gender, education, qualification, status —
//! and how spreadsheets write them, with the training year and dates as people type them.

use chrono::NaiveDate;

/// An enum stored as `TEXT` ([`crate::text_enum!`]: code in the database and JSON, a
/// Chinese label on pages), which also recognises how county spreadsheets write it: the
/// code in any case, the label, or a common alias (`[...]`).
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($variant:ident = $code:literal / $label:literal [$($alias:literal),*]),+ $(,)?
        }
    ) => {
        $crate::text_enum! {
            $(#[$meta])*
            $vis enum $name { $($variant = $code / $label),+ }
        }

        impl $name {
            /// From the code (any case), the label, or a common way of writing it; white
            /// space anywhere is ignored (`中 专`).
            pub fn recognise(raw: &str) -> Option<$name> {
                let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                let s = s.as_str();
                $(if s.eq_ignore_ascii_case($code) || s == $label $(|| s == $alias)* {
                    return Some($name::$variant);
                })+
                None
            }

            /// The labels, for messages and drop-downs.
            pub fn labels() -> Vec<&'static str> {
                vec![$($label),+]
            }
        }
    };
}

coded_enum! {
    /// 性别
    pub enum Gender {
        Male = "male" / "男" ["M", "男性"],
        Female = "female" / "女" ["F", "女性"],
    }
}

coded_enum! {
    /// 学历
    pub enum Education {
        JuniorHigh = "junior_high" / "初中及以下" ["初中", "小学", "初中以下"],
        Secondary = "secondary" / "中专（高中）" ["中专", "高中", "中专(高中)", "中职", "中技", "职高"],
        College = "college" / "大专" ["专科", "高职", "大学专科"],
        Bachelor = "bachelor" / "本科" ["大学本科", "学士"],
        Master = "master" / "硕士及以上" ["硕士", "研究生", "博士"],
    }
}

coded_enum! {
    /// 执业资格
    pub enum Qualification {
        VillageDoctorCert = "village_doctor_cert" / "乡村医生执业证书" ["乡村医生", "村医证", "乡村医生执业证", "乡村医生证"],
        AssistantPhysician = "assistant_physician" / "执业助理医师" ["助理医师", "乡村全科执业助理医师", "执业助理"],
        Physician = "physician" / "执业医师" ["医师"],
        None = "none" / "无" ["暂无", "没有"],
    }
}

coded_enum! {
    /// 在岗状态: a doctor is never deleted; leaving the post or dying is a status.
    pub enum DoctorStatus {
        Active = "active" / "在岗" ["在职"],
        LeftPost = "left_post" / "离岗" ["不在岗", "离职", "调离", "退休"],
        Deceased = "deceased" / "死亡" ["已故", "去世"],
    }
}

impl DoctorStatus {
    /// Still in post: counted against the quota and expected to train.
    pub fn is_active(self) -> bool {
        self == DoctorStatus::Active
    }
}

/// A cohort (training) year, 2000–2100, as written (`2024`, `2024年`, `2024年度`).
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

/// A status change's date: given or today, never in the future.
pub fn effective_on(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(d) => match loose_date(d)? {
            d if d > today => Err("日期不能晚于今天".into()),
            d => Ok(d),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_labels_and_codes_both_parse() {
        assert_eq!(Education::recognise("中专"), Some(Education::Secondary));
        assert_eq!(Education::recognise("BACHELOR"), Some(Education::Bachelor));
        assert_eq!(
            Qualification::recognise("乡村医生"),
            Some(Qualification::VillageDoctorCert)
        );
        assert_eq!(Gender::recognise(" 女 "), Some(Gender::Female));
        assert_eq!(
            DoctorStatus::recognise("已故"),
            Some(DoctorStatus::Deceased)
        );
        assert_eq!(Education::recognise("幼儿园"), None);
        assert_eq!(
            Gender::parse("男"),
            None,
            "the stored form is the code only"
        );
    }

    #[test]
    fn stored_codes_are_the_api_codes() {
        assert_eq!(DoctorStatus::LeftPost.as_str(), "left_post");
        assert_eq!(DoctorStatus::LeftPost.label(), "离岗");
        assert_eq!(
            serde_json::to_string(&Qualification::None).unwrap(),
            "\"none\""
        );
        assert!(DoctorStatus::Active.is_active() && !DoctorStatus::Deceased.is_active());
    }

    #[test]
    fn stored_values_are_read_back_and_unknown_ones_are_errors() {
        use diesel::prelude::*;
        use diesel::sql_types::Text;
        let mut conn = crate::db::connect(":memory:").unwrap();
        let read: Education = diesel::select(Education::College.into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(read, Education::College);
        let label = diesel::select("大专".into_sql::<Text>()).get_result::<Education>(&mut conn);
        assert!(label.is_err(), "a label is not a stored value");
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

    #[test]
    fn cohort_years_and_effective_dates() {
        assert_eq!(cohort_year("2024年度"), Ok(2024));
        assert!(cohort_year("24").is_err());
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(effective_on(None, today), Ok(today));
        assert_eq!(effective_on(Some(" "), today), Ok(today));
        assert!(effective_on(Some("2099-01-01"), today).is_err());
        assert_eq!(
            effective_on(Some("2026/10/1"), today),
            Ok(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap())
        );
    }
}
