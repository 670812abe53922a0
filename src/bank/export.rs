//! Exporting questions: GIFT (for Moodle and other systems) and the `.xlsx` template
//! (for editing and importing again).
//!
//! GIFT has no case groups: an A3/A4 item is written as a single question with its case
//! before the stem, a B1 item with its group's options. X items carry Moodle's weights
//! (right answers share 100 %, wrong ones −100 %), so importing the file again gives X.
//! Before each question a `// cunyi: {…}` comment (ignored by Moodle) carries its id and
//! what GIFT cannot say, so the file imported into the same collection changes nothing.
//!
//! The `.xlsx` never fails on what the bank holds: a question with a text past Excel's
//! cell limit (32,767 UTF-16 units; imports refuse far shorter, `rules::MAX_STEM_CHARS`)
//! is left out of the sheet and named on the notes sheet.

use std::fmt::Write as _;

use rust_xlsxwriter::XlsxError;

use super::formats::gift::{META_PREFIX, Meta};
use super::formats::xlsx::columns;
use super::{QType, Question};
use crate::sheet::XlsxBook;

/// Excel's limit on the text of one cell, in UTF-16 code units.
pub const EXCEL_CELL_LIMIT: usize = 32_767;

/// GIFT escapes: `~ = # { } :` and the backslash; newlines as `\n`.
pub fn gift_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

pub fn gift(questions: &[Question]) -> String {
    let mut out = String::from("// cunyi 题库导出（GIFT 格式）\n\n");
    let mut category = String::new();
    for q in questions {
        let here = format!("{}/{}/{}", q.collection, q.area, q.topic);
        if here != category {
            let _ = writeln!(out, "$CATEGORY: {here}\n");
            category = here;
        }
        let stem = match &q.case_text {
            Some(case) => format!("{case}\n{}", q.stem),
            None => q.stem.clone(),
        };
        let meta = Meta {
            id: q.qid.clone(),
            collection: q.collection.clone(),
            area: Some(q.area.clone()),
            topic: Some(q.topic.clone()),
            qtype: Some(q.qtype.as_str().to_owned()),
            difficulty: q.difficulty.map(|d| d.as_str().to_owned()),
            group: q.group_id.clone(),
            case: q.case_text.clone(),
            source: Some(q.source.clone()),
        };
        if let Ok(json) = serde_json::to_string(&meta) {
            let _ = writeln!(out, "{META_PREFIX} {json}");
        }
        let _ = write!(out, "::{}::{} {{", q.qid, gift_escape(&stem));
        if q.qtype == QType::TF {
            out.push_str(if q.answer == "T" { "TRUE" } else { "FALSE" });
        } else {
            let right = q.answer.len().max(1);
            for (i, option) in q.options.iter().enumerate() {
                let is_right = q.answer.contains(Question::letter(i));
                let option = gift_escape(option);
                let _ = match (q.qtype == QType::X, is_right) {
                    (false, true) => write!(out, "\n\t={option}"),
                    (false, false) => write!(out, "\n\t~{option}"),
                    (true, true) => write!(out, "\n\t~%{}%{option}", weight(right)),
                    (true, false) => write!(out, "\n\t~%-100%{option}"),
                };
            }
        }
        if !q.explanation.is_empty() {
            let _ = write!(out, "\n\t####{}", gift_escape(&q.explanation));
        }
        out.push_str(if q.qtype == QType::TF {
            "}\n\n"
        } else {
            "\n}\n\n"
        });
    }
    out
}

