//! cunyi's question template (`.xlsx`, or `.csv`): one row per question; A3/A4/B1 rows
//! share a 组号 (group), and a group's later rows may leave the shared case (A3/A4) or
//! options (B1) blank. The same columns are what `export::xlsx` writes, so an export
//! can be edited and imported again (its 编号 keep the questions' ids, its 内容领域 each
//! question's area). Every faulty row is reported, each fault naming its row and column.

use std::collections::HashMap;

use super::{Found, Read, blank, malformed, media};
use crate::bank::{Difficulty, Frame, Malformed, QType, rules};
use crate::sheet::{self, Cell, Column, Limits, map_headers};

/// Option columns: A to H.
pub const OPTION_HEADERS: [&str; 8] = [
    "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H",
];

/// The template's columns, in order (export writes the same).
pub fn columns() -> Vec<Column> {
    let mut out = vec![
        Column::new("编号", 18.0).text(),
        Column::new("内容领域", 16.0).choices(&AREA_LABELS),
        Column::new("题型", 8.0).choices(&["A1", "A2", "A3", "A4", "B1", "X", "TF"]),
        Column::new("难度", 8.0).choices(&["easy", "medium", "hard"]),
        Column::new("主题", 16.0),
        Column::new("组号", 14.0).text(),
        Column::new("共用题干", 30.0),
        Column::new("题干", 40.0),
    ];
    out.extend(OPTION_HEADERS.iter().map(|h| Column::new(h, 16.0)));
    out.extend([
        Column::new("答案", 8.0).text(),
        Column::new("解析", 40.0),
        Column::new("出处", 24.0),
    ]);
    out
}

/// The 内容领域 column's values: the areas' Chinese names, in the plans' order.
const AREA_LABELS: [&str; 9] = [
    crate::areas::AREAS[0].1,
    crate::areas::AREAS[1].1,
    crate::areas::AREAS[2].1,
    crate::areas::AREAS[3].1,
    crate::areas::AREAS[4].1,
    crate::areas::AREAS[5].1,
    crate::areas::AREAS[6].1,
    crate::areas::AREAS[7].1,
    crate::areas::AREAS[8].1,
];

/// An area as written in the 内容领域 column: its Chinese name or its code.
pub fn parse_area(s: &str) -> Option<&'static str> {
    let s = s.trim();
    crate::areas::AREAS
        .iter()
        .find(|(code, label)| *code == s || *label == s)
        .map(|(code, _)| *code)
}

const HEADERS: &[(&str, &[&str])] = &[
    ("id", &["编号", "题目编号", "id"]),
    ("area", &["内容领域", "领域", "area"]),
    ("type", &["题型", "type"]),
    ("difficulty", &["难度", "difficulty"]),
    ("topic", &["主题", "知识点", "topic"]),
    ("group", &["组号", "题组", "group"]),
    ("case", &["共用题干", "病例", "case"]),
    ("stem", &["题干", "stem"]),
    ("A", &["选项A", "A"]),
    ("B", &["选项B", "B"]),
    ("C", &["选项C", "C"]),
    ("D", &["选项D", "D"]),
    ("E", &["选项E", "E"]),
    ("F", &["选项F", "F"]),
    ("G", &["选项G", "G"]),
    ("H", &["选项H", "H"]),
    ("answer", &["答案", "answer"]),
    ("explanation", &["解析", "explanation"]),
    ("source", &["出处", "来源", "source"]),
];

/// 题型 as written: `A1`…`TF`, or 单选 / 多选 / 判断.
pub fn parse_type(s: &str) -> Option<QType> {
    QType::parse(s).or(match s.trim().trim_end_matches('题') {
        "单选" | "单项选择" => Some(QType::A1),
        "多选" | "多项选择" => Some(QType::X),
        "判断" => Some(QType::TF),
        _ => None,
    })
}

/// An answer as people type it: `b`, `A,C`, `C、A` (sorted), 对 / 错 / √ / ×.
pub fn normalize_answer(qtype: QType, raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if qtype == QType::TF {
        return match raw.to_uppercase().as_str() {
            "T" | "TRUE" | "对" | "正确" | "√" | "✓" | "是" => Ok("T".into()),
            "F" | "FALSE" | "错" | "错误" | "×" | "✗" | "否" => Ok("F".into()),
            _ => Err(format!("判断题答案应为 T（对）或 F（错），而不是 {raw:?}")),
        };
    }
    let mut letters = Vec::new();
    for c in raw.chars() {
        match c {
            'a'..='z' | 'A'..='Z' => letters.push(c.to_ascii_uppercase()),
            ',' | '，' | '、' | ' ' | ';' | '；' | '/' => {}
            _ => return Err(format!("答案 {raw:?} 中有无法识别的字符 {c:?}")),
        }
    }
    letters.sort_unstable();
    letters.dedup();
    if letters.is_empty() {
        return Err("答案为空".into());
    }
    Ok(letters.into_iter().collect())
}

