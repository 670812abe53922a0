//! Moodle XML (`<quiz><question type="…">`), as Moodle's own export writes it: HTML
//! question text in CDATA, entities, categories, general and per-answer feedback,
//! fractions. Mapped: `multichoice` (single → A1, several right → X) and `truefalse` →
//! TF; every other type (essay, shortanswer, matching, numerical, cloze, description …)
//! and questions with media in an option are reported in `skipped`; media in a stem is
//! removed with a warning.
//!
//! The file is read as a stream into a small tree, within budgets checked as it streams
//! (`Budget`: element depth, element count, text bytes), so a hostile file — 50,000
//! nested elements in 350 KB — is refused with a message instead of exhausting the
//! stack. Nothing here recurses on the file's depth beyond `Budget::MAX_DEPTH`.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Found, Read, blank, decode_entities, html_to_text, key_of, malformed, media, tidy};
use crate::bank::{Malformed, QType, Skipped};

/// What a Moodle XML file may hold. A real export nests 5 deep (quiz › question ›
/// answer › feedback › text) and has a few dozen elements per question.
pub struct Budget;

impl Budget {
    pub const MAX_DEPTH: usize = 64;
    pub const MAX_ELEMENTS: usize = 500_000;
    /// Text kept from the file (embedded `<file>` contents are not kept).
    pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
}

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
    line: usize,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `<text>` of a child like `<questiontext format="html"><text>…</text>`, as plain
    /// text without media, and the kinds of media removed.
    fn rich(&self, name: &str) -> (String, Vec<media::Media>) {
        let Some(node) = self.child(name) else {
            return (String::new(), Vec::new());
        };
        let raw = node.child("text").map_or("", |t| t.text.as_str());
        let (raw, mut removed) = media::strip(raw);
        if removed.is_empty() && node.children.iter().any(|c| c.name == "file") {
            removed.push(media::Media::FileLink);
        }
        let text = match node.attr("format") {
            Some("html") | None => html_to_text(&raw),
            _ => tidy(&raw),
        };
        (text, removed)
    }
}

/// Counts lines up to a byte offset, moving forward only.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: u64) -> usize {
        let offset = (offset as usize).min(self.text.len());
        if offset > self.pos {
            self.line += self.text.as_bytes()[self.pos..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.pos = offset;
        }
        self.line
    }
}

fn tree(text: &str) -> Result<Node, Malformed> {
    let mut reader = Reader::from_str(text);
    let mut lines = Lines {
        text,
        pos: 0,
        line: 1,
    };
    let mut stack: Vec<Node> = vec![Node::default()];
    let (mut elements, mut text_bytes) = (0usize, 0usize);
    let over = |line: usize, what: String| {
        malformed(
            &format!("第 {line} 行"),
            format!("{what}，不像 Moodle 导出的题目文件，未导入"),
        )
    };
    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(malformed(
                    &format!("第 {line} 行"),
                    format!("XML 格式错误：{e}"),
                ));
            }
        };
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > Budget::MAX_ELEMENTS {
                return Err(over(
                    lines.at(start),
                    format!("XML 元素超过 {} 个", Budget::MAX_ELEMENTS),
                ));
            }
            // The root placeholder is not an element of the file.
            if matches!(event, Event::Start(_)) && stack.len() > Budget::MAX_DEPTH {
                return Err(over(
                    lines.at(start),
                    format!("XML 元素嵌套超过 {} 层", Budget::MAX_DEPTH),
                ));
            }
        }
        match event {
            Event::Start(e) => {
                let node = element(&e, lines.at(start))?;
                stack.push(node);
            }
            Event::Empty(e) => {
                let node = element(&e, lines.at(start))?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else { break };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => {
                        return Err(malformed(
                            &format!("第 {} 行", lines.at(start)),
                            "多余的结束标签".into(),
                        ));
                    }
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), &mut text_bytes),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), &mut text_bytes),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => decode_entities(&format!("&{};", r.xml10_content())),
                };
                push_text(&mut stack, &resolved, &mut text_bytes);
            }
            Event::Eof => break,
            _ => {}
        }
        if text_bytes > Budget::MAX_TEXT_BYTES {
            return Err(over(
                lines.at(start),
                format!("文字内容超过 {} MB", Budget::MAX_TEXT_BYTES / 1024 / 1024),
            ));
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map_or(String::new(), |n| n.name.clone());
        let line = stack.last().map_or(0, |n| n.line);
        return Err(malformed(
            &format!("第 {line} 行"),
            format!("文件在 <{open}> 元素中途结束"),
        ));
    }
    let root = stack.pop().unwrap_or_default();
    root.children
        .into_iter()
        .next()
        .ok_or_else(|| malformed("文件", "文件中没有 XML 元素".into()))
}