/// Moodle's weight for one of `n` right answers: 50, 33.33333, 25, 20.
fn weight(n: usize) -> String {
    let w = 100.0 / n as f64;
    let s = format!("{w:.5}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The rows of the `.xlsx` template for `questions`.
pub fn rows(questions: &[Question]) -> Vec<Vec<String>> {
    questions
        .iter()
        .map(|q| {
            let mut row = vec![
                q.qid.clone(),
                crate::areas::label(&q.area).to_owned(),
                q.qtype.as_str().to_owned(),
                q.difficulty
                    .map_or(String::new(), |d| d.as_str().to_owned()),
                q.topic.clone(),
                q.group_id.clone().unwrap_or_default(),
                q.case_text.clone().unwrap_or_default(),
                q.stem.clone(),
            ];
            for i in 0..8 {
                row.push(q.options.get(i).cloned().unwrap_or_default());
            }
            row.extend([q.answer.clone(), q.explanation.clone(), q.source.clone()]);
            row
        })
        .collect()
}

pub const NOTES: &[&str] = &[
    "题目导入模板（第一个工作表为题目，每行一题）",
    "题型：A1 单句型最佳选择题；A2 病例摘要型；A3 病例组型；A4 病例串型；B1 标准配伍题；X 多项选择题；TF 判断题。也可写“单选”“多选”“判断”。",
    "编号：新题留空，系统自动生成；导出后再导入时保留编号即更新原题。",
    "组号：A3、A4、B1 题必填，同组各题填写相同组号；同组后续行的共用题干（A3/A4）或选项（B1）可留空，沿用该组第一行。",
    "选项：从选项A起连续填写；判断题不填选项。",
    "答案：单选填一个字母（如 B）；多选填多个字母（如 ACD 或 A,C,D）；判断题填 T/F、对/错 或 √/×。",
    "难度：easy、medium、hard，可留空。",
    "内容领域：可留空，留空的题目属于导入时选择的领域。",
    "长度：题干和共用题干不超过 4000 字，每个选项不超过 1000 字，解析不超过 4000 字，出处和主题不超过 500 字；超过的题目整份文件不导入。",
];

/// Does every cell of this row fit in Excel?
fn fits(row: &[String]) -> bool {
    row.iter()
        .all(|cell| cell.encode_utf16().count() <= EXCEL_CELL_LIMIT)
}

/// The questions as an `.xlsx` in the template's columns (with a notes sheet). Rows
/// that would not fit Excel's cells are left out and listed on the notes sheet.
pub fn xlsx(questions: &[Question]) -> Result<Vec<u8>, XlsxError> {
    let (rows, left_out): (Vec<_>, Vec<_>) = rows(questions)
        .into_iter()
        .zip(questions)
        .partition(|(row, _)| fits(row));
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(row, _)| row).collect();
    let mut notes: Vec<String> = NOTES.iter().map(|s| (*s).to_owned()).collect();
    if !left_out.is_empty() {
        notes.push(String::new());
        notes.push(format!(
            "以下 {} 道题的文字超过 Excel 单元格上限（32767 字符），未导出到本表；请在题库页面查看：",
            left_out.len()
        ));
        notes.extend(
            left_out
                .iter()
                .map(|(_, q)| format!("{}（{}）", q.qid, q.topic)),
        );
    }
    let notes: Vec<&str> = notes.iter().map(String::as_str).collect();
    let mut book = XlsxBook::new();
    book.sheet("题目", &columns(), &rows)?;
    book.notes("填写说明", &notes)?;
    book.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::formats::{self, Format};

    #[test]
    fn a_question_too_long_for_excel_is_left_out_and_named_not_a_failure() {
        let (mut questions, _) = crate::bank::files::shipped();
        questions.truncate(3);
        questions[1].stem = "长".repeat(40_000);
        let bytes = xlsx(&questions).unwrap();
        let sheet = crate::sheet::read(&bytes, &crate::sheet::Limits::default()).unwrap();
        assert_eq!(sheet.rows.len(), 2);
        let back = formats::import(Format::Xlsx, &bytes, "public_health", "core").unwrap();
        assert_eq!(back.questions[1].qid, questions[2].qid);
        // The notes sheet names it (the second sheet, read as a zip entry).
        let notes = notes_text(&bytes);
        assert!(notes.contains(&questions[1].qid), "{notes}");
        // GIFT has no cell limit: it keeps the question.
        assert!(gift(&questions).contains(&questions[1].stem));
    }

    fn notes_text(bytes: &[u8]) -> String {
        use std::io::Read as _;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn weights_look_like_moodles() {
        assert_eq!(weight(2), "50");
        assert_eq!(weight(3), "33.33333");
        assert_eq!(weight(4), "25");
    }

    #[test]
    fn the_shipped_bank_survives_gift_and_xlsx_round_trips() {
        let (questions, _) = crate::bank::files::shipped();
        // GIFT: stems (with cases), options and keys come back; X stays X.
        let text = gift(&questions);
        let back = formats::import(Format::Gift, text.as_bytes(), "public_health", "rt").unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        assert_eq!(back.questions.len(), questions.len());
        for (a, b) in questions.iter().zip(&back.questions) {
            let stem = match &a.case_text {
                Some(case) => format!("{case}\n{}", a.stem),
                None => a.stem.clone(),
            };
            assert_eq!(b.stem, stem, "{}", a.qid);
            assert_eq!(
                (&b.options, &b.answer, &b.explanation),
                (&a.options, &a.answer, &a.explanation),
                "{}",
                a.qid
            );
            let expected = match a.qtype {
                QType::X => QType::X,
                QType::TF => QType::TF,
                _ => QType::A1,
            };
            assert_eq!(b.qtype, expected, "{}", a.qid);
        }
        // .xlsx: everything comes back, ids, areas, groups and cases included.
        let bytes = xlsx(&questions).unwrap();
        let back = formats::import(Format::Xlsx, &bytes, "public_health", "core").unwrap();
        same_questions(&questions, &back.questions);
        // GIFT into the collection it came from: the `// cunyi:` lines bring back ids,
        // areas, types, groups, cases and sources.
        let back = formats::import(Format::Gift, text.as_bytes(), "public_health", "core").unwrap();
        same_questions(&questions, &back.questions);
    }

    fn same_questions(shipped: &[Question], back: &[Question]) {
        assert_eq!(back.len(), shipped.len());
        for (a, b) in shipped.iter().zip(back) {
            let mut b = b.clone();
            b.group_id = b.group_id.map(|g| g.trim_start_matches("core-").to_owned());
            (b.frame, b.tcm, b.excludes) = (a.frame, a.tcm, a.excludes.clone());
            assert_eq!(&b, a);
        }
    }
}
