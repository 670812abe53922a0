//! The checks around moving questions in and out: an import's target (format, area,
//! collection), who may import into a collection, an export's query, and how a refused
//! file is summed up for people.

use crate::access::Role;
use crate::bank::files::CORE;
use crate::bank::formats::Format;
use crate::bank::{ExportQuery, ImportQuery, ImportTarget, Refusal};
use crate::error::{AppResult, Problems};
use crate::regions::Scope;

/// A collection name: lowercase letters, digits and dashes, 2–30 characters.
pub fn valid_collection(name: &str) -> bool {
    (2..=30).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
}

/// The checked query of an import: every bad field named (422), or the target.
pub fn check_import(query: &ImportQuery) -> AppResult<ImportTarget> {
    let mut p = Problems::new();
    let format = p.field(
        "format",
        Format::parse(query.format.as_deref().unwrap_or(""))
            .ok_or_else(|| "格式应为 gift、aiken、moodle_xml 或 xlsx".to_owned()),
    );
    let area = query.area.as_deref().unwrap_or("").trim().to_owned();
    if !crate::areas::is_area(&area) {
        p.add("area", "内容领域应为九个领域代码之一（如 public_health）");
    }
    let collection = query.collection.as_deref().unwrap_or("").trim().to_owned();
    if collection == CORE {
        p.add(
            "collection",
            "core 是随系统发布的题库，不能导入；请另起一个题库名称",
        );
    } else if !valid_collection(&collection) {
        p.add(
            "collection",
            "题库名称应为 2–30 个小写字母、数字或连字符（如 zaozhuang-2025）",
        );
    }
    p.build(|| {
        Ok(ImportTarget {
            format: format?,
            area,
            collection,
        })
    })
}

/// Who a collection belongs to: its first importer's region (or the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// No question is in it yet.
    Nobody,
    /// Imported from the command line: only a sysadmin may change it on the web.
    CommandLine,
    /// The region path of the account that imported its first question.
    Region(String),
}

/// May this account import into a collection? A collection is its first importer's:
/// others may use it in blueprints, and only that region (or one above it) may change
/// it.
pub fn may_import_into(owner: &Owner, scope: &Scope, role: Role) -> bool {
    match owner {
        Owner::Nobody => true,
        Owner::Region(path) => scope.contains_path(path),
        Owner::CommandLine => role == Role::Sysadmin,
    }
}

/// What an export writes: the format and which active questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSpec {
    pub format: Format,
    pub collection: Option<String>,
    pub area: Option<String>,
}

/// The checked query of an export: GIFT or `.xlsx` (the default), an optional
/// collection and area.
pub fn check_export(query: &ExportQuery) -> AppResult<ExportSpec> {
    let mut p = Problems::new();
    let format = match query.format.as_deref().unwrap_or("xlsx") {
        "gift" => Format::Gift,
        "xlsx" => Format::Xlsx,
        _ => {
            p.add("format", "导出格式应为 gift 或 xlsx");
            Format::Xlsx
        }
    };
    let area = query.area.clone().filter(|a| !a.is_empty());
    if area.as_deref().is_some_and(|a| !crate::areas::is_area(a)) {
        p.add("area", "内容领域应为九个领域代码之一");
    }
    p.finish()?;
    Ok(ExportSpec {
        format,
        collection: query.collection.clone().filter(|c| !c.is_empty()),
        area,
    })
}

impl Refusal {
    /// The refused file in one sentence, for the API's `detail`.
    pub fn detail(&self) -> String {
        refusal_detail(self)
    }

    /// The refused file in one sentence, for the page (every fault is listed below it
    /// when there are several).
    pub fn summary(&self) -> String {
        refusal_summary(self)
    }
}