fn element(e: &quick_xml::events::BytesStart<'_>, line: usize) -> Result<Node, Malformed> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a =
            a.map_err(|err| malformed(&format!("第 {line} 行"), format!("XML 属性错误：{err}")))?;
        let key = a.key.local_name().into_inner().to_owned();
        attrs.push((key, decode_entities(&a.value)));
    }
    Ok(Node {
        name: e.local_name().into_inner().to_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

/// Text goes to the open element, except an embedded file's contents (base64 media,
/// never shown), which are dropped unread.
fn push_text(stack: &mut [Node], text: &str, kept: &mut usize) {
    if let Some(node) = stack.last_mut()
        && node.name != "file"
    {
        *kept += text.len();
        node.text.push_str(text);
    }
}

pub fn read(text: &str, area: &str) -> Read {
    let root = match tree(text) {
        Ok(root) => root,
        Err(fault) => {
            return Read {
                faults: vec![fault],
                ..Read::default()
            };
        }
    };
    if root.name != "quiz" {
        return Read::fatal(
            &format!("第 {} 行", root.line),
            format!("根元素应为 <quiz>，而不是 <{}>", root.name),
        );
    }
    let mut out = Read::default();
    let (mut category, mut topic) = (String::new(), String::new());
    let mut number = 0;
    for node in root.children.iter().filter(|n| n.name == "question") {
        let kind = node.attr("type").unwrap_or_default();
        if kind == "category" {
            category = node
                .child("category")
                .and_then(|c| c.child("text"))
                .map_or(String::new(), |t| t.text.trim().to_owned());
            topic = category
                .rsplit('/')
                .map(str::trim)
                .find(|s| !s.is_empty() && !s.starts_with('$') && *s != "top")
                .unwrap_or_default()
                .to_owned();
            continue;
        }
        number += 1;
        let position = format!("第 {number} 题（第 {} 行）", node.line);
        match question(node, kind, area, &topic, &category, &position, &mut out) {
            Ok(Some(found)) => out.found.push(found),
            Ok(None) => {}
            Err(fault) => out.faults.push(fault),
        }
    }
    out
}

/// One `<question>`: a question found, `None` when it is skipped (recorded in `out`), or
/// the fault.
fn question(
    node: &Node,
    kind: &str,
    area: &str,
    topic: &str,
    category: &str,
    position: &str,
    out: &mut Read,
) -> Result<Option<Found>, Malformed> {
    let name = node
        .child("name")
        .and_then(|n| n.child("text"))
        .map_or(String::new(), |t| tidy(&t.text));
    let mut skip = |reason: String| {
        out.skipped.push(Skipped {
            position: position.to_owned(),
            reason,
        });
        Ok(None)
    };
    let label = match kind {
        "multichoice" | "truefalse" => "",
        "shortanswer" => "简答 / 填空题（shortanswer）",
        "essay" => "问答题（essay）",
        "matching" => "配对题（matching）",
        "numerical" => "数值题（numerical）",
        "description" => "说明文字（description）",
        "multianswer" => "完形填空题（cloze / multianswer）",
        "ddwtos" | "gapselect" => "选词填空 / 拖放题",
        k if k.starts_with("calculated") => "计算题（calculated）",
        _ => "未知题型",
    };
    if !label.is_empty() {
        return skip(format!("{label}“{name}”无法映射为本系统题型，未导入"));
    }
    let (stem, removed) = node.rich("questiontext");
    if stem.is_empty() && !removed.is_empty() {
        return skip(format!(
            "“{name}”的题干只有{}，没有文字，无法导入",
            media::describe(&removed)
        ));
    }
    if stem.is_empty() {
        return Err(malformed(position, "题干（questiontext）为空".into()));
    }
    let (general, _) = node.rich("generalfeedback");
    let answers: Vec<&Node> = node
        .children
        .iter()
        .filter(|c| c.name == "answer")
        .collect();
    if answers.is_empty() {
        return Err(malformed(position, "选择题没有答案（<answer>）".into()));
    }
    let mut options = Vec::new();
    let mut fractions = Vec::new();
    let mut feedback = Vec::new();
    for a in &answers {
        let raw = a.child("text").map_or("", |t| t.text.as_str());
        let (_, kinds) = media::strip(raw);
        if !kinds.is_empty() || a.children.iter().any(|c| c.name == "file") {
            return skip(format!(
                "“{name}”的选项含{}，暂不支持导入",
                if kinds.is_empty() {
                    "文件".to_owned()
                } else {
                    media::describe(&kinds)
                }
            ));
        }
        let option = match a.attr("format") {
            Some("html") => html_to_text(raw),
            _ => tidy(&decode_entities(raw)),
        };
        let fraction: f64 = match a.attr("fraction").unwrap_or("0").trim().parse() {
            Ok(f) => f,
            Err(_) => {
                return Err(malformed(
                    &format!("第 {} 行", a.line),
                    "答案的 fraction 不是数字".into(),
                ));
            }
        };
        options.push(option);
        fractions.push(fraction);
        feedback.push(a.rich("feedback").0);
    }
    let right_feedback = |correct: &[bool]| -> String {
        correct
            .iter()
            .zip(&feedback)
            .filter(|(c, f)| **c && !f.is_empty())
            .map(|(_, f)| f.clone())
            .collect::<Vec<_>>()
            .join("；")
    };
    let mut q;
    if kind == "truefalse" {
        let truth = options
            .iter()
            .zip(&fractions)
            .find(|(_, f)| **f > 0.0)
            .map(|(o, _)| o.to_ascii_lowercase());
        let answer = match truth.as_deref() {
            Some("true" | "正确" | "对") => "T",
            Some("false" | "错误" | "错") => "F",
            _ => {
                return Err(malformed(
                    position,
                    "判断题应有一个得分的 true 或 false 答案".into(),
                ));
            }
        };
        let correct: Vec<bool> = fractions.iter().map(|f| *f > 0.0).collect();
        q = blank(area, topic, QType::TF);
        q.answer = answer.into();
        q.explanation = if general.is_empty() {
            right_feedback(&correct)
        } else {
            general
        };
    } else {
        let single = node
            .child("single")
            .is_none_or(|s| s.text.trim() != "false");
        let correct: Vec<bool> = if single {
            fractions.iter().map(|f| *f >= 99.99).collect()
        } else {
            fractions.iter().map(|f| *f > 0.0).collect()
        };
        let (qtype, answer) = key_of(&correct);
        let Some(qtype) = qtype else {
            return Err(malformed(
                position,
                "选择题没有正确答案（fraction=\"100\" 或正分值）".into(),
            ));
        };
        q = blank(area, topic, qtype);
        q.explanation = if general.is_empty() {
            right_feedback(&correct)
        } else {
            general
        };
        q.options = options;
        q.answer = answer;
    }
    if !removed.is_empty() {
        out.warn(
            position,
            format!(
                "“{name}”题干中的{}已删除（题目只保存文字），请核对题目是否仍可作答",
                media::describe(&removed)
            ),
        );
    }
    q.stem = stem;
    q.source = if name.is_empty() {
        "Moodle 导入".into()
    } else {
        format!("Moodle 导入：{name}")
    };
    let key = format!("{category}\u{1f}{name}\u{1f}{}", q.stem);
    Ok(Some(Found::new(position.to_owned(), key, q)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/默认/慢病管理</text>
    </category>
  </question>

<!-- question: 101  -->
  <question type="multichoice">
    <name>
      <text>高血压随访</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">血压&nbsp;≥180/110 mmHg 时应当</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>紧急转诊，2 周内随访。</p>]]></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="0" format="html">
      <text><![CDATA[<p>3 个月后随访</p>]]></text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>处理后紧急转诊</p>]]></text>
      <feedback format="html"><text>对</text></feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>加大药量 &amp; 观察</text>
    </answer>
  </question>

  <question type="multichoice">
    <name><text>危险因素</text></name>
    <questiontext format="moodle_auto_format"><text>下列属于危险因素的是 &lt;多选&gt;</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>吸烟</text><feedback><text>是</text></feedback></answer>
    <answer fraction="-100"><text>运动</text></answer>
    <answer fraction="50"><text>肥胖</text><feedback><text>也是</text></feedback></answer>
  </question>

  <question type="truefalse">
    <name><text>判断</text></name>
    <questiontext format="html"><text><![CDATA[<p>高血压患者应限盐 &lt; 5 g/天。</p>]]></text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>

  <question type="essay">
    <name><text>论述</text></name>
    <questiontext format="html"><text>论述高血压的管理。</text></questiontext>
  </question>

  <question type="multichoice">
    <name><text>心电图</text></name>
    <questiontext format="html"><text><![CDATA[<p>看图：<img src="@@PLUGINFILE@@/ecg.png"></p>]]></text>
    <file name="ecg.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>
    <answer fraction="100"><text>房颤</text></answer>
    <answer fraction="0"><text>窦律</text></answer>
  </question>
</quiz>
"#;

    #[test]
    fn a_moodle_export() {
        let r = read(EXPORT, "public_health");
        assert!(r.faults.is_empty(), "{:?}", r.faults);
        assert_eq!(r.found.len(), 4, "{:?}", r.skipped);
        let q = &r.found[0].question;
        assert_eq!(q.stem, "血压 ≥180/110 mmHg 时应当");
        assert_eq!(
            q.options,
            vec!["3 个月后随访", "处理后紧急转诊", "加大药量 & 观察"]
        );
        assert_eq!((q.qtype, q.answer.as_str()), (QType::A1, "B"));
        assert_eq!(q.explanation, "紧急转诊，2 周内随访。");
        assert_eq!(q.topic, "慢病管理");
        let x = &r.found[1].question;
        assert_eq!(
            (x.qtype, x.answer.as_str(), x.explanation.as_str()),
            (QType::X, "AC", "是；也是")
        );
        assert_eq!(x.stem, "下列属于危险因素的是 <多选>");
        assert_eq!(
            (
                r.found[2].question.qtype,
                r.found[2].question.answer.as_str()
            ),
            (QType::TF, "T")
        );
        assert_eq!(r.found[2].question.stem, "高血压患者应限盐 < 5 g/天。");
        assert_eq!(r.skipped.len(), 1);
        assert!(r.skipped[0].reason.contains("essay"));
        // The ECG's image is removed from its stem, and the import says so.
        assert_eq!(r.found[3].question.stem, "看图：");
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].position, "第 5 题（第 61 行）");
        assert!(r.warnings[0].reason.contains("图片"), "{:?}", r.warnings);
        assert_eq!(r.found[0].position, "第 1 题（第 11 行）");
    }

    fn first_fault(text: &str) -> Malformed {
        read(text, "x").faults.remove(0)
    }

    #[test]
    fn broken_xml_names_the_line() {
        let e = first_fault(
            "<quiz>\n<question type=\"multichoice\">\n<name><text>x</name>\n</question></quiz>",
        );
        assert_eq!(e.position, "第 3 行", "{e:?}");
        let e = first_fault("<quiz>\n<question type=\"multichoice\">\n");
        assert!(e.message.contains("中途结束"), "{e:?}");
        let e = first_fault("<html></html>");
        assert!(e.message.contains("<quiz>"));
    }

    #[test]
    fn every_faulty_question_is_reported() {
        let file = "<quiz>\n\
            <question type=\"multichoice\"><questiontext><text></text></questiontext><answer fraction=\"100\"><text>甲</text></answer></question>\n\
            <question type=\"multichoice\"><questiontext><text>好题</text></questiontext><answer fraction=\"100\"><text>甲</text></answer><answer><text>乙</text></answer></question>\n\
            <question type=\"multichoice\"><questiontext><text>没有对的</text></questiontext><answer fraction=\"0\"><text>甲</text></answer></question>\n\
            <question type=\"truefalse\"><questiontext><text>判断</text></questiontext><answer fraction=\"x\"><text>true</text></answer></question>\n\
            </quiz>";
        let r = read(file, "x");
        let at: Vec<&str> = r.faults.iter().map(|f| f.position.as_str()).collect();
        assert_eq!(
            at,
            vec!["第 1 题（第 2 行）", "第 3 题（第 4 行）", "第 5 行"]
        );
        assert_eq!(r.found.len(), 1);
    }

    /// 350 KB nesting 50,000 elements: refused with a message (it once overflowed the
    /// stack and aborted the whole server).
    #[test]
    fn a_deeply_nested_file_is_refused_not_a_crash() {
        let depth = 50_000;
        let xml = format!(
            "<quiz>{}{}</quiz>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        assert!(xml.len() > 340_000);
        let r = read(&xml, "public_health");
        assert_eq!(r.faults.len(), 1);
        assert!(
            r.faults[0].message.contains("嵌套超过 64 层"),
            "{:?}",
            r.faults
        );
        assert!(r.found.is_empty());
        // Right at the budget is still read (and then found not to be a quiz's question).
        let ok = format!(
            "<quiz>{}{}</quiz>",
            "<a>".repeat(Budget::MAX_DEPTH - 1),
            "</a>".repeat(Budget::MAX_DEPTH - 1)
        );
        let r = read(&ok, "public_health");
        assert!(r.faults.is_empty(), "{:?}", r.faults);
    }

    #[test]
    fn too_many_elements_or_too_much_text_is_refused() {
        let many = format!("<quiz>{}</quiz>", "<a/>".repeat(Budget::MAX_ELEMENTS));
        assert!(first_fault(&many).message.contains("元素超过"));
        let text = format!(
            "<quiz><question type=\"essay\"><name><text>{}</text></name></question></quiz>",
            "字".repeat(Budget::MAX_TEXT_BYTES / 3 + 10)
        );
        assert!(first_fault(&text).message.contains("文字内容超过"));
        // An embedded file's base64 is not kept, and does not count.
        let file = format!(
            "<quiz><question type=\"essay\"><questiontext><file>{}</file></questiontext></question></quiz>",
            "A".repeat(Budget::MAX_TEXT_BYTES + 10)
        );
        assert!(read(&file, "x").faults.is_empty());
    }
}