pub fn read(bytes: &[u8], area: &str) -> Read {
    let limits = Limits {
        max_rows: 50_000,
        ..Limits::default()
    };
    let sheet = match sheet::read(bytes, &limits) {
        Ok(sheet) => sheet,
        Err(e) => return Read::fatal("文件", e),
    };
    let found = map_headers(&sheet.headers, HEADERS);
    let mut out = Read::default();
    for (key, label) in [("type", "题型"), ("stem", "题干"), ("answer", "答案")] {
        if !found.contains_key(key) {
            out.fault(
                "第 1 行",
                format!("表头缺少「{label}」列（请使用题目导入模板）"),
            );
        }
    }
    if !out.faults.is_empty() {
        return out;
    }
    // Group → (type, case, options) from its first row.
    let mut groups: HashMap<String, (QType, Option<String>, Vec<String>)> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let get = |key: &str| {
            found
                .get(key)
                .and_then(|i| cells.get(*i))
                .map_or(String::new(), Cell::text)
        };
        match row_question(*row, &get, area, &mut groups, &mut out) {
            Ok(Some(f)) => out.found.push(f),
            Ok(None) => {}
            Err(faults) => out.faults.extend(faults),
        }
    }
    out
}

/// One row: its question, or every fault in it (each naming its column).
fn row_question(
    row: usize,
    get: &dyn Fn(&str) -> String,
    default_area: &str,
    groups: &mut HashMap<String, (QType, Option<String>, Vec<String>)>,
    out: &mut Read,
) -> Result<Option<Found>, Vec<Malformed>> {
    let position = format!("第 {row} 行");
    let mut faults = Vec::new();
    let mut at = |label: &str, message: String| {
        faults.push(malformed(&format!("第 {row} 行「{label}」"), message))
    };
    let Some(qtype) = parse_type(&get("type")) else {
        at(
            "题型",
            format!("题型 {:?} 应为 A1、A2、A3、A4、B1、X 或 TF", get("type")),
        );
        return Err(faults);
    };
    let area = match get("area").as_str() {
        "" => default_area.to_owned(),
        a => parse_area(a).map(str::to_owned).unwrap_or_else(|| {
            at("内容领域", format!("内容领域 {a:?} 不是九个领域之一"));
            default_area.to_owned()
        }),
    };
    let difficulty = match get("difficulty").as_str() {
        "" => None,
        d => Difficulty::parse(d).or_else(|| {
            at("难度", format!("难度 {d:?} 应为 easy、medium 或 hard"));
            None
        }),
    };
    let mut options = Vec::new();
    let mut gap = false;
    for letter in ["A", "B", "C", "D", "E", "F", "G", "H"] {
        let text = get(letter);
        if text.is_empty() {
            gap = true;
        } else if gap {
            at(
                &format!("选项{letter}"),
                "选项应从 A 起连续填写，中间不能空缺".into(),
            );
        } else {
            let (_, kinds) = media::strip(&text);
            if !kinds.is_empty() {
                at(
                    &format!("选项{letter}"),
                    format!("选项含{}，题目只保存文字", media::describe(&kinds)),
                );
            }
            options.push(text);
        }
    }
    let group = get("group");
    let mut case = Some(get("case")).filter(|c| !c.is_empty());
    if qtype.is_group() {
        if group.is_empty() {
            at(
                "组号",
                format!("{} 题须填写组号，同组各题组号相同", qtype.as_str()),
            );
        } else {
            match groups.get(&group) {
                Some((first_type, first_case, first_options)) => {
                    if *first_type != qtype {
                        at(
                            "题型",
                            format!(
                                "组 {group} 中的题型不一致（{} 与 {}）",
                                first_type.as_str(),
                                qtype.as_str()
                            ),
                        );
                    }
                    if case.is_none() {
                        case = first_case.clone();
                    }
                    if options.is_empty() && qtype == QType::B1 {
                        options = first_options.clone();
                    }
                }
                None => {
                    groups.insert(group.clone(), (qtype, case.clone(), options.clone()));
                }
            }
        }
    } else if !group.is_empty() {
        at("组号", "只有 A3、A4、B1 题填写组号".into());
    }
    let answer = normalize_answer(qtype, &get("answer")).unwrap_or_else(|m| {
        at("答案", m);
        String::new()
    });
    if let Some(beyond) = answer
        .bytes()
        .find(|b| qtype != QType::TF && usize::from(b - b'A') >= options.len())
    {
        at(
            "答案",
            format!(
                "答案 {} 不在已填写的选项中（共 {} 个选项）",
                beyond as char,
                options.len()
            ),
        );
    }
    let explicit_id = Some(get("id")).filter(|i| !i.is_empty());
    if let Some(id) = &explicit_id
        && !rules::valid_id(id)
    {
        at(
            "编号",
            format!("编号 {id:?} 应为 3–60 个小写字母、数字或连字符；新题可留空"),
        );
    }
    if !faults.is_empty() {
        return Err(faults);
    }
    let raw_stem = get("stem");
    let (stem, mut removed) = media::strip(&raw_stem);
    let case = case.map(|c| {
        let (c, more) = media::strip(&c);
        removed.extend(more);
        c.trim().to_owned()
    });
    if !removed.is_empty() {
        removed.sort_unstable();
        removed.dedup();
        out.warn(
            &position,
            format!(
                "题干中的{}已删除（题目只保存文字），请核对题目是否仍可作答",
                media::describe(&removed)
            ),
        );
    }
    let mut q = blank(&area, &get("topic"), qtype);
    q.frame = Frame::of_area(&area);
    q.difficulty = difficulty;
    q.group_id = qtype.is_group().then(|| group.clone());
    q.case_text = if qtype == QType::B1 { None } else { case };
    q.stem = stem.trim().to_owned();
    q.options = options;
    q.answer = answer;
    q.explanation = get("explanation");
    q.source = Some(get("source"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "表格导入".into());
    let mut found = Found::new(position, format!("xlsx\u{1f}{group}\u{1f}{raw_stem}"), q);
    found.explicit_id = explicit_id;
    Ok(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_normalized() {
        assert_eq!(normalize_answer(QType::X, "c、a").unwrap(), "AC");
        assert_eq!(normalize_answer(QType::A1, " b ").unwrap(), "B");
        assert_eq!(normalize_answer(QType::TF, "√").unwrap(), "T");
        assert!(normalize_answer(QType::A1, "1").is_err());
        assert!(normalize_answer(QType::TF, "A").is_err());
    }

    #[test]
    fn a_csv_with_a_group_and_a_bad_row() {
        let csv = "题型,组号,共用题干,题干,选项A,选项B,选项C,答案,解析\n\
                   单选,,,首选降压药物之一是,氨氯地平,维生素C,阿莫西林,A,钙拮抗剂\n\
                   A3,c1,患者男 62 岁，血压 170/100,诊断为,高血压 1 级,高血压 2 级,高血压 3 级,B,\n\
                   A3,c1,,首选处理,观察,药物治疗,手术,B,\n\
                   判断,,,限盐有益,,,,对,\n";
        let r = read(csv.as_bytes(), "public_health");
        assert!(r.faults.is_empty(), "{:?}", r.faults);
        assert_eq!(r.found.len(), 4);
        assert_eq!(
            r.found[2].question.case_text.as_deref(),
            Some("患者男 62 岁，血压 170/100")
        );
        assert_eq!(r.found[2].question.group_id.as_deref(), Some("c1"));
        assert_eq!(r.found[3].question.answer, "T");
        let bad = "题型,题干,选项A,选项B,答案\nA1,题,甲,乙,B\nA1,题二,甲,乙,Z9\n";
        let e = &read(bad.as_bytes(), "public_health").faults[0];
        assert_eq!(e.position, "第 3 行「答案」");
        let e = &read("题干,答案\n题,A\n".as_bytes(), "public_health").faults[0];
        assert!(e.message.contains("题型"));
    }

    #[test]
    fn every_faulty_row_and_column_is_reported() {
        let csv = "题型,内容领域,难度,题干,选项A,选项B,选项C,答案\n\
                   A1,,,好题,甲,乙,,A\n\
                   Q9,,,坏题型,甲,乙,,A\n\
                   A1,外科,很难,坏领域和难度,甲,,丙,A\n\
                   A1,院前急救,,好题二,甲,乙,,B\n";
        let r = read(csv.as_bytes(), "public_health");
        let at: Vec<&str> = r.faults.iter().map(|f| f.position.as_str()).collect();
        assert_eq!(
            at,
            vec![
                "第 3 行「题型」",
                "第 4 行「内容领域」",
                "第 4 行「难度」",
                "第 4 行「选项C」"
            ]
        );
        assert_eq!(r.found.len(), 2);
        assert_eq!(r.found[1].question.area, "emergency");
        assert_eq!(r.found[0].question.area, "public_health");
    }
}