fn refusal_detail(r: &Refusal) -> String {
    match (r.faults.first(), r.faults.len()) {
        (Some(m), 1) => format!("{}：{}（未导入任何题目）", m.position, m.message),
        (Some(m), n) => format!(
            "文件有 {n} 处错误，未导入任何题目；第一处在{}：{}",
            m.position, m.message
        ),
        (None, _) => "文件有误，未导入任何题目".to_owned(),
    }
}

fn refusal_summary(r: &Refusal) -> String {
    match r.faults.as_slice() {
        [m] => format!(
            "{}：{}。文件未导入任何题目，请修改后重新上传。",
            m.position, m.message
        ),
        faults => format!(
            "文件有 {} 处错误，未导入任何题目，请逐一修改后重新上传：",
            faults.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Malformed;

    fn query(format: &str, area: &str, collection: &str) -> ImportQuery {
        ImportQuery {
            format: Some(format.into()),
            area: Some(area.into()),
            collection: Some(collection.into()),
        }
    }

    fn fields(e: crate::error::AppError) -> Vec<String> {
        e.field_errors().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn an_import_target_names_every_bad_field() {
        let ok = check_import(&query("GIFT", "public_health", " zz-2025 ")).unwrap();
        assert_eq!(
            ok,
            ImportTarget {
                format: Format::Gift,
                area: "public_health".into(),
                collection: "zz-2025".into(),
            }
        );
        let e = check_import(&query("docx", "nowhere", "core")).unwrap_err();
        assert_eq!(fields(e), vec!["format", "area", "collection"]);
        let e = check_import(&query("xlsx", "public_health", "Bad Name")).unwrap_err();
        assert_eq!(fields(e), vec!["collection"]);
        assert!(valid_collection("ab") && !valid_collection("a"));
        assert!(!valid_collection("-ab") && !valid_collection(&"a".repeat(31)));
    }

    #[test]
    fn a_collection_is_changed_only_from_its_region_or_above() {
        let county = Scope::new("370402", "37.3704.370402.");
        let city = Scope::new("3704", "37.3704.");
        let mine = Owner::Region("37.3704.370402.".into());
        let neighbour = Owner::Region("37.3704.370403.".into());
        assert!(may_import_into(&Owner::Nobody, &county, Role::CountyAdmin));
        assert!(may_import_into(&mine, &county, Role::CountyAdmin));
        assert!(may_import_into(&mine, &city, Role::CityAdmin));
        assert!(!may_import_into(&neighbour, &county, Role::CountyAdmin));
        assert!(!may_import_into(
            &Owner::CommandLine,
            &city,
            Role::CityAdmin
        ));
        assert!(may_import_into(&Owner::CommandLine, &city, Role::Sysadmin));
    }

    #[test]
    fn an_export_defaults_to_xlsx_and_checks_its_area() {
        let spec = check_export(&ExportQuery {
            format: None,
            collection: Some(String::new()),
            area: Some("public_health".into()),
        })
        .unwrap();
        assert_eq!(spec.format, Format::Xlsx);
        assert_eq!(spec.collection, None);
        assert_eq!(spec.area.as_deref(), Some("public_health"));
        let e = check_export(&ExportQuery {
            format: Some("pdf".into()),
            collection: None,
            area: Some("mars".into()),
        })
        .unwrap_err();
        assert_eq!(fields(e), vec!["format", "area"]);
    }

    #[test]
    fn a_refusal_is_summed_up_by_its_first_fault() {
        let fault = |line: u32| Malformed {
            position: format!("第 {line} 行"),
            message: "答案缺失".into(),
        };
        let one = Refusal {
            faults: vec![fault(3)],
        };
        assert_eq!(one.detail(), "第 3 行：答案缺失（未导入任何题目）");
        assert!(one.summary().starts_with("第 3 行：答案缺失。"));
        let two = Refusal {
            faults: vec![fault(3), fault(9)],
        };
        assert_eq!(
            two.detail(),
            "文件有 2 处错误，未导入任何题目；第一处在第 3 行：答案缺失"
        );
        assert!(two.summary().starts_with("文件有 2 处错误"));
    }
}
